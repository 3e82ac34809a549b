// "daily": Daily's REST API (https://api.daily.co/v1) over providers/http.
// Facts: docs/provider-apis.md sections 2.1 and 2.4.
//
// Settings (environment variables):
//   DAILY_API_KEY          required; sent as a Bearer token.
//   DAILY_API_URL          base URL, default https://api.daily.co/v1
//                          (http:// only for loopback hosts).
//   DAILY_SUBDOMAIN        the Daily domain ([a-z0-9-]+, e.g. "reflector");
//                          builds https://<subdomain>.daily.co/<room> when
//                          a room answer lacks its url.
//   DAILY_WEBHOOK_SECRET   webhook HMAC secret(s), each base64 as given to
//                          POST /webhooks; comma-separated during rotation.
//   DAILY_S3_BUCKET        bucket Daily writes cloud recordings to (via
//   DAILY_S3_REGION        the IAM role it assumes); region and role ARN
//   DAILY_S3_ROLE_ARN      are required when the bucket is set.
//
// Operations:
// - CreateMeeting: POST /rooms {name: "<room name>-<UTC YYYYMMDDHHMMSS>-
//   <10 random [a-z0-9]>" (DailyRoomName; unique per CreateMeeting call),
//   privacy: "private" when locked else "public", properties: {exp,
//   enable_chat: true, enable_screenshare: true, enable_knocking: is_locked,
//   start_video_off: false, start_audio_off: false, enable_recording:
//   "local" | "cloud" (omitted without recording), recordings_bucket
//   {bucket_name, bucket_region, assume_role_arn, allow_api_access: true}
//   (cloud recording with a bucket configured)}}. Host URL = room URL. For
//   cloud recording with an automatic trigger (automatic or
//   automatic-2nd-participant; Daily has no "second participant" start, so
//   both start when someone joins with the URL) the URL gets "?t=<token>"
//   from POST /meeting-tokens {properties: {room_name, exp,
//   start_cloud_recording: true}}; if that fails the room is deleted again.
//   The named room makes the create idempotent: it is retried like a read,
//   and a retry answered "already exists" fetches the room (GET /rooms/:name):
//   the name was generated for this call alone (about 2^51 choices per
//   second), so only this call's earlier attempt can have taken it. A first
//   attempt answered "already exists" is ABORTED (not the caller's fault).
// - GetRoomSessions: GET /rooms/:name/presence, grouped by mtgSessionId into
//   ongoing sessions (start = earliest joinTime) with their participants.
// - DeleteRoom: DELETE /rooms/:name; 404 counts as done.
// - StartRecording: POST /rooms/:name/recordings/start {type: "cloud" |
//   "raw-tracks", instanceId: <uuid>}; Daily's 400s (nobody in the room,
//   recording not enabled, already recording) are FAILED_PRECONDITION.
// - UploadLogo: Daily has no logos; succeeds without a request.
// - GetRecordingDownloadLink: GET /recordings/:id/access-link ->
//   {download_link, expires (unix seconds)}; 404 for an unknown recording.
// - VerifyWebhookSignature: X-Webhook-Signature = base64(HMAC-SHA256(key =
//   base64-decoded secret, "<X-Webhook-Timestamp>.<raw body>")); the
//   timestamp in seconds or milliseconds, within 5 minutes either way.
// Thread-safe.
#ifndef VIDEOPLATFORM_PROVIDERS_DAILY_DAILY_PROVIDER_H_
#define VIDEOPLATFORM_PROVIDERS_DAILY_DAILY_PROVIDER_H_

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

inline constexpr char kDailyPlatformName[] = "daily";
inline constexpr char kDailyApiKeySetting[] = "DAILY_API_KEY";
inline constexpr char kDailyApiUrlSetting[] = "DAILY_API_URL";
inline constexpr char kDailySubdomainSetting[] = "DAILY_SUBDOMAIN";
inline constexpr char kDailyWebhookSecretSetting[] = "DAILY_WEBHOOK_SECRET";
inline constexpr char kDailyS3BucketSetting[] = "DAILY_S3_BUCKET";
inline constexpr char kDailyS3RegionSetting[] = "DAILY_S3_REGION";
inline constexpr char kDailyS3RoleArnSetting[] = "DAILY_S3_ROLE_ARN";
inline constexpr char kDailyDefaultApiUrl[] = "https://api.daily.co/v1";
inline constexpr char kDailySignatureHeader[] = "x-webhook-signature";
inline constexpr char kDailyTimestampHeader[] = "x-webhook-timestamp";
inline constexpr absl::Duration kDailyWebhookTolerance = absl::Minutes(5);
inline constexpr size_t kDailyMaxRoomNameLength = 128;

struct DailyRecordingsBucket {
  std::string bucket_name;
  std::string bucket_region;
  std::string assume_role_arn;
};

struct DailyOptions {
  std::string api_key;
  std::string api_url = kDailyDefaultApiUrl;  // Validated, no trailing '/'.
  std::string subdomain;                      // Optional.
  // Decoded webhook keys (the bytes, not the base64 text).
  std::vector<std::string> webhook_keys;
  std::optional<DailyRecordingsBucket> recordings_bucket;
  // HTTP behaviour (timeouts, retries); provider, base URL and key are
  // filled in from the fields above.
  http::HttpClientOptions http;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// The settings above as options; INVALID_ARGUMENT naming the variable for a
// malformed value, FAILED_PRECONDITION when DAILY_API_KEY is missing.
absl::StatusOr<DailyOptions> DailyOptionsFromSettings(
    const SettingsLookup& settings);

absl::StatusOr<std::unique_ptr<VideoPlatform>> NewDailyProvider(
    DailyOptions options);

// The factory registered as "daily".
ProviderFactory MakeDailyProviderFactory();

// "<room name>-<UTC YYYYMMDDHHMMSS of now>-<unique>": each run of
// characters outside [A-Za-z0-9_-] becomes one '-' (dropped at the end;
// "room" if nothing is left), the name cut so the whole fits in 128
// characters. `unique` must already be in [A-Za-z0-9_-].
std::string DailyRoomName(absl::string_view room_name, absl::Time now,
                          absl::string_view unique);

// 10 random characters of [a-z0-9] (about 51 bits) for DailyRoomName, from
// a CSPRNG-seeded generator. Thread-safe.
std::string NewDailyRoomSuffix();

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_DAILY_DAILY_PROVIDER_H_
