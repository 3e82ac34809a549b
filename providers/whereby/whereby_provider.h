// "whereby": Whereby's REST API (https://api.whereby.dev/v1) over
// providers/http. Facts: docs/provider-apis.md sections 1.1 and 1.2.
//
// Settings (environment variables):
//   WHEREBY_API_KEY                required; sent as a Bearer token.
//   WHEREBY_API_URL                base URL, default https://api.whereby.dev/v1
//                                  (http:// only for loopback hosts).
//   WHEREBY_WEBHOOK_SECRET         webhook signing secret(s); several may be
//                                  given comma-separated during rotation.
//   WHEREBY_S3_BUCKET              bucket Whereby writes cloud recordings to;
//                                  unset: rooms get no recording block.
//   WHEREBY_S3_ACCESS_KEY_ID       \ credentials Whereby uses for that bucket;
//   WHEREBY_S3_ACCESS_KEY_SECRET   / required when the bucket is set.
// (Whereby's S3 destination takes no region, so none is read here.)
//
// Operations:
// - CreateMeeting: POST /meetings {endDate (ISO-8601 UTC, seconds),
//   isLocked, roomMode, roomNamePrefix, roomNamePattern: "uuid",
//   fields: ["hostRoomUrl"], recording?}; 201 -> meetingId, roomName (with
//   its leading "/"), roomUrl, hostRoomUrl (room URL when absent),
//   startDate, endDate. `recording` {type: "cloud", destination {provider:
//   "s3", bucket, accessKeyId, accessKeySecret, fileFormat: "mp4"},
//   startTrigger} only for cloud recording with a bucket configured. Not
//   retried after a 5xx or a dropped connection (Whereby would create a
//   second meeting); retried after 429 and failed connects.
// - GetRoomSessions: GET /insights/room-sessions?roomName=<room name>&
//   limit=100, following `cursor` until it is null, at most 50 pages
//   (OUT_OF_RANGE beyond; INTERNAL when a cursor does not advance). Sessions
//   carry no participants.
// - DeleteRoom: DELETE /meetings/{meetingId}; 204, and 404 counts as done.
// - UploadLogo: PUT /rooms/{room name without "/"}/theme/logo, multipart
//   file field "image".
// - VerifyWebhookSignature: "whereby-signature: t=<unix s>,v1=<hex>" over
//   "<t>.<raw body>", HMAC-SHA256 keyed with each configured secret, 60 s
//   freshness either way.
// Thread-safe.
#ifndef VIDEOPLATFORM_PROVIDERS_WHEREBY_WHEREBY_PROVIDER_H_
#define VIDEOPLATFORM_PROVIDERS_WHEREBY_WHEREBY_PROVIDER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "providers/http/http_client.h"
#include "providers/registry.h"
#include "providers/video_platform.h"

namespace videoplatform::providers {

inline constexpr char kWherebyPlatformName[] = "whereby";
inline constexpr char kWherebyApiKeySetting[] = "WHEREBY_API_KEY";
inline constexpr char kWherebyApiUrlSetting[] = "WHEREBY_API_URL";
inline constexpr char kWherebyWebhookSecretSetting[] = "WHEREBY_WEBHOOK_SECRET";
inline constexpr char kWherebyS3BucketSetting[] = "WHEREBY_S3_BUCKET";
inline constexpr char kWherebyS3AccessKeyIdSetting[] =
    "WHEREBY_S3_ACCESS_KEY_ID";
inline constexpr char kWherebyS3AccessKeySecretSetting[] =
    "WHEREBY_S3_ACCESS_KEY_SECRET";
inline constexpr char kWherebyDefaultApiUrl[] = "https://api.whereby.dev/v1";
inline constexpr char kWherebySignatureHeader[] = "whereby-signature";
inline constexpr absl::Duration kWherebyWebhookTolerance = absl::Seconds(60);
// Whereby lower-cases roomNamePrefix and allows at most 39 characters.
inline constexpr size_t kWherebyMaxPrefixLength = 39;

struct WherebyS3Destination {
  std::string bucket;
  std::string access_key_id;
  std::string access_key_secret;
};

struct WherebyOptions {
  std::string api_key;
  std::string api_url = kWherebyDefaultApiUrl;  // Validated, no trailing '/'.
  std::vector<std::string> webhook_secrets;
  std::optional<WherebyS3Destination> s3;
  // HTTP behaviour (timeouts, retries); provider, base URL and key are
  // filled in from the fields above.
  http::HttpClientOptions http;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// The settings above as options; INVALID_ARGUMENT naming the variable for a
// malformed value, FAILED_PRECONDITION when WHEREBY_API_KEY is missing.
absl::StatusOr<WherebyOptions> WherebyOptionsFromSettings(
    const SettingsLookup& settings);

absl::StatusOr<std::unique_ptr<VideoPlatform>> NewWherebyProvider(
    WherebyOptions options);

// The factory registered as "whereby".
ProviderFactory MakeWherebyProviderFactory();

// roomNamePrefix for a backend room name: "<name>-", lower-cased, with
// each run of characters outside [a-z0-9_-] replaced by one '-' (dropped at
// the end), the name cut so the prefix has at most 39 characters.
std::string WherebyRoomNamePrefix(absl::string_view room_name);

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_WHEREBY_WHEREBY_PROVIDER_H_
