#include "server/meeting_rpcs.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/ids.h"
#include "server/common/status_macros.h"
#include "server/field_checks.h"
#include "server/flag_rpcs.h"
#include "server/proto_convert.h"
#include "server/time_convert.h"
#include "spdlog/spdlog.h"

namespace videoplatform::server {
namespace {

// How long before its deadline a call waiting for another call with its
// idempotency key gives up (time for the ABORTED answer to reach it).
constexpr absl::Duration kWaitMargin = absl::Milliseconds(250);

// Checks the room settings and fills in the documented defaults.
absl::StatusOr<providers::MeetingSpec> ToMeetingSpec(
    const v1::CreateMeetingRequest& request, absl::Time now) {
  if (!request.has_room()) {
    return absl::InvalidArgumentError("room: is required");
  }
  const v1::RoomSettings& room = request.room();
  RETURN_IF_ERROR(CheckRequiredText(room.room_id(), "room.room_id"));
  RETURN_IF_ERROR(CheckRequiredText(room.room_name(), "room.room_name"));
  RETURN_IF_ERROR(
      CheckEnum(room.room_mode(), v1::RoomMode_IsValid, "room.room_mode"));
  RETURN_IF_ERROR(CheckEnum(room.recording_type(), v1::RecordingType_IsValid,
                            "room.recording_type"));
  RETURN_IF_ERROR(CheckEnum(room.recording_trigger(),
                            v1::RecordingTrigger_IsValid,
                            "room.recording_trigger"));
  RETURN_IF_ERROR(
      CheckOptionalText(request.idempotency_key(), "idempotency_key"));

  providers::MeetingSpec spec;
  spec.room_id = room.room_id();
  spec.room_name = room.room_name();
  spec.is_locked = room.is_locked();
  if (room.room_mode() != v1::ROOM_MODE_UNSPECIFIED) {
    spec.room_mode = room.room_mode();
  }
  if (room.recording_type() != v1::RECORDING_TYPE_UNSPECIFIED) {
    spec.recording_type = room.recording_type();
  }
  if (room.recording_trigger() != v1::RECORDING_TRIGGER_UNSPECIFIED) {
    spec.recording_trigger = room.recording_trigger();
  }
  spec.end_time = now + kDefaultMeetingDuration;
  if (request.has_end_time()) {
    ASSIGN_OR_RETURN(spec.end_time,
                     FromProtoTimestamp(request.end_time(), "end_time"));
    if (spec.end_time <= now) {
      return absl::InvalidArgumentError("end_time: must be in the future");
    }
    if (spec.end_time > now + kMaxMeetingDuration) {
      return absl::InvalidArgumentError(
          "end_time: must be at most 366 days from now");
    }
  }
  return spec;
}

// A provider answer the service cannot store is the provider's fault.
absl::Status CheckCreated(const providers::CreatedMeeting& created,
                          absl::string_view platform) {
  if (created.provider_meeting_id.empty() || created.room_url.empty()) {
    return absl::UnavailableError(
        absl::StrCat("platform \"", platform,
                     "\" returned a meeting without an id or a room URL"));
  }
  return absl::OkStatus();
}

// Best effort: removes a provider room that could not be stored, so a failed
// call leaves nothing behind.
void DeleteOrphanRoom(providers::VideoPlatform& platform,
                      const providers::CreatedMeeting& created,
                      const providers::CallContext& context) {
  if (!platform.capabilities().can_delete_room) return;
  const absl::Status status = platform.DeleteRoom(
      {created.provider_meeting_id, created.room_name}, context);
  if (!status.ok()) {
    spdlog::warn("could not delete orphan room {} on {}: {}", created.room_name,
                 std::string(platform.name()), status.ToString());
  }
}

// The store keeps microseconds; answering with the stored precision makes a
// created meeting equal to the same meeting read back.
absl::Time ToMicros(absl::Time time) {
  return absl::FromUnixMicros(absl::ToUnixMicros(time));
}

storage::MeetingRecord ToRecord(const providers::MeetingSpec& spec,
                                const providers::CreatedMeeting& created,
                                absl::string_view platform,
                                absl::string_view idempotency_key) {
  storage::MeetingRecord record;
  record.meeting_id = NewUuid();
  record.platform = std::string(platform);
  record.provider_meeting_id = created.provider_meeting_id;
  record.room_id = spec.room_id;
  record.room_name = created.room_name;
  record.room_url = created.room_url;
  record.host_room_url =
      created.host_room_url.empty() ? created.room_url : created.host_room_url;
  record.start_time = ToMicros(created.start_time);
  record.end_time = ToMicros(created.end_time);
  record.is_locked = spec.is_locked;
  record.room_mode = spec.room_mode;
  record.recording_type = spec.recording_type;
  record.recording_trigger = spec.recording_trigger;
  record.num_clients = 0;
  record.is_active = true;
  record.idempotency_key = std::string(idempotency_key);
  return record;
}

}  // namespace

absl::StatusOr<v1::CreateMeetingResponse> MeetingRpcs::Replay(
    const storage::MeetingRecord& existing, absl::string_view room_id) {
  if (existing.room_id != room_id) {
    return absl::FailedPreconditionError(
        "idempotency_key: already used for another room");
  }
  v1::CreateMeetingResponse response;
  *response.mutable_meeting() = ToProto(existing);
  response.set_created(false);
  return response;
}

absl::StatusOr<v1::CreateMeetingResponse> MeetingRpcs::CreateMeeting(
    const v1::CreateMeetingRequest& request,
    const providers::CallContext& context) {
  const absl::Time now = absl::Now();
  ASSIGN_OR_RETURN(const providers::MeetingSpec spec,
                   ToMeetingSpec(request, now));
  const std::string& key = request.idempotency_key();
  if (key.empty()) {
    ASSIGN_OR_RETURN(const storage::MeetingRecord record,
                     CreateAndStore(spec, key, context));
    v1::CreateMeetingResponse response;
    *response.mutable_meeting() = ToProto(record);
    response.set_created(true);
    return response;
  }

  // Join a call with the same key in progress here, or become it.
  std::shared_ptr<KeyedCall> call;
  bool first = false;
  {
    absl::MutexLock lock(&calls_mu_);
    std::shared_ptr<KeyedCall>& slot = calls_[key];
    if (slot == nullptr) {
      slot = std::make_shared<KeyedCall>();
      first = true;
    }
    call = slot;
  }
  if (!first) {
    absl::MutexLock lock(&calls_mu_);
    // Stop waiting a little before the caller's deadline, so it reads
    // "in progress" rather than a bare DEADLINE_EXCEEDED.
    if (!calls_mu_.AwaitWithDeadline(absl::Condition(&call->done),
                                     context.deadline - kWaitMargin)) {
      return absl::AbortedError(
          "idempotency_key: a CreateMeeting with this key is still in "
          "progress; retry later");
    }
    if (!call->outcome.ok()) return call->outcome.status();
    return Replay(*call->outcome, spec.room_id);
  }

  absl::StatusOr<Created> created = CreateWithKey(spec, key, context);
  {
    absl::MutexLock lock(&calls_mu_);
    call->done = true;
    if (created.ok()) {
      call->outcome = created->meeting;
    } else {
      call->outcome = created.status();
    }
    calls_.erase(key);  // The next call with this key reads the store.
  }
  if (!created.ok()) return created.status();
  if (!created->created) return Replay(created->meeting, spec.room_id);
  v1::CreateMeetingResponse response;
  *response.mutable_meeting() = ToProto(created->meeting);
  response.set_created(true);
  return response;
}

absl::StatusOr<MeetingRpcs::Created> MeetingRpcs::CreateWithKey(
    const providers::MeetingSpec& spec, const std::string& key,
    const providers::CallContext& context) {
  const std::string holder = NewUuid();
  const absl::Time now = absl::Now();
  ASSIGN_OR_RETURN(
      const storage::KeyReservation reservation,
      store_.ReserveIdempotencyKey(key, spec.room_id, holder, now,
                                   now - kIdempotencyReservationTtl));
  switch (reservation.state) {
    case storage::KeyReservation::State::kMeetingExists:
      return Created{*reservation.meeting, /*created=*/false};
    case storage::KeyReservation::State::kHeld:
      if (reservation.room_id != spec.room_id) {
        return absl::FailedPreconditionError(
            "idempotency_key: already used for another room");
      }
      return absl::AbortedError(
          "idempotency_key: a CreateMeeting with this key is in progress "
          "elsewhere; retry later");
    case storage::KeyReservation::State::kReserved:
      break;
  }
  absl::StatusOr<storage::MeetingRecord> record =
      CreateAndStore(spec, key, context);
  if (absl::IsAlreadyExists(record.status())) {
    // A call whose reservation was taken for dead stored its meeting after
    // all (this call's room was deleted again): answer with that meeting.
    ASSIGN_OR_RETURN(const std::optional<storage::MeetingRecord> existing,
                     store_.FindMeetingByIdempotencyKey(key));
    if (existing.has_value()) return Created{*existing, /*created=*/false};
  }
  if (!record.ok()) {
    // Nothing was stored: let a retry with this key try again.
    const absl::Status released = store_.ReleaseIdempotencyKey(key, holder);
    if (!released.ok()) {
      spdlog::warn("could not release idempotency key reservation: {}",
                   released.ToString());
    }
    return record.status();
  }
  return Created{*std::move(record), /*created=*/true};
}

absl::StatusOr<storage::MeetingRecord> MeetingRpcs::CreateAndStore(
    const providers::MeetingSpec& spec, const std::string& key,
    const providers::CallContext& context) {
  ASSIGN_OR_RETURN(const Resolution resolution,
                   ResolveRoomPlatform(store_, spec.room_id));
  ASSIGN_OR_RETURN(providers::VideoPlatform * platform,
                   providers_.Get(resolution.platform));
  ASSIGN_OR_RETURN(const providers::CreatedMeeting created,
                   platform->CreateMeeting(spec, context));
  RETURN_IF_ERROR(CheckCreated(created, resolution.platform));

  const storage::MeetingRecord record =
      ToRecord(spec, created, resolution.platform, key);
  const absl::Status inserted = store_.InsertMeeting(record);
  if (!inserted.ok()) {
    DeleteOrphanRoom(*platform, created, context);
    return inserted;
  }
  spdlog::info("created meeting {} for room {} on {}", record.meeting_id,
               record.room_id, record.platform);
  return record;
}

absl::StatusOr<v1::GetMeetingResponse> MeetingRpcs::GetMeeting(
    const v1::GetMeetingRequest& request) {
  RETURN_IF_ERROR(CheckRequiredText(request.meeting_id(), "meeting_id"));
  ASSIGN_OR_RETURN(const storage::MeetingRecord meeting,
                   store_.GetMeeting(request.meeting_id()));
  v1::GetMeetingResponse response;
  *response.mutable_meeting() = ToProto(meeting);
  return response;
}

absl::StatusOr<v1::ListMeetingsResponse> MeetingRpcs::ListMeetings(
    const v1::ListMeetingsRequest& request) {
  RETURN_IF_ERROR(CheckOptionalText(request.room_id(), "room_id"));
  ASSIGN_OR_RETURN(const int limit,
                   CheckPageSize(request.page_size(), "page_size"));
  RETURN_IF_ERROR(CheckOptionalText(request.page_token(), "page_token", 1024));
  storage::MeetingFilter filter;
  filter.room_id = request.room_id();
  filter.active_only = request.active_only();
  filter.limit = limit;
  filter.after_cursor = request.page_token();
  ASSIGN_OR_RETURN(const storage::MeetingPage page,
                   store_.ListMeetings(filter));
  v1::ListMeetingsResponse response;
  for (const storage::MeetingRecord& meeting : page.meetings) {
    *response.add_meetings() = ToProto(meeting);
  }
  response.set_next_page_token(page.next_cursor);
  return response;
}

absl::StatusOr<v1::EndMeetingResponse> MeetingRpcs::EndMeeting(
    const v1::EndMeetingRequest& request,
    const providers::CallContext& context) {
  RETURN_IF_ERROR(CheckRequiredText(request.meeting_id(), "meeting_id"));
  ASSIGN_OR_RETURN(const storage::MeetingRecord meeting,
                   store_.GetMeeting(request.meeting_id()));
  v1::EndMeetingResponse response;
  if (!meeting.is_active) {
    *response.mutable_meeting() = ToProto(meeting);
    return response;
  }
  // The provider room goes first: if that fails the meeting stays active and
  // the caller can retry.
  ASSIGN_OR_RETURN(providers::VideoPlatform * platform,
                   providers_.Get(meeting.platform));
  bool deleted = false;
  if (platform->capabilities().can_delete_room) {
    RETURN_IF_ERROR(platform->DeleteRoom(
        {meeting.provider_meeting_id, meeting.room_name}, context));
    deleted = true;
  }
  ASSIGN_OR_RETURN(const storage::Store::EndResult ended,
                   store_.EndMeeting(meeting.meeting_id));
  spdlog::info("ended meeting {} on {}", meeting.meeting_id, meeting.platform);
  *response.mutable_meeting() = ToProto(ended.meeting);
  response.set_provider_room_deleted(deleted && ended.was_active);
  return response;
}

absl::StatusOr<v1::GetRoomSessionsResponse> MeetingRpcs::GetRoomSessions(
    const v1::GetRoomSessionsRequest& request,
    const providers::CallContext& context) {
  RETURN_IF_ERROR(CheckRequiredText(request.meeting_id(), "meeting_id"));
  ASSIGN_OR_RETURN(const storage::MeetingRecord meeting,
                   store_.GetMeeting(request.meeting_id()));
  ASSIGN_OR_RETURN(providers::VideoPlatform * platform,
                   providers_.Get(meeting.platform));
  if (!platform->capabilities().can_list_sessions) {
    return absl::FailedPreconditionError(absl::StrCat(
        "platform \"", meeting.platform, "\" cannot list room sessions"));
  }
  ASSIGN_OR_RETURN(
      const std::vector<providers::RoomSession> sessions,
      platform->GetRoomSessions(
          {meeting.provider_meeting_id, meeting.room_name}, context));
  v1::GetRoomSessionsResponse response;
  for (const providers::RoomSession& session : sessions) {
    *response.add_sessions() = ToProto(session);
  }
  return response;
}

absl::StatusOr<v1::StartRecordingResponse> MeetingRpcs::StartRecording(
    const v1::StartRecordingRequest& request,
    const providers::CallContext& context) {
  RETURN_IF_ERROR(CheckRequiredText(request.meeting_id(), "meeting_id"));
  RETURN_IF_ERROR(CheckEnum(request.kind(), v1::RecordingKind_IsValid, "kind"));
  RETURN_IF_ERROR(CheckOptionalText(request.instance_id(), "instance_id"));
  // The provider API starts mixed ("cloud") or per-track ("raw-tracks")
  // recordings only.
  absl::string_view recording_type;
  switch (request.kind()) {
    case v1::RECORDING_KIND_UNSPECIFIED:
    case v1::RECORDING_KIND_CLOUD:
      recording_type = "cloud";
      break;
    case v1::RECORDING_KIND_RAW_TRACKS:
      recording_type = "raw-tracks";
      break;
    default:
      return absl::InvalidArgumentError(
          "kind: only RECORDING_KIND_CLOUD and RECORDING_KIND_RAW_TRACKS can "
          "be started");
  }
  ASSIGN_OR_RETURN(const storage::MeetingRecord meeting,
                   store_.GetMeeting(request.meeting_id()));
  if (!meeting.is_active) {
    return absl::FailedPreconditionError(absl::StrCat(
        "meeting ", meeting.meeting_id, " has ended; cannot record it"));
  }
  ASSIGN_OR_RETURN(providers::VideoPlatform * platform,
                   providers_.Get(meeting.platform));
  const std::string instance_id =
      request.instance_id().empty() ? NewUuid() : request.instance_id();
  RETURN_IF_ERROR(
      platform->StartRecording({meeting.provider_meeting_id, meeting.room_name},
                               recording_type, instance_id, context));
  spdlog::info("started {} recording {} of meeting {} on {}",
               std::string(recording_type), instance_id, meeting.meeting_id,
               meeting.platform);
  v1::StartRecordingResponse response;
  response.set_instance_id(instance_id);
  return response;
}

absl::StatusOr<v1::ListPlatformsResponse> MeetingRpcs::ListPlatforms(
    const v1::ListPlatformsRequest&) {
  v1::ListPlatformsResponse response;
  for (const providers::PlatformStatus& status : providers_.Statuses()) {
    *response.add_platforms() = ToProto(status);
  }
  return response;
}

}  // namespace videoplatform::server
