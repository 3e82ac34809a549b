#include "server/ingest/recording_ingestor.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "server/common/status_macros.h"

namespace videoplatform::ingest {
namespace {

// Reads one platform's bucket; returns the missing setting names instead
// when it is incomplete (nothing when no part is set).
struct BucketSettings {
  const char* platform;
  const char* bucket;
  const char* key_id;
  const char* key_secret;
  const char* region;
};

constexpr BucketSettings kBucketSettings[] = {
    {"whereby", "WHEREBY_S3_BUCKET", "WHEREBY_S3_ACCESS_KEY_ID",
     "WHEREBY_S3_ACCESS_KEY_SECRET", kWherebyS3RegionSetting},
    {"daily", "DAILY_S3_BUCKET", kDailyS3AccessKeyIdSetting,
     kDailyS3AccessKeySecretSetting, "DAILY_S3_REGION"},
};

std::string StripQuery(absl::string_view url) {
  const size_t cut = url.find_first_of("?#");
  return std::string(url.substr(0, cut));
}

}  // namespace

absl::StatusOr<IngestSettings> IngestSettings::FromSettings(
    const providers::SettingsLookup& settings) {
  IngestSettings result;
  std::string endpoint =
      settings(kRecordingsS3EndpointSetting).value_or(std::string());
  if (!endpoint.empty()) {
    if (!absl::StartsWith(endpoint, "http://") &&
        !absl::StartsWith(endpoint, "https://")) {
      return absl::InvalidArgumentError(
          absl::StrCat(kRecordingsS3EndpointSetting,
                       ": must be an http:// or https:// base URL"));
    }
    while (absl::EndsWith(endpoint, "/")) endpoint.pop_back();
  }
  for (const BucketSettings& names : kBucketSettings) {
    std::vector<std::string> missing;
    RecordingBucket bucket;
    bucket.credentials.endpoint = endpoint;
    auto read = [&](const char* name, std::string* out) {
      std::optional<std::string> value = settings(name);
      if (value.has_value()) {
        *out = *value;
      } else {
        missing.push_back(name);
      }
    };
    read(names.bucket, &bucket.bucket);
    read(names.key_id, &bucket.credentials.access_key_id);
    read(names.key_secret, &bucket.credentials.secret_access_key);
    bucket.credentials.region =
        settings(names.region).value_or(kDefaultS3Region);
    if (missing.empty()) {
      result.buckets_[names.platform] = std::move(bucket);
    } else {
      result.missing_[names.platform] = absl::StrJoin(missing, ", ");
    }
  }
  return result;
}

void IngestSettings::SetBucket(const std::string& platform,
                               RecordingBucket bucket) {
  missing_.erase(platform);
  buckets_[platform] = std::move(bucket);
}

absl::StatusOr<RecordingBucket> IngestSettings::BucketFor(
    absl::string_view platform) const {
  if (auto it = buckets_.find(platform); it != buckets_.end()) {
    return it->second;
  }
  if (auto it = missing_.find(platform); it != missing_.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "platform \"", platform, "\" has no recordings bucket configured: set ",
        it->second));
  }
  for (const BucketSettings& names : kBucketSettings) {
    if (platform == names.platform) {
      return absl::FailedPreconditionError(absl::StrCat(
          "platform \"", platform,
          "\" has no recordings bucket configured: set ", names.bucket, ", ",
          names.key_id, ", ", names.key_secret));
    }
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "platform \"", platform, "\" has no recordings bucket settings"));
}

absl::StatusOr<DownloadSource> RecordingIngestor::ResolveSource(
    const storage::RecordingRecord& recording, absl::Time deadline) const {
  DownloadSource source;
  switch (recording.source_kind) {
    case storage::RecordingSourceKind::kS3: {
      ASSIGN_OR_RETURN(RecordingBucket bucket,
                       settings_.BucketFor(recording.platform));
      source.s3_bucket = recording.s3_bucket;
      source.s3_key = recording.s3_key;
      source.s3 = std::move(bucket.credentials);
      if (!recording.s3_region.empty()) source.s3.region = recording.s3_region;
      return source;
    }
    case storage::RecordingSourceKind::kUrl:
      source.url = recording.download_url;
      return source;
    case storage::RecordingSourceKind::kDailyRecordingId: {
      ASSIGN_OR_RETURN(providers::VideoPlatform * platform,
                       providers_.Get(recording.platform));
      ASSIGN_OR_RETURN(const providers::DownloadLink link,
                       platform->GetRecordingDownloadLink(
                           recording.source_recording_id,
                           providers::CallContext{std::min(
                               deadline, absl::Now() + absl::Seconds(30))}));
      source.url = link.url;
      return source;
    }
  }
  return absl::InternalError("unknown recording source kind");
}

absl::StatusOr<DownloadResult> RecordingIngestor::Ingest(
    const storage::RecordingRecord& recording, const std::string& destination,
    const DownloadOptions& options, const ProgressCallback& progress) const {
  ASSIGN_OR_RETURN(const DownloadSource source,
                   ResolveSource(recording, options.deadline));
  return downloader_.Download(source, destination, options, progress);
}

std::string DescribeRecordingSource(const storage::RecordingRecord& recording) {
  switch (recording.source_kind) {
    case storage::RecordingSourceKind::kS3:
      return absl::StrCat("s3://", recording.s3_bucket, "/", recording.s3_key);
    case storage::RecordingSourceKind::kUrl:
      return StripQuery(recording.download_url);
    case storage::RecordingSourceKind::kDailyRecordingId:
      return absl::StrCat("daily-recording:", recording.source_recording_id);
  }
  return "";
}

std::string RecordingFileName(const storage::RecordingRecord& recording) {
  std::string path;
  switch (recording.source_kind) {
    case storage::RecordingSourceKind::kS3:
      path = recording.s3_key;
      break;
    case storage::RecordingSourceKind::kUrl:
      path = StripQuery(recording.download_url);
      break;
    case storage::RecordingSourceKind::kDailyRecordingId:
      break;
  }
  const size_t slash = path.rfind('/');
  const absl::string_view base = absl::string_view(path).substr(
      slash == std::string::npos ? 0 : slash + 1);
  const size_t dot = base.rfind('.');
  if (dot != absl::string_view::npos && dot > 0) {
    const absl::string_view ext = base.substr(dot + 1);
    if (!ext.empty() && ext.size() <= 5 &&
        std::all_of(ext.begin(), ext.end(), [](char c) {
          return absl::ascii_isalnum(static_cast<unsigned char>(c));
        })) {
      return absl::StrCat(recording.recording_id, ".",
                          absl::AsciiStrToLower(ext));
    }
  }
  return recording.recording_id;
}

}  // namespace videoplatform::ingest
