// Turns a registered recording into a download: finds its source (the
// platform's S3 bucket and credentials, a URL, or a Daily recording id
// resolved to a download link) and runs the Downloader.
//
// Settings (environment variables):
//   WHEREBY_S3_BUCKET, WHEREBY_S3_ACCESS_KEY_ID, WHEREBY_S3_ACCESS_KEY_SECRET
//       Whereby's bucket and keys (the ones Whereby writes with, see
//       providers/whereby); WHEREBY_S3_REGION, default us-east-1.
//   DAILY_S3_BUCKET, DAILY_S3_REGION (see providers/daily), and
//   DAILY_S3_ACCESS_KEY_ID, DAILY_S3_ACCESS_KEY_SECRET: keys this service
//       reads Daily's bucket with.
//   RECORDINGS_S3_ENDPOINT: base URL of an S3-compatible store (e.g.
//       http://127.0.0.1:4568 for tests, or MinIO); empty for AWS.
// A platform's bucket is usable when its bucket and both keys are set.
//
// Thread-safe: immutable after construction; the providers and the
// downloader are thread-safe.
#ifndef VIDEOPLATFORM_SERVER_INGEST_RECORDING_INGESTOR_H_
#define VIDEOPLATFORM_SERVER_INGEST_RECORDING_INGESTOR_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "providers/registry.h"
#include "server/ingest/downloader.h"
#include "storage/recording_store.h"

namespace videoplatform::ingest {

inline constexpr char kRecordingsS3EndpointSetting[] = "RECORDINGS_S3_ENDPOINT";
inline constexpr char kWherebyS3RegionSetting[] = "WHEREBY_S3_REGION";
inline constexpr char kDailyS3AccessKeyIdSetting[] = "DAILY_S3_ACCESS_KEY_ID";
inline constexpr char kDailyS3AccessKeySecretSetting[] =
    "DAILY_S3_ACCESS_KEY_SECRET";
inline constexpr char kDefaultS3Region[] = "us-east-1";

// One platform's recordings bucket.
struct RecordingBucket {
  std::string bucket;
  S3Credentials credentials;
};

class IngestSettings {
 public:
  // Reads the settings above. INVALID_ARGUMENT naming the setting when
  // RECORDINGS_S3_ENDPOINT is not an http(s) URL.
  static absl::StatusOr<IngestSettings> FromSettings(
      const providers::SettingsLookup& settings);

  // Sets a platform's bucket directly (tests).
  void SetBucket(const std::string& platform, RecordingBucket bucket);

  // The platform's bucket. FAILED_PRECONDITION naming the missing settings
  // when it is not configured.
  absl::StatusOr<RecordingBucket> BucketFor(absl::string_view platform) const;

 private:
  std::map<std::string, RecordingBucket, std::less<>> buckets_;
  std::map<std::string, std::string, std::less<>> missing_;  // -> settings.
};

class RecordingIngestor {
 public:
  // All must outlive this object.
  RecordingIngestor(const IngestSettings& settings,
                    const providers::Providers& providers,
                    Downloader& downloader)
      : settings_(settings), providers_(providers), downloader_(downloader) {}

  // Where `recording` is fetched from now. A Daily recording id is asked
  // for a fresh download link (bounded by `deadline`).
  absl::StatusOr<DownloadSource> ResolveSource(
      const storage::RecordingRecord& recording, absl::Time deadline) const;

  // Resolves the source and downloads it to `destination`.
  absl::StatusOr<DownloadResult> Ingest(
      const storage::RecordingRecord& recording, const std::string& destination,
      const DownloadOptions& options, const ProgressCallback& progress) const;

 private:
  const IngestSettings& settings_;
  const providers::Providers& providers_;
  Downloader& downloader_;
};

// "s3://bucket/key", or the URL without its query and fragment (a
// pre-signed URL's query is a credential), or "daily-recording:<id>".
std::string DescribeRecordingSource(const storage::RecordingRecord& recording);

// The file name for a recording: its id, plus the source's extension when
// it has a short alphanumeric one (".mp4", ".webm").
std::string RecordingFileName(const storage::RecordingRecord& recording);

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_RECORDING_INGESTOR_H_
