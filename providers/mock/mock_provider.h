// "mock": a deterministic, in-memory provider for tests, demos and local
// development. Needs no settings and no network.
//
// Behaviour (per instance; each instance starts from an empty state):
// - CreateMeeting rejects an empty room name, one over 128 bytes or with
//   ASCII control characters, and an end_time not after the call's `now`
//   (INVALID_ARGUMENT). The n-th meeting (n = 1, 2, ...) gets
//   provider_meeting_id "mock-<n>", room name "/<lower-cased name>-<n>",
//   room URL "https://mock.video.invalid/<room name without '/',
//   percent-encoded>", host URL = room URL + "?roomKey=<first 16 hex digits
//   of SHA-256("mock-host-key:" + id)>", start_time = now,
//   end_time = spec.end_time.
// - Rooms are looked up by provider_meeting_id; a MeetingRef whose room_name
//   is set and differs from the room's is treated as an unknown room.
// - GetRoomSessions: one ongoing session per existing room
//   (session_id "<id>-session-1", start = creation time, end = InfiniteFuture,
//   no participants); NOT_FOUND for an unknown or deleted room.
// - DeleteRoom removes the room; unknown or deleted rooms succeed.
// - UploadLogo stores the bytes; INVALID_ARGUMENT for an empty image or a
//   content type that is not image/<subtype>; NOT_FOUND for unknown rooms.
// - Every call whose CallContext::deadline is not after `now` fails with
//   DEADLINE_EXCEEDED before doing anything.
// - StartRecording is not supported (FAILED_PRECONDITION, the default).
// - Webhooks: headers "x-mock-timestamp" (unix seconds, decimal) and
//   "x-mock-signature" (lower-case hex HMAC-SHA256 of "<timestamp>.<body>",
//   keyed with setting MOCK_WEBHOOK_SECRET as bytes). Timestamps more than
//   300 s from `now` either way are rejected. Without the setting,
//   VerifyWebhookSignature is FAILED_PRECONDITION.
// - ParseWebhook takes a JSON object {"id": event id (required), "type"
//   (required), "time": RFC 3339 (optional), "meeting_id": the provider
//   meeting id, e.g. "mock-1", "room_name", "participant_id", "user_name",
//   "num_clients": integer >= 0, "recording_id", "s3_key", "error"} (all
//   optional strings unless said otherwise). Types "participant.joined",
//   "participant.left", "meeting.started", "meeting.ended",
//   "recording.started", "recording.ready" (kind CLOUD) and
//   "recording.failed" (error_message = "error") map to the event types of
//   the same names; any other type is ignored. A participant event with
//   num_clients sets the count outright; without it the service counts
//   joins and leaves by participant_id (then required). INVALID_ARGUMENT
//   "mock webhook: <field>: <problem>" for anything else.
// Thread-safe.
#ifndef VIDEOPLATFORM_PROVIDERS_MOCK_MOCK_PROVIDER_H_
#define VIDEOPLATFORM_PROVIDERS_MOCK_MOCK_PROVIDER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "providers/registry.h"
#include "providers/video_platform.h"

namespace videoplatform::providers {

inline constexpr char kMockPlatformName[] = "mock";
inline constexpr char kMockWebhookSecretSetting[] = "MOCK_WEBHOOK_SECRET";
inline constexpr char kMockTimestampHeader[] = "x-mock-timestamp";
inline constexpr char kMockSignatureHeader[] = "x-mock-signature";
inline constexpr absl::Duration kMockWebhookTolerance = absl::Seconds(300);

// The factory registered as "mock" (no required settings; reads the optional
// MOCK_WEBHOOK_SECRET when creating).
ProviderFactory MakeMockProviderFactory();

class MockProvider : public VideoPlatform {
 public:
  struct Options {
    // The webhook signing secret; nullopt: webhooks cannot be verified.
    std::optional<std::string> webhook_secret;
    // The clock for creation times and end_time/deadline checks.
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };

  // A logo as stored by UploadLogo.
  struct Logo {
    std::string image;
    std::string content_type;
  };

  explicit MockProvider(Options options);

  absl::string_view name() const override { return kMockPlatformName; }
  Capabilities capabilities() const override;

  absl::StatusOr<CreatedMeeting> CreateMeeting(
      const MeetingSpec& spec, const CallContext& context) override;
  absl::StatusOr<std::vector<RoomSession>> GetRoomSessions(
      const MeetingRef& meeting, const CallContext& context) override;
  absl::Status DeleteRoom(const MeetingRef& meeting,
                          const CallContext& context) override;
  absl::Status UploadLogo(const MeetingRef& meeting, absl::string_view image,
                          absl::string_view content_type,
                          const CallContext& context) override;
  absl::Status VerifyWebhookSignature(const WebhookRequest& request,
                                      absl::Time now) const override;
  absl::StatusOr<ParsedWebhook> ParseWebhook(
      absl::string_view body) const override;

  // Inspection for tests: the logo of an existing room, if one was uploaded.
  std::optional<Logo> GetLogo(absl::string_view provider_meeting_id) const;
  // The number of existing (created, not deleted) rooms.
  size_t RoomCount() const;

 private:
  struct Room {
    CreatedMeeting meeting;
    std::optional<Logo> logo;
  };

  // The room `meeting` refers to, or nullptr.
  Room* FindRoom(const MeetingRef& meeting) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::optional<std::string> webhook_secret_;
  const std::function<absl::Time()> clock_;

  mutable absl::Mutex mu_;
  int64_t created_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, Room, std::less<>> rooms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_MOCK_MOCK_PROVIDER_H_
