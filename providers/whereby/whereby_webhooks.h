// Whereby webhook bodies -> provider-neutral events. Facts:
// docs/provider-apis.md section 1.2.
//
// Envelope {id, apiVersion, createdAt, type, data}: id and type (non-empty
// strings) are required; for the modelled types below also createdAt (RFC
// 3339) and data (object). data.roomName is read when it is a string.
//
// Types:
// - room.client.joined / room.client.left -> PARTICIPANT_JOINED / _LEFT,
//   with ParsedWebhook::num_clients = data.numClients (required integer
//   >= 0; also in event.num_clients) and participant {participant_id =
//   participantId, user_id = externalId, user_name = displayName,
//   role_name = roleName, session_id = roomSessionId}. data.meetingId is
//   required.
// - room.session.started / room.session.ended -> MEETING_STARTED / _ENDED
//   (data.meetingId required).
// - recording.finished -> RECORDING_READY {provider_recording_id =
//   recordingId, s3_key = filename (required), kind CLOUD}; a status other
//   than "completed" gives RECORDING_FAILED with that status as the error.
// - Anything else (knocks, transcriptions, assistant requests, unknown
//   types) is ignored: event type UNSPECIFIED with an ignore reason.
// Every event carries platform "whereby", provider_event_id = id,
// provider_event_type = type, provider_meeting_id = data.meetingId,
// room_name = data.roomName and event_time = createdAt.
//
// Never an error: the body was verified as Whereby's, and an error answer
// only makes Whereby retry. A body that is not JSON, lacks a field a
// modelled type needs, or has one of the wrong type is ignored: type
// UNSPECIFIED, ignore_reason "whereby webhook: <path>: <problem>" (id, type
// and time kept when readable). An optional field of the wrong type counts
// as absent. Fields of unmodelled types are not read.
// Pure and thread-safe.
#ifndef VIDEOPLATFORM_PROVIDERS_WHEREBY_WHEREBY_WEBHOOKS_H_
#define VIDEOPLATFORM_PROVIDERS_WHEREBY_WHEREBY_WEBHOOKS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "providers/video_platform.h"

namespace videoplatform::providers {

absl::StatusOr<ParsedWebhook> ParseWherebyWebhook(absl::string_view body);

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_WHEREBY_WHEREBY_WEBHOOKS_H_
