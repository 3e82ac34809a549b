// The recording RPCs: IngestRecording, GetRecording, ListRecordings.
//
// IngestRecording validates every field (INVALID_ARGUMENT naming it),
// checks that the platform is known (INVALID_ARGUMENT) and configured
// (FAILED_PRECONDITION, also for an S3 source without the platform's
// bucket settings), that an explicit meeting exists (NOT_FOUND), matches
// the recording to a meeting (server/ingest/recording_matcher.h), registers
// it with its durable job (idempotent, see storage/recording_store.h) and
// wakes the ingest queue. It never downloads anything itself.
//
// Thread-safe.
#ifndef VIDEOPLATFORM_SERVER_RECORDING_RPCS_H_
#define VIDEOPLATFORM_SERVER_RECORDING_RPCS_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "providers/registry.h"
#include "server/ingest/recording_ingestor.h"
#include "storage/recording_store.h"
#include "storage/store.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::server {

// Checks a download URL: the URL to fetch (possibly normalized), or
// INVALID_ARGUMENT "<field>: <reason>" (e.g. ingest::UrlPolicy::Check).
using DownloadUrlCheck = std::function<absl::StatusOr<std::string>(
    absl::string_view field, absl::string_view url)>;

// The longest S3 key and download URL accepted, in bytes.
inline constexpr size_t kMaxS3KeyLength = 1024;
inline constexpr size_t kMaxDownloadUrlLength = 8192;
// The most tracks one recording may list.
inline constexpr int kMaxRecordingTracks = 1000;

class RecordingRpcs {
 public:
  // All references must outlive this object. `on_registered` (may be
  // empty) is called after a new recording is committed (the queue's
  // Notify()).
  RecordingRpcs(storage::Store& store, storage::RecordingStore& recordings,
                const providers::Providers& providers,
                const ingest::IngestSettings& settings,
                DownloadUrlCheck check_url, std::function<void()> on_registered)
      : store_(store),
        recordings_(recordings),
        providers_(providers),
        settings_(settings),
        check_url_(std::move(check_url)),
        on_registered_(std::move(on_registered)) {}

  absl::StatusOr<v1::IngestRecordingResponse> IngestRecording(
      const v1::IngestRecordingRequest& request);
  absl::StatusOr<v1::GetRecordingResponse> GetRecording(
      const v1::GetRecordingRequest& request);
  absl::StatusOr<v1::ListRecordingsResponse> ListRecordings(
      const v1::ListRecordingsRequest& request);

 private:
  storage::Store& store_;
  storage::RecordingStore& recordings_;
  const providers::Providers& providers_;
  const ingest::IngestSettings& settings_;
  const DownloadUrlCheck check_url_;
  const std::function<void()> on_registered_;
};

v1::Recording ToProto(const storage::RecordingRecord& recording);

// The IngestRecording request that a provider's EVENT_TYPE_RECORDING_READY
// event (Daily recording.ready-to-download, Whereby recording.finished)
// calls for: its S3 key in the platform's configured bucket (else, for
// Daily, its recording id), with the provider's recording id, the event's
// meeting (when the event log matched one), room name, kind and tracks.
// nullopt for other events, or when the event names nothing to fetch.
std::optional<v1::IngestRecordingRequest> IngestRequestForEvent(
    const v1::Event& event, const ingest::IngestSettings& settings);

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_RECORDING_RPCS_H_
