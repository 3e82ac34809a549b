// Daily webhook bodies -> provider-neutral events. Facts:
// docs/provider-apis.md sections 2.2 and 2.3.
//
// Daily's test ping (an object with a "test" key and no "type", e.g.
// {"test":"test"}) is ignored. Otherwise the envelope {version, type, id,
// payload, event_ts}: id and type (non-empty strings) are required; for the
// modelled types below also payload (object) and event_ts (seconds,
// float).
//
// Types:
// - participant.joined / participant.left -> PARTICIPANT_JOINED / _LEFT
//   with participant {participant_id = payload.session_id (required: the
//   per-join key the service counts by), user_id, user_name}; room_name =
//   payload.room (required). No count: ParsedWebhook::num_clients is unset.
// - meeting.started / meeting.ended -> MEETING_STARTED / _ENDED; room_name
//   = payload.room (required).
// - recording.started -> RECORDING_STARTED {provider_recording_id =
//   recording_id}; room_name = payload.room_name when sent.
// - recording.ready-to-download -> RECORDING_READY {provider_recording_id =
//   recording_id (required), kind from type ("cloud", "cloud-audio-only",
//   "raw-tracks"; others UNSPECIFIED), s3_key, tracks [{type, s3Key, size}],
//   duration}; room_name = payload.room_name (required); tracks that are
//   not objects are skipped.
// - recording.error -> RECORDING_FAILED {error_message = error_msg};
//   room_name = payload.room_name.
// - Anything else is ignored: event type UNSPECIFIED with a reason.
// Every event carries platform "daily", provider_event_id = id,
// provider_event_type = type and event_time = event_ts. Daily's events
// carry no room id, so provider_meeting_id stays empty and the service finds
// meetings by room name.
//
// Never an error: the body was verified as Daily's, and an error answer
// counts toward Daily's circuit breaker. A body that is not JSON, lacks a
// field a modelled type needs, or has one of the wrong type is ignored:
// type UNSPECIFIED, ignore_reason "daily webhook: <path>: <problem>" (id,
// type and time kept when readable). An optional field of the wrong type
// counts as absent. Fields of unmodelled types are not read.
// Pure and thread-safe.
#ifndef VIDEOPLATFORM_PROVIDERS_DAILY_DAILY_WEBHOOKS_H_
#define VIDEOPLATFORM_PROVIDERS_DAILY_DAILY_WEBHOOKS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "providers/video_platform.h"

namespace videoplatform::providers {

absl::StatusOr<ParsedWebhook> ParseDailyWebhook(absl::string_view body);

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_DAILY_DAILY_WEBHOOKS_H_
