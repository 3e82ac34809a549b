#include "providers/daily/daily_webhooks.h"

#include <string>

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
    if (!item.is_object()) {
      payload.errors()->Add(path, "must be an object");
      return;
    }
    FieldReader track(item, path, payload.errors());
    v1::RecordingTrack* out = recording->add_tracks();
    out->set_type(track.String("type"));
    out->set_s3_key(track.String("s3Key"));
    out->set_size_bytes(track.Int("size", webhook_json::kOptional, 0));
  }
}

}  // namespace

absl::StatusOr<ParsedWebhook> ParseDailyWebhook(absl::string_view body) {
  json root;
  if (absl::Status status = webhook_json::ParseObject(kPlatform, body, &root);
      !status.ok()) {
    return status;
  }
  FieldErrors errors(kPlatform);
  FieldReader envelope(root, "", &errors);
  ParsedWebhook parsed;
  v1::Event& event = parsed.event;
  event.set_platform(kPlatform);
  if (envelope.Has("test") && !envelope.Has("type")) {
    parsed.ignore_reason = "daily test ping";
    return parsed;
  }
  const std::string id = envelope.NonEmptyString("id", kRequired);
  const std::string type = envelope.NonEmptyString("type", kRequired);
  const absl::Time event_time = envelope.UnixSeconds("event_ts", kRequired);
  envelope.String("version");
  const json* payload_json = envelope.Object("payload", kRequired);
  if (!errors.ok()) return errors.status();

  FieldReader payload(*payload_json, "payload", &errors);
  event.set_provider_event_id(id);
  event.set_provider_event_type(type);
  *event.mutable_event_time() = webhook_json::ToTimestamp(event_time);

  if (type == "participant.joined" || type == "participant.left") {
    event.set_room_name(payload.NonEmptyString("room", kRequired));
    v1::ParticipantDetails* participant = event.mutable_participant();
    participant->set_participant_id(
        payload.NonEmptyString("session_id", kRequired));
    participant->set_user_id(payload.String("user_id"));
    participant->set_user_name(payload.String("user_name"));
    payload.UnixSeconds("joined_at");
    payload.DurationSeconds("duration");
    payload.Bool("owner");
    if (!errors.ok()) return errors.status();
    event.set_type(type == "participant.joined"
                       ? v1::EVENT_TYPE_PARTICIPANT_JOINED
                       : v1::EVENT_TYPE_PARTICIPANT_LEFT);
  } else if (type == "meeting.started" || type == "meeting.ended") {
    event.set_room_name(payload.NonEmptyString("room", kRequired));
    payload.String("meeting_id");
    payload.UnixSeconds("start_ts");
    payload.UnixSeconds("end_ts");
    if (!errors.ok()) return errors.status();
    event.set_type(type == "meeting.started" ? v1::EVENT_TYPE_MEETING_STARTED
                                             : v1::EVENT_TYPE_MEETING_ENDED);
  } else if (type == "recording.started") {
    event.set_room_name(payload.String("room_name"));
    v1::RecordingDetails* recording = event.mutable_recording();
    recording->set_provider_recording_id(payload.String("recording_id"));
    payload.String("instance_id");
    payload.UnixSeconds("start_ts");
    if (!errors.ok()) return errors.status();
    event.set_type(v1::EVENT_TYPE_RECORDING_STARTED);
  } else if (type == "recording.ready-to-download") {
    event.set_room_name(payload.NonEmptyString("room_name", kRequired));
    v1::RecordingDetails* recording = event.mutable_recording();
    recording->set_provider_recording_id(
        payload.NonEmptyString("recording_id", kRequired));
    recording->set_kind(KindOf(payload.String("type")));
    recording->set_s3_key(payload.String("s3_key"));
    recording->set_duration_seconds(payload.DurationSeconds("duration"));
    payload.UnixSeconds("start_ts");
    payload.String("status");
    payload.Int("max_participants", webhook_json::kOptional, 0);
    ReadTracks(payload, recording);
    if (!errors.ok()) return errors.status();
    event.set_type(v1::EVENT_TYPE_RECORDING_READY);
  } else if (type == "recording.error") {
    event.set_room_name(payload.String("room_name"));
    v1::RecordingDetails* recording = event.mutable_recording();
    recording->set_error_message(payload.String("error_msg"));
    payload.String("action");
    payload.String("instance_id");
    if (!errors.ok()) return errors.status();
    event.set_type(v1::EVENT_TYPE_RECORDING_FAILED);
  } else {
    parsed.ignore_reason =
        absl::StrCat("daily event type \"", type, "\" is not modelled");
  }
  return parsed;
}

}  // namespace videoplatform::providers
