#include "server/proto_convert.h"

#include "server/time_convert.h"

namespace videoplatform::server {

v1::Meeting ToProto(const storage::MeetingRecord& meeting) {
  v1::Meeting out;
  out.set_meeting_id(meeting.meeting_id);
  out.set_platform(meeting.platform);
  out.set_provider_meeting_id(meeting.provider_meeting_id);
  out.set_room_id(meeting.room_id);
  out.set_room_name(meeting.room_name);
  out.set_room_url(meeting.room_url);
  out.set_host_room_url(meeting.host_room_url);
  *out.mutable_start_time() = ToProtoTimestamp(meeting.start_time);
  *out.mutable_end_time() = ToProtoTimestamp(meeting.end_time);
  out.set_is_locked(meeting.is_locked);
  out.set_room_mode(meeting.room_mode);
  out.set_recording_type(meeting.recording_type);
  out.set_recording_trigger(meeting.recording_trigger);
  out.set_num_clients(meeting.num_clients);
  out.set_is_active(meeting.is_active);
  return out;
}

v1::GlobalFlags ToProto(const storage::GlobalFlags& flags) {
  v1::GlobalFlags out;
  out.set_daily_migration_enabled(flags.daily_migration_enabled);
  out.set_default_platform(flags.default_platform);
  *out.mutable_update_time() = ToProtoTimestamp(flags.update_time);
  out.set_updated_by(flags.updated_by);
  return out;
}

v1::RoomPlatform ToProto(const storage::RoomPlatform& room_platform) {
  v1::RoomPlatform out;
  out.set_room_id(room_platform.room_id);
  out.set_platform(room_platform.platform);
  out.set_updated_by(room_platform.updated_by);
  *out.mutable_update_time() = ToProtoTimestamp(room_platform.update_time);
  return out;
}

v1::RoomSession ToProto(const providers::RoomSession& session) {
  v1::RoomSession out;
  out.set_session_id(session.session_id);
  out.set_room_name(session.room_name);
  if (session.start_time != absl::InfinitePast()) {
    *out.mutable_start_time() = ToProtoTimestamp(session.start_time);
  }
  if (session.end_time != absl::InfiniteFuture()) {
    *out.mutable_end_time() = ToProtoTimestamp(session.end_time);
  }
  for (const providers::SessionParticipant& participant :
       session.participants) {
    v1::Participant* p = out.add_participants();
    p->set_participant_id(participant.participant_id);
    p->set_user_id(participant.user_id);
    p->set_user_name(participant.user_name);
    if (participant.join_time != absl::InfinitePast()) {
      *p->mutable_join_time() = ToProtoTimestamp(participant.join_time);
    }
    p->set_duration_seconds(participant.duration_seconds);
  }
  return out;
}

v1::PlatformInfo ToProto(const providers::PlatformStatus& status) {
  v1::PlatformInfo out;
  out.set_name(status.name);
  out.set_configured(status.configured);
  for (const std::string& setting : status.missing_settings) {
    out.add_missing_settings(setting);
  }
  v1::PlatformCapabilities* caps = out.mutable_capabilities();
  caps->set_can_delete_room(status.capabilities.can_delete_room);
  caps->set_can_upload_logo(status.capabilities.can_upload_logo);
  caps->set_has_host_url(status.capabilities.has_host_url);
  caps->set_uses_join_tokens(status.capabilities.uses_join_tokens);
  caps->set_can_list_sessions(status.capabilities.can_list_sessions);
  caps->set_can_start_recording(status.capabilities.can_start_recording);
  return out;
}

}  // namespace videoplatform::server
