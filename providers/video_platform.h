// The interface every video-conferencing provider implements.
//
// Contract for all implementations:
// - Thread safety: every method may be called concurrently from many RPC
//   threads; implementations synchronise their own state.
// - Errors: absl::Status with the most specific canonical code
//   (INVALID_ARGUMENT for a request the provider rejects, NOT_FOUND for an
//   unknown room, UNAVAILABLE for a provider outage, DEADLINE_EXCEEDED when
//   `CallContext::deadline` passes). Messages name the provider and the
//   operation and never contain API keys or secrets.
// - Blocking: methods may block on network I/O, but never past the deadline.
#ifndef VIDEOPLATFORM_PROVIDERS_VIDEO_PLATFORM_H_
#define VIDEOPLATFORM_PROVIDERS_VIDEO_PLATFORM_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::providers {

// What a provider supports; mirrors v1.PlatformCapabilities.
struct Capabilities {
  bool can_delete_room = false;
  bool can_upload_logo = false;
  bool has_host_url = false;
  bool uses_join_tokens = false;
  bool can_list_sessions = false;
  bool can_start_recording = false;
};

// Per-call context: the caller's deadline bounds all provider I/O.
struct CallContext {
  absl::Time deadline = absl::InfiniteFuture();
};

// The meeting to create. Enums are already defaulted (never UNSPECIFIED).
struct MeetingSpec {
  std::string room_id;
  std::string room_name;  // The backend's room name.
  bool is_locked = false;
  v1::RoomMode room_mode = v1::ROOM_MODE_NORMAL;
  v1::RecordingType recording_type = v1::RECORDING_TYPE_CLOUD;
  v1::RecordingTrigger recording_trigger =
      v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT;
  absl::Time end_time;
};

// What the provider created.
struct CreatedMeeting {
  std::string provider_meeting_id;
  std::string room_name;  // The provider's room name.
  std::string room_url;
  std::string host_room_url;  // Equal to room_url without host URLs.
  absl::Time start_time;
  absl::Time end_time;
};

// Identifies a provider room for later calls.
struct MeetingRef {
  std::string provider_meeting_id;
  std::string room_name;  // The provider's room name.
};

struct SessionParticipant {
  std::string participant_id;
  std::string user_id;
  std::string user_name;
  absl::Time join_time = absl::InfinitePast();
  int64_t duration_seconds = 0;
};

struct RoomSession {
  std::string session_id;
  std::string room_name;
  absl::Time start_time = absl::InfinitePast();
  absl::Time end_time = absl::InfiniteFuture();  // InfiniteFuture: ongoing.
  std::vector<SessionParticipant> participants;
};

// A webhook as received over HTTP. Header names are lower-case.
struct WebhookRequest {
  std::map<std::string, std::string> headers;
  std::string body;  // The raw body bytes, exactly as received.
};

// A verified webhook in provider-neutral form.
struct ParsedWebhook {
  // The normalized event (sequence 0, meeting_id empty: the service fills
  // them in). event.type is EVENT_TYPE_UNSPECIFIED when the webhook is
  // genuine but carries nothing the service models (a test ping, an
  // uninteresting type); `ignore_reason` then says why.
  v1::Event event;
  std::string ignore_reason;
  // Set when the provider reports the room's participant count outright
  // (Whereby's numClients); unset when the service must count joins and
  // leaves itself (Daily).
  std::optional<int> num_clients;
};

// Where a recording can be downloaded from.
struct DownloadLink {
  std::string url;
  absl::Time expires = absl::InfiniteFuture();
};

class VideoPlatform {
 public:
  virtual ~VideoPlatform() = default;

  // The registered name, e.g. "whereby".
  virtual absl::string_view name() const = 0;
  virtual Capabilities capabilities() const = 0;

  // Creates a room/meeting on the provider.
  virtual absl::StatusOr<CreatedMeeting> CreateMeeting(
      const MeetingSpec& spec, const CallContext& context) = 0;

  // The sessions of a provider room. UNIMPLEMENTED when
  // !capabilities().can_list_sessions.
  virtual absl::StatusOr<std::vector<RoomSession>> GetRoomSessions(
      const MeetingRef& meeting, const CallContext& context) = 0;

  // Deletes the provider room. Deleting a room that is already gone
  // succeeds. UNIMPLEMENTED when !capabilities().can_delete_room.
  virtual absl::Status DeleteRoom(const MeetingRef& meeting,
                                  const CallContext& context) = 0;

  // Uploads a room logo. Providers without logos succeed without doing
  // anything (capabilities().can_upload_logo says which).
  virtual absl::Status UploadLogo(const MeetingRef& meeting,
                                  absl::string_view image,
                                  absl::string_view content_type,
                                  const CallContext& context) = 0;

  // Starts a cloud ("cloud") or raw-tracks ("raw-tracks") recording of a
  // provider room; `instance_id` tells concurrent recordings apart.
  // FAILED_PRECONDITION when !capabilities().can_start_recording (the
  // default).
  virtual absl::Status StartRecording(const MeetingRef& meeting,
                                      absl::string_view recording_type,
                                      absl::string_view instance_id,
                                      const CallContext& context) {
    return absl::FailedPreconditionError(absl::StrCat(
        "platform \"", name(), "\" cannot start recordings on demand"));
  }

  // Checks a webhook's signature and freshness against `now`.
  // UNAUTHENTICATED when the signature is missing, wrong or stale;
  // FAILED_PRECONDITION when no webhook secret is configured.
  virtual absl::Status VerifyWebhookSignature(const WebhookRequest& request,
                                              absl::Time now) const = 0;

  // Parses a verified webhook body. INVALID_ARGUMENT when the body is not
  // the provider's JSON envelope. The default parses nothing.
  virtual absl::StatusOr<ParsedWebhook> ParseWebhook(
      absl::string_view body) const {
    return absl::UnimplementedError(
        absl::StrCat("platform \"", name(), "\" does not parse webhooks"));
  }

  // A download link for one of the provider's recordings (Daily's
  // access-link). FAILED_PRECONDITION on providers without one (the
  // default).
  virtual absl::StatusOr<DownloadLink> GetRecordingDownloadLink(
      absl::string_view provider_recording_id, const CallContext& context) {
    return absl::FailedPreconditionError(absl::StrCat(
        "platform \"", name(), "\" has no recording download links"));
  }
};

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_VIDEO_PLATFORM_H_
