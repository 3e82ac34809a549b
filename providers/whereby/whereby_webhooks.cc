#include "providers/whereby/whereby_webhooks.h"

#include <climits>
#include <string>

#include "absl/strings/str_cat.h"
#include "providers/webhook_json.h"

namespace videoplatform::providers {
namespace {

using ::nlohmann::json;
using webhook_json::FieldErrors;
using webhook_json::FieldReader;
using webhook_json::kRequired;

constexpr char kPlatform[] = "whereby";

}  // namespace

absl::StatusOr<ParsedWebhook> ParseWherebyWebhook(absl::string_view body) {
  json root;
  if (absl::Status status = webhook_json::ParseObject(kPlatform, body, &root);
      !status.ok()) {
    return status;
  }
  FieldErrors errors(kPlatform);
  FieldReader envelope(root, "", &errors);
  const std::string id = envelope.NonEmptyString("id", kRequired);
  const std::string type = envelope.NonEmptyString("type", kRequired);
  const absl::Time created = envelope.Rfc3339("createdAt", kRequired);
  envelope.String("apiVersion");
  const json* data_json = envelope.Object("data", kRequired);
  if (!errors.ok()) return errors.status();

  FieldReader data(*data_json, "data", &errors);
  ParsedWebhook parsed;
  v1::Event& event = parsed.event;
  event.set_platform(kPlatform);
  event.set_provider_event_id(id);
  event.set_provider_event_type(type);
  *event.mutable_event_time() = webhook_json::ToTimestamp(created);
  event.set_provider_meeting_id(data.String("meetingId"));
  event.set_room_name(data.String("roomName"));
  if (!errors.ok()) return errors.status();

  if (type == "room.client.joined" || type == "room.client.left") {
    data.NonEmptyString("meetingId", kRequired);
    const int64_t num_clients = data.Int("numClients", kRequired, 0, INT_MAX);
    v1::ParticipantDetails* participant = event.mutable_participant();
    participant->set_participant_id(data.String("participantId"));
    participant->set_user_id(data.String("externalId"));
    participant->set_user_name(data.String("displayName"));
    participant->set_role_name(data.String("roleName"));
    participant->set_session_id(data.String("roomSessionId"));
    if (!errors.ok()) return errors.status();
    event.set_type(type == "room.client.joined"
                       ? v1::EVENT_TYPE_PARTICIPANT_JOINED
                       : v1::EVENT_TYPE_PARTICIPANT_LEFT);
    event.set_num_clients(static_cast<int>(num_clients));
    parsed.num_clients = static_cast<int>(num_clients);
  } else if (type == "room.session.started" || type == "room.session.ended") {
    data.NonEmptyString("meetingId", kRequired);
    if (!errors.ok()) return errors.status();
    event.set_type(type == "room.session.started"
                       ? v1::EVENT_TYPE_MEETING_STARTED
                       : v1::EVENT_TYPE_MEETING_ENDED);
  } else if (type == "recording.finished") {
    v1::RecordingDetails* recording = event.mutable_recording();
    recording->set_provider_recording_id(data.String("recordingId"));
    recording->set_s3_key(data.NonEmptyString("filename", kRequired));
    recording->set_kind(v1::RECORDING_KIND_CLOUD);
    const std::string status = data.String("status");
    if (!errors.ok()) return errors.status();
    if (status.empty() || status == "completed") {
      event.set_type(v1::EVENT_TYPE_RECORDING_READY);
    } else {
      event.set_type(v1::EVENT_TYPE_RECORDING_FAILED);
      recording->set_error_message(
          absl::StrCat("Whereby reported recording status \"", status, "\""));
    }
  } else {
    parsed.ignore_reason =
        absl::StrCat("whereby event type \"", type, "\" is not modelled");
  }
  return parsed;
}

}  // namespace videoplatform::providers
