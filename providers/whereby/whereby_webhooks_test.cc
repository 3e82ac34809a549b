#include "providers/whereby/whereby_webhooks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "providers/whereby/whereby_provider.h"
#include "server/common/status_matchers.h"

namespace videoplatform::providers {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::videoplatform::testing::IsOk;

// "Zoë Ångström 李雷" in UTF-8, written out so the test does not depend on
// the source file's encoding.
const char kName[] =
    "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m \xe6\x9d\x8e\xe9\x9b\xb7";

// A room.client.joined body as Whereby sends it (provider-apis.md 1.2).
std::string JoinedBody() {
  return absl::StrCat(R"({
  "id": "c0ffee00-1111-4222-8333-444455556666",
  "apiVersion": "1.0",
  "createdAt": "2025-01-18T12:00:03.512Z",
  "type": "room.client.joined",
  "data": {
    "meetingId": "91234567",
    "roomName": "/reflector-room-3f2a7d10",
    "subdomain": "reflector",
    "numClients": 2,
    "numClientsByRoleName": {"host": 1, "visitor": 1},
    "roleName": "visitor",
    "displayName": ")",
                      kName, R"(",
    "participantId": "p-7c1e",
    "roomSessionId": "rs-42",
    "metadata": null,
    "externalId": "user-9",
    "isDialIn": false
  }
})");
}

// The body with `from` replaced by `to` (exactly once).
std::string Edit(const std::string& body, const std::string& from,
                 const std::string& to) {
  EXPECT_NE(body.find(from), std::string::npos) << from;
  return absl::StrReplaceAll(body, {{from, to}});
}

absl::Time EventTime(const v1::Event& event) {
  return absl::FromUnixSeconds(event.event_time().seconds()) +
         absl::Nanoseconds(event.event_time().nanos());
}

TEST(WherebyWebhooksTest, ParsesAJoin) {
  absl::StatusOr<ParsedWebhook> parsed = ParseWherebyWebhook(JoinedBody());
  ASSERT_THAT(parsed, IsOk());
  const v1::Event& event = parsed->event;
  EXPECT_EQ(event.type(), v1::EVENT_TYPE_PARTICIPANT_JOINED);
  EXPECT_EQ(event.platform(), "whereby");
  EXPECT_EQ(event.provider_event_id(), "c0ffee00-1111-4222-8333-444455556666");
  EXPECT_EQ(event.provider_event_type(), "room.client.joined");
  EXPECT_EQ(event.provider_meeting_id(), "91234567");
  EXPECT_EQ(event.room_name(), "/reflector-room-3f2a7d10");
  EXPECT_EQ(event.sequence(), 0);
  EXPECT_EQ(event.meeting_id(), "");
  absl::Time expected;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, "2025-01-18T12:00:03.512Z",
                              &expected, nullptr));
  EXPECT_EQ(EventTime(event), expected);
  EXPECT_EQ(event.num_clients(), 2);
  ASSERT_TRUE(parsed->num_clients.has_value());
  EXPECT_EQ(*parsed->num_clients, 2);
  EXPECT_EQ(parsed->ignore_reason, "");
  const v1::ParticipantDetails& participant = event.participant();
  EXPECT_EQ(participant.participant_id(), "p-7c1e");
  EXPECT_EQ(participant.user_id(), "user-9");
  EXPECT_EQ(participant.user_name(), kName);
  EXPECT_EQ(participant.role_name(), "visitor");
  EXPECT_EQ(participant.session_id(), "rs-42");
}

TEST(WherebyWebhooksTest, ParsesALeaveOfTheLastClient) {
  std::string body =
      Edit(JoinedBody(), "room.client.joined", "room.client.left");
  body = Edit(body, R"("numClients": 2)", R"("numClients": 0)");
  body = Edit(body, R"("externalId": "user-9")", R"("externalId": null)");
  body = Edit(body, R"("roomSessionId": "rs-42")", R"("roomSessionId": null)");
  absl::StatusOr<ParsedWebhook> parsed = ParseWherebyWebhook(body);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->event.type(), v1::EVENT_TYPE_PARTICIPANT_LEFT);
  EXPECT_EQ(parsed->num_clients, 0);
  EXPECT_EQ(parsed->event.participant().user_id(), "");
  EXPECT_EQ(parsed->event.participant().session_id(), "");
}

TEST(WherebyWebhooksTest, ParsesARecorderJoiningWithAnOffsetTime) {
  std::string body = Edit(JoinedBody(), R"("roleName": "visitor")",
                          R"("roleName": "recorder")");
  body = Edit(body, "2025-01-18T12:00:03.512Z", "2025-01-18T14:00:03+02:00");
  absl::StatusOr<ParsedWebhook> parsed = ParseWherebyWebhook(body);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->event.participant().role_name(), "recorder");
  EXPECT_EQ(
      parsed->event.event_time().seconds(),
      absl::ToUnixSeconds(absl::FromCivil(
          absl::CivilSecond(2025, 1, 18, 12, 0, 3), absl::UTCTimeZone())));
}

TEST(WherebyWebhooksTest, ParsesSessionStartAndEnd) {
  for (const auto& [type, expected] :
       {std::pair{"room.session.started", v1::EVENT_TYPE_MEETING_STARTED},
        std::pair{"room.session.ended", v1::EVENT_TYPE_MEETING_ENDED}}) {
    const std::string body = absl::StrCat(
        R"({"id":"ev-1","apiVersion":"1.0","createdAt":"2025-01-18T12:00:00Z",)",
        R"("type":")", type,
        R"(","data":{"meetingId":"91234567","roomName":"/r","subdomain":"s",)",
        R"("roomSessionId":"rs-1"}})");
    absl::StatusOr<ParsedWebhook> parsed = ParseWherebyWebhook(body);
    ASSERT_THAT(parsed, IsOk()) << type;
    EXPECT_EQ(parsed->event.type(), expected);
    EXPECT_FALSE(parsed->num_clients.has_value());
    EXPECT_EQ(parsed->event.provider_meeting_id(), "91234567");
  }
}

TEST(WherebyWebhooksTest, ParsesAFinishedRecording) {
  const std::string body = R"({
    "id": "ev-rec", "apiVersion": "1.0",
    "createdAt": "2025-01-18T13:00:00.000Z", "type": "recording.finished",
    "data": {"meetingId": "91234567", "roomName": "/reflector-room-3f2a7d10",
             "subdomain": "reflector",
             "filename": "reflector-room-3f2a7d10-2025-01-18T12:00:00Z.mp4",
             "recordingId": "rec-77", "status": "completed"}})";
  absl::StatusOr<ParsedWebhook> parsed = ParseWherebyWebhook(body);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->event.type(), v1::EVENT_TYPE_RECORDING_READY);
  const v1::RecordingDetails& recording = parsed->event.recording();
  EXPECT_EQ(recording.provider_recording_id(), "rec-77");
  EXPECT_EQ(recording.s3_key(),
            "reflector-room-3f2a7d10-2025-01-18T12:00:00Z.mp4");
  EXPECT_EQ(recording.kind(), v1::RECORDING_KIND_CLOUD);

  absl::StatusOr<ParsedWebhook> failed = ParseWherebyWebhook(
      Edit(body, R"("status": "completed")", R"("status": "failed")"));
  ASSERT_THAT(failed, IsOk());
  EXPECT_EQ(failed->event.type(), v1::EVENT_TYPE_RECORDING_FAILED);
  EXPECT_THAT(failed->event.recording().error_message(), HasSubstr("failed"));
}

TEST(WherebyWebhooksTest, IgnoresTypesItDoesNotModel) {
  for (const char* type :
       {"room.client.knocked", "room.client.knockCancelled",
        "transcription.started", "transcription.finished",
        "transcription.failed", "assistant.requested", "something.new"}) {
    const std::string body = absl::StrCat(
        R"({"id":"ev-2","apiVersion":"1.0","createdAt":"2025-01-18T12:00:00Z",)",
        R"("type":")", type, R"(","data":{"roomName":"/r","subdomain":"s"}})");
    absl::StatusOr<ParsedWebhook> parsed = ParseWherebyWebhook(body);
    ASSERT_THAT(parsed, IsOk()) << type;
    EXPECT_EQ(parsed->event.type(), v1::EVENT_TYPE_UNSPECIFIED);
    EXPECT_THAT(parsed->ignore_reason, HasSubstr(type));
    EXPECT_EQ(parsed->event.provider_event_id(), "ev-2");
    EXPECT_EQ(parsed->event.provider_event_type(), type);
  }
}

// A verified body that cannot be read is ignored (an error answer would
// only make Whereby retry), with the reason.
ParsedWebhook ExpectIgnored(const std::string& body,
                            const std::string& message) {
  absl::StatusOr<ParsedWebhook> parsed = ParseWherebyWebhook(body);
  EXPECT_THAT(parsed, IsOk()) << body;
  if (!parsed.ok()) return ParsedWebhook();
  EXPECT_EQ(parsed->event.type(), v1::EVENT_TYPE_UNSPECIFIED) << body;
  EXPECT_THAT(parsed->ignore_reason,
              AllOf(StartsWith("whereby webhook: "), HasSubstr(message)))
      << body;
  EXPECT_FALSE(parsed->event.has_participant()) << body;
  EXPECT_FALSE(parsed->event.has_recording()) << body;
  EXPECT_FALSE(parsed->num_clients.has_value()) << body;
  EXPECT_EQ(parsed->event.platform(), "whereby");
  return *parsed;
}

TEST(WherebyWebhooksTest, IgnoresBodiesThatAreNotTheEnvelope) {
  const struct {
    std::string body;
    std::string message;
  } kCases[] = {
      {"", "not valid JSON"},
      {"{\"id\": ", "not valid JSON"},
      {"[1, 2]", "not a JSON object"},
      {"\"text\"", "not a JSON object"},
      {"null", "not a JSON object"},
      {"{}", "id: is required"},
      // Invalid UTF-8 inside a string.
      {"{\"id\": \"\xff\xfe\"}", "not valid JSON"},
  };
  for (const auto& c : kCases) ExpectIgnored(c.body, c.message);
}

// Unmodelled types may carry anything: nothing past id and type is read.
TEST(WherebyWebhooksTest, UnmodelledTypesWithOddFieldsAreIgnoredByType) {
  absl::StatusOr<ParsedWebhook> parsed = ParseWherebyWebhook(
      R"({"id":"ev-3","apiVersion":2,"createdAt":17,"type":"room.new.thing",
          "data":{"meetingId":91234567,"roomName":["x"]}})");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->event.type(), v1::EVENT_TYPE_UNSPECIFIED);
  EXPECT_EQ(parsed->event.provider_event_id(), "ev-3");
  EXPECT_THAT(parsed->ignore_reason,
              HasSubstr("\"room.new.thing\" is not modelled"));
}

TEST(WherebyWebhooksTest, IgnoresEventsMissingWhatTheyNeed) {
  const std::string body = JoinedBody();
  const struct {
    std::string from;
    std::string to;
    std::string message;
  } kCases[] = {
      {R"("id": "c0ffee00-1111-4222-8333-444455556666")", R"("id": 17)",
       "id: must be a string"},
      {R"("id": "c0ffee00-1111-4222-8333-444455556666")", R"("id": "")",
       "id: must not be empty"},
      {R"("type": "room.client.joined")", R"("type": null)",
       "type: is required"},
      {R"("createdAt": "2025-01-18T12:00:03.512Z")",
       R"("createdAt": "yesterday")", "createdAt: must be an RFC 3339 time"},
      {R"("createdAt": "2025-01-18T12:00:03.512Z")",
       R"("createdAt": 1737201603)", "createdAt: must be an RFC 3339 time"},
      {R"("meetingId": "91234567")", R"("meetingId": 91234567)",
       "data.meetingId: must be a string"},
      {R"("meetingId": "91234567",)", "", "data.meetingId: is required"},
      {R"("numClients": 2)", R"("numClients": "2")",
       "data.numClients: must be an integer"},
      {R"("numClients": 2)", R"("numClients": 2.5)",
       "data.numClients: must be an integer"},
      {R"("numClients": 2)", R"("numClients": -1)",
       "data.numClients: must be in"},
      {R"("numClients": 2)", R"("numClients": 99999999999)",
       "data.numClients: must be in"},
      {R"("numClients": 2,)", "", "data.numClients: is required"},
  };
  for (const auto& c : kCases)
    ExpectIgnored(Edit(body, c.from, c.to), c.message);
  // The id is kept when it can be read: a re-delivery is a duplicate.
  EXPECT_EQ(ExpectIgnored(Edit(body, R"("numClients": 2,)", ""), "numClients")
                .event.provider_event_id(),
            "c0ffee00-1111-4222-8333-444455556666");
  ExpectIgnored(R"({"id":"e","apiVersion":"1.0",
      "createdAt":"2025-01-18T12:00:00Z","type":"room.client.joined",
      "data":[]})",
                "data: must be an object");
  // An integral float is an integer.
  EXPECT_EQ(ParseWherebyWebhook(
                Edit(body, R"("numClients": 2)", R"("numClients": 2.0)"))
                ->event.type(),
            v1::EVENT_TYPE_PARTICIPANT_JOINED);
}

// Optional fields of the wrong type count as absent: the join still counts.
TEST(WherebyWebhooksTest, OptionalFieldsOfTheWrongTypeAreDropped) {
  const std::string body = JoinedBody();
  const std::pair<std::string, std::string> kCases[] = {
      {R"("apiVersion": "1.0")", R"("apiVersion": 1.0)"},
      {absl::StrCat(R"("displayName": ")", kName, R"(")"),
       R"("displayName": ["x"])"},
      {R"("roleName": "visitor")", R"("roleName": {})"},
      {R"("roomName": "/reflector-room-3f2a7d10")", R"("roomName": 3)"},
  };
  for (const auto& [from, to] : kCases) {
    absl::StatusOr<ParsedWebhook> parsed =
        ParseWherebyWebhook(Edit(body, from, to));
    ASSERT_THAT(parsed, IsOk()) << to;
    EXPECT_EQ(parsed->event.type(), v1::EVENT_TYPE_PARTICIPANT_JOINED) << to;
    EXPECT_EQ(parsed->num_clients, 2) << to;
    EXPECT_EQ(parsed->ignore_reason, "") << to;
  }
}

TEST(WherebyWebhooksTest, TheProviderParsesWithTheseRules) {
  WherebyOptions options;
  options.api_key = "key";
  absl::StatusOr<std::unique_ptr<VideoPlatform>> provider =
      NewWherebyProvider(options);
  ASSERT_THAT(provider, IsOk());
  absl::StatusOr<ParsedWebhook> parsed =
      (*provider)->ParseWebhook(JoinedBody());
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->event.SerializeAsString(),
            ParseWherebyWebhook(JoinedBody())->event.SerializeAsString());
  absl::StatusOr<ParsedWebhook> ignored = (*provider)->ParseWebhook("[]");
  ASSERT_THAT(ignored, IsOk());
  EXPECT_THAT(ignored->ignore_reason, HasSubstr("not a JSON object"));
}

}  // namespace
}  // namespace videoplatform::providers
