#include "providers/daily/daily_webhooks.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "providers/webhook_json.h"

namespace videoplatform::providers {
namespace {

using ::nlohmann::json;
using webhook_json::FieldErrors;
using webhook_json::FieldReader;
using webhook_json::kRequired;

constexpr char kPlatform[] = "daily";

v1::RecordingKind KindOf(absl::string_view type) {
  if (type == "cloud") return v1::RECORDING_KIND_CLOUD;
  if (type == "cloud-audio-only") return v1::RECORDING_KIND_CLOUD_AUDIO_ONLY;
  if (type == "raw-tracks") return v1::RECORDING_KIND_RAW_TRACKS;
  return v1::RECORDING_KIND_UNSPECIFIED;
}

void ReadTracks(FieldReader& payload, v1::RecordingDetails* recording) {
  const json* tracks = payload.Array("tracks");
  if (tracks == nullptr) return;
  for (size_t i = 0; i < tracks->size(); ++i) {
    const std::string path =
        absl::StrCat(payload.PathOf("tracks"), "[", i, "]");
    const json& item = (*tracks)[i];
    if (!item.is_object()) continue;  // Optional detail: skipped.
    FieldReader track(item, path, payload.errors());
    v1::RecordingTrack* out = recording->add_tracks();
    out->set_type(track.String("type"));
    out->set_s3_key(track.String("s3Key"));
    out->set_size_bytes(track.Int("size", webhook_json::kOptional, 0));
  }
}

}  // namespace

absl::StatusOr<ParsedWebhook> ParseDailyWebhook(absl::string_view body) {
  ParsedWebhook parsed;
  v1::Event& event = parsed.event;
  event.set_platform(kPlatform);
  json root;
  if (absl::Status status = webhook_json::ParseObject(kPlatform, body, &root);
      !status.ok()) {
    return webhook_json::Ignore(std::move(parsed), status);
  }
  FieldErrors errors(kPlatform, webhook_json::kDropMistypedOptional);
  FieldReader envelope(root, "", &errors);
  if (envelope.Has("test") && !envelope.Has("type")) {
    parsed.ignore_reason = "daily test ping";
    return parsed;
  }
  // The id first: it is the de-duplication key even when nothing else can
  // be read.
  event.set_provider_event_id(envelope.NonEmptyString("id", kRequired));
  event.set_provider_event_type(envelope.NonEmptyString("type", kRequired));
  if (!errors.ok()) return webhook_json::Ignore(std::move(parsed), errors);
  const std::string type = event.provider_event_type();
  if (type != "participant.joined" && type != "participant.left" &&
      type != "meeting.started" && type != "meeting.ended" &&
      type != "recording.started" && type != "recording.ready-to-download" &&
      type != "recording.error") {
    // Read nothing more: a type the service does not model may carry
    // anything.
    parsed.ignore_reason =
        absl::StrCat("daily event type \"", type, "\" is not modelled");
    return parsed;
  }
  const absl::Time event_time = envelope.UnixSeconds("event_ts", kRequired);
  const json* payload_json = envelope.Object("payload", kRequired);
  if (!errors.ok()) return webhook_json::Ignore(std::move(parsed), errors);
  *event.mutable_event_time() = webhook_json::ToTimestamp(event_time);
  FieldReader payload(*payload_json, "payload", &errors);

  if (type == "participant.joined" || type == "participant.left") {
    event.set_room_name(payload.NonEmptyString("room", kRequired));
    v1::ParticipantDetails* participant = event.mutable_participant();
    participant->set_participant_id(
        payload.NonEmptyString("session_id", kRequired));
    participant->set_user_id(payload.String("user_id"));
    participant->set_user_name(payload.String("user_name"));
    if (!errors.ok()) return webhook_json::Ignore(std::move(parsed), errors);
    event.set_type(type == "participant.joined"
                       ? v1::EVENT_TYPE_PARTICIPANT_JOINED
                       : v1::EVENT_TYPE_PARTICIPANT_LEFT);
  } else if (type == "meeting.started" || type == "meeting.ended") {
    event.set_room_name(payload.NonEmptyString("room", kRequired));
    if (!errors.ok()) return webhook_json::Ignore(std::move(parsed), errors);
    event.set_type(type == "meeting.started" ? v1::EVENT_TYPE_MEETING_STARTED
                                             : v1::EVENT_TYPE_MEETING_ENDED);
  } else if (type == "recording.started") {
    event.set_room_name(payload.String("room_name"));
    v1::RecordingDetails* recording = event.mutable_recording();
    recording->set_provider_recording_id(payload.String("recording_id"));
    event.set_type(v1::EVENT_TYPE_RECORDING_STARTED);
  } else if (type == "recording.ready-to-download") {
    event.set_room_name(payload.NonEmptyString("room_name", kRequired));
    v1::RecordingDetails* recording = event.mutable_recording();
    recording->set_provider_recording_id(
        payload.NonEmptyString("recording_id", kRequired));
    recording->set_kind(KindOf(payload.String("type")));
    recording->set_s3_key(payload.String("s3_key"));
    recording->set_duration_seconds(payload.DurationSeconds("duration"));
    ReadTracks(payload, recording);
    if (!errors.ok()) return webhook_json::Ignore(std::move(parsed), errors);
    event.set_type(v1::EVENT_TYPE_RECORDING_READY);
  } else {  // recording.error
    event.set_room_name(payload.String("room_name"));
    v1::RecordingDetails* recording = event.mutable_recording();
    recording->set_error_message(payload.String("error_msg"));
    event.set_type(v1::EVENT_TYPE_RECORDING_FAILED);
  }
  return parsed;
}

}  // namespace videoplatform::providers
