// The meeting RPCs: create, get, list, end, room sessions, platforms.
//
// Thread-safe. Errors: INVALID_ARGUMENT naming the request field, NOT_FOUND
// for an unknown meeting, FAILED_PRECONDITION for an unconfigured platform or
// a reused idempotency key; provider and storage errors pass through.
//
// Idempotency keys (CreateMeeting): the key is reserved in the store before
// the provider is called, so at most one provider room is created per key.
// Concurrent calls with the same key in this process wait for the first and
// share its outcome: its meeting (answered as a replay, created = false), or
// its error. A call that cannot get the key — another process holds it, or
// the first call outlives the waiter's deadline — is ABORTED "in progress";
// retrying later replays the meeting. A reservation older than
// kIdempotencyReservationTtl (its call died) is taken over. Calls with
// different keys, or none, never wait for each other.
#ifndef VIDEOPLATFORM_SERVER_MEETING_RPCS_H_
#define VIDEOPLATFORM_SERVER_MEETING_RPCS_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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
// After this, an idempotency key reservation is taken to belong to a call
// that died (provider calls are capped far below it).
inline constexpr absl::Duration kIdempotencyReservationTtl = absl::Minutes(5);

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
  // A CreateMeeting in progress for one idempotency key in this process.
  struct KeyedCall {
    bool done = false;
    // Set when done: the stored meeting, or the first call's error.
    absl::StatusOr<storage::MeetingRecord> outcome;
  };
  struct Created {
    storage::MeetingRecord meeting;
    bool created = false;  // False: a replay of an earlier call.
  };

  // Returns the meeting stored under `key` as a replay of an earlier call.
  absl::StatusOr<v1::CreateMeetingResponse> Replay(
      const storage::MeetingRecord& existing, absl::string_view room_id);
  // Reserves `key` (non-empty) in the store, creates the meeting and stores
  // it; a meeting already stored under `key` is returned as a replay.
  absl::StatusOr<Created> CreateWithKey(const providers::MeetingSpec& spec,
                                        const std::string& key,
                                        const providers::CallContext& context);
  // Creates the meeting on the room's platform and stores it under `key`
  // (may be empty).
  absl::StatusOr<storage::MeetingRecord> CreateAndStore(
      const providers::MeetingSpec& spec, const std::string& key,
      const providers::CallContext& context);

  storage::Store& store_;
  const providers::Providers& providers_;
  absl::Mutex calls_mu_;
  std::map<std::string, std::shared_ptr<KeyedCall>> calls_
      ABSL_GUARDED_BY(calls_mu_);
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_MEETING_RPCS_H_
