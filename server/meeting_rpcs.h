// The meeting RPCs: create, get, list, end, room sessions, platforms.
//
// Thread-safe. Errors: INVALID_ARGUMENT naming the request field, NOT_FOUND
// for an unknown meeting, FAILED_PRECONDITION for an unconfigured platform or
// a reused idempotency key; provider and storage errors pass through.
#ifndef VIDEOPLATFORM_SERVER_MEETING_RPCS_H_
#define VIDEOPLATFORM_SERVER_MEETING_RPCS_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "providers/registry.h"
#include "providers/video_platform.h"
#include "storage/store.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::server {

// How long a meeting lasts when the request gives no end time.
inline constexpr absl::Duration kDefaultMeetingDuration = absl::Hours(8);
// The latest end time CreateMeeting accepts, from now.
inline constexpr absl::Duration kMaxMeetingDuration = absl::Hours(24 * 366);

class MeetingRpcs {
 public:
  // Both must outlive this object.
  MeetingRpcs(storage::Store& store, const providers::Providers& providers)
      : store_(store), providers_(providers) {}

  // `context.deadline` bounds every provider call.
  absl::StatusOr<v1::CreateMeetingResponse> CreateMeeting(
      const v1::CreateMeetingRequest& request,
      const providers::CallContext& context);
  absl::StatusOr<v1::GetMeetingResponse> GetMeeting(
      const v1::GetMeetingRequest& request);
  absl::StatusOr<v1::ListMeetingsResponse> ListMeetings(
      const v1::ListMeetingsRequest& request);
  absl::StatusOr<v1::EndMeetingResponse> EndMeeting(
      const v1::EndMeetingRequest& request,
      const providers::CallContext& context);
  absl::StatusOr<v1::GetRoomSessionsResponse> GetRoomSessions(
      const v1::GetRoomSessionsRequest& request,
      const providers::CallContext& context);
  absl::StatusOr<v1::StartRecordingResponse> StartRecording(
      const v1::StartRecordingRequest& request,
      const providers::CallContext& context);
  absl::StatusOr<v1::ListPlatformsResponse> ListPlatforms(
      const v1::ListPlatformsRequest& request);

 private:
  // Returns the meeting stored under `key` as a replay of an earlier call.
  absl::StatusOr<v1::CreateMeetingResponse> Replay(
      const storage::MeetingRecord& existing, absl::string_view room_id);

  storage::Store& store_;
  const providers::Providers& providers_;
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_MEETING_RPCS_H_
