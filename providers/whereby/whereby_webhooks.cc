#include "providers/whereby/whereby_webhooks.h"

#include <climits>
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

constexpr char kPlatform[] = "whereby";

}  // namespace

absl::StatusOr<ParsedWebhook> ParseWherebyWebhook(absl::string_view body) {
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
  // The id first: it is the de-duplication key even when nothing else can
  // be read.
  event.set_provider_event_id(envelope.NonEmptyString("id", kRequired));
  event.set_provider_event_type(envelope.NonEmptyString("type", kRequired));
  if (!errors.ok()) return webhook_json::Ignore(std::move(parsed), errors);
  const std::string type = event.provider_event_type();
  const bool participant_event =
      type == "room.client.joined" || type == "room.client.left";
  const bool session_event =
      type == "room.session.started" || type == "room.session.ended";
  const bool recording_event = type == "recording.finished";
  if (!participant_event && !session_event && !recording_event) {
    // Read nothing more: a type the service does not model may carry
    // anything.
    parsed.ignore_reason =
        absl::StrCat("whereby event type \"", type, "\" is not modelled");
    return parsed;
  }

  const absl::Time created = envelope.Rfc3339("createdAt", kRequired);
  const json* data_json = envelope.Object("data", kRequired);
  if (!errors.ok()) return webhook_json::Ignore(std::move(parsed), errors);
  *event.mutable_event_time() = webhook_json::ToTimestamp(created);
  FieldReader data(*data_json, "data", &errors);
  event.set_room_name(data.String("roomName"));

  if (participant_event) {
    event.set_provider_meeting_id(data.NonEmptyString("meetingId", kRequired));
    const int64_t num_clients = data.Int("numClients", kRequired, 0, INT_MAX);
    v1::ParticipantDetails* participant = event.mutable_participant();
    participant->set_participant_id(data.String("participantId"));
    participant->set_user_id(data.String("externalId"));
    participant->set_user_name(data.String("displayName"));
    participant->set_role_name(data.String("roleName"));
    participant->set_session_id(data.String("roomSessionId"));
    if (!errors.ok()) return webhook_json::Ignore(std::move(parsed), errors);
    event.set_type(type == "room.client.joined"
                       ? v1::EVENT_TYPE_PARTICIPANT_JOINED
                       : v1::EVENT_TYPE_PARTICIPANT_LEFT);
    event.set_num_clients(static_cast<int>(num_clients));
    parsed.num_clients = static_cast<int>(num_clients);
  } else if (session_event) {
    event.set_provider_meeting_id(data.NonEmptyString("meetingId", kRequired));
    if (!errors.ok()) return webhook_json::Ignore(std::move(parsed), errors);
    event.set_type(type == "room.session.started"
                       ? v1::EVENT_TYPE_MEETING_STARTED
                       : v1::EVENT_TYPE_MEETING_ENDED);
  } else {
    event.set_provider_meeting_id(data.String("meetingId"));
    v1::RecordingDetails* recording = event.mutable_recording();
    recording->set_provider_recording_id(data.String("recordingId"));
    recording->set_s3_key(data.NonEmptyString("filename", kRequired));
    recording->set_kind(v1::RECORDING_KIND_CLOUD);
    const std::string status = data.String("status");
    if (!errors.ok()) return webhook_json::Ignore(std::move(parsed), errors);
    if (status.empty() || status == "completed") {
      event.set_type(v1::EVENT_TYPE_RECORDING_READY);
    } else {
      event.set_type(v1::EVENT_TYPE_RECORDING_FAILED);
      recording->set_error_message(
          absl::StrCat("Whereby reported recording status \"", status, "\""));
    }
  }
  return parsed;
}

}  // namespace videoplatform::providers
