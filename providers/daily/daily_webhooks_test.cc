#include "providers/daily/daily_webhooks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "providers/daily/daily_provider.h"
#include "server/common/status_matchers.h"

namespace videoplatform::providers {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::videoplatform::testing::IsOk;

// "Zoë Ångström 李雷" in UTF-8.
const char kName[] =
    "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m \xe6\x9d\x8e\xe9\x9b\xb7";

// participant.joined as Daily sends it (provider-apis.md 2.3).
std::string JoinedBody() {
  return absl::StrCat(R"({
  "version": "1.0.0",
  "type": "participant.joined",
  "id": "ptcpt-join-6497c79b-f326-4942-aef8-c36a29140ad1-1708972279961",
  "payload": {
    "room": "standup-20250118120000",
    "user_id": "6497c79b-f326-4942-aef8-c36a29140ad1",
    "user_name": ")",
                      kName, R"(",
    "session_id": "0c0d2dda-f21d-4cf9-ab56-86bf3c407ffa",
    "joined_at": 1708972279.96,
    "will_eject_at": 1708972299.541,
    "owner": false,
    "permissions": {"hasPresence": true, "canSend": true, "canAdmin": false}
  },
  "event_ts": 1708972279.961
})");
}

std::string Edit(const std::string& body, const std::string& from,
                 const std::string& to) {
  EXPECT_NE(body.find(from), std::string::npos) << from;
  return absl::StrReplaceAll(body, {{from, to}});
}

absl::Time EventTime(const v1::Event& event) {
  return absl::FromUnixSeconds(event.event_time().seconds()) +
         absl::Nanoseconds(event.event_time().nanos());
}

TEST(DailyWebhooksTest, ParsesAJoin) {
  absl::StatusOr<ParsedWebhook> parsed = ParseDailyWebhook(JoinedBody());
  ASSERT_THAT(parsed, IsOk());
  const v1::Event& event = parsed->event;
  EXPECT_EQ(event.type(), v1::EVENT_TYPE_PARTICIPANT_JOINED);
  EXPECT_EQ(event.platform(), "daily");
  EXPECT_EQ(event.provider_event_id(),
            "ptcpt-join-6497c79b-f326-4942-aef8-c36a29140ad1-1708972279961");
  EXPECT_EQ(event.provider_event_type(), "participant.joined");
  EXPECT_EQ(event.room_name(), "standup-20250118120000");
  EXPECT_EQ(event.provider_meeting_id(), "");
  EXPECT_EQ(EventTime(event), absl::FromUnixMillis(1708972279961));
  EXPECT_FALSE(parsed->num_clients.has_value());
  EXPECT_EQ(parsed->ignore_reason, "");
  EXPECT_EQ(event.participant().participant_id(),
            "0c0d2dda-f21d-4cf9-ab56-86bf3c407ffa");
  EXPECT_EQ(event.participant().user_id(),
            "6497c79b-f326-4942-aef8-c36a29140ad1");
  EXPECT_EQ(event.participant().user_name(), kName);
}

TEST(DailyWebhooksTest, ParsesALeaveWithNullNames) {
  std::string body = Edit(JoinedBody(), R"("type": "participant.joined")",
                          R"("type": "participant.left")");
  body = Edit(body, R"("owner": false,)", R"("owner": false, "duration": 31,)");
  body = Edit(body, R"("user_id": "6497c79b-f326-4942-aef8-c36a29140ad1")",
              R"("user_id": null)");
  body = Edit(body, absl::StrCat(R"("user_name": ")", kName, R"(")"),
              R"("user_name": null)");
  absl::StatusOr<ParsedWebhook> parsed = ParseDailyWebhook(body);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->event.type(), v1::EVENT_TYPE_PARTICIPANT_LEFT);
  EXPECT_EQ(parsed->event.participant().user_id(), "");
  EXPECT_EQ(parsed->event.participant().user_name(), "");
}

TEST(DailyWebhooksTest, ParsesMeetingStartAndEnd) {
  absl::StatusOr<ParsedWebhook> started = ParseDailyWebhook(R"({
    "version": "1.0.0", "type": "meeting.started",
    "id": "mtg-start-1", "event_ts": 1708972200,
    "payload": {"start_ts": 1708972200, "meeting_id": "m-uuid",
                "room": "standup-20250118120000"}})");
  ASSERT_THAT(started, IsOk());
  EXPECT_EQ(started->event.type(), v1::EVENT_TYPE_MEETING_STARTED);
  EXPECT_EQ(started->event.room_name(), "standup-20250118120000");
  EXPECT_EQ(started->event.event_time().seconds(), 1708972200);
  EXPECT_EQ(started->event.event_time().nanos(), 0);

  absl::StatusOr<ParsedWebhook> ended = ParseDailyWebhook(R"({
    "version": "1.0.0", "type": "meeting.ended",
    "id": "mtg-end-1", "event_ts": 1708975800.25,
    "payload": {"start_ts": 1708972200, "end_ts": 1708975800,
                "meeting_id": "m-uuid", "room": "standup-20250118120000"}})");
  ASSERT_THAT(ended, IsOk());
  EXPECT_EQ(ended->event.type(), v1::EVENT_TYPE_MEETING_ENDED);
  EXPECT_EQ(ended->event.event_time().nanos(), 250000000);
}

TEST(DailyWebhooksTest, ParsesRecordingEvents) {
  absl::StatusOr<ParsedWebhook> started = ParseDailyWebhook(R"({
    "version": "1.0.0", "type": "recording.started", "id": "rec-start-1",
    "event_ts": 1708972300.5,
    "payload": {"recording_id": "rec-uuid", "action": "cloud-recording-started",
                "layout": {"preset": "default"}, "started_by": "user-1",
                "instance_id": "inst-1", "start_ts": 1708972300,
                "room_name": "standup-20250118120000"}})");
  ASSERT_THAT(started, IsOk());
  EXPECT_EQ(started->event.type(), v1::EVENT_TYPE_RECORDING_STARTED);
  EXPECT_EQ(started->event.recording().provider_recording_id(), "rec-uuid");
  EXPECT_EQ(started->event.room_name(), "standup-20250118120000");

  const std::string ready_body = R"({
    "version": "1.0.0", "type": "recording.ready-to-download",
    "id": "rec-ready-1", "event_ts": 1708975900.0,
    "payload": {"type": "raw-tracks", "recording_id": "rec-uuid",
                "room_name": "standup-20250118120000", "start_ts": 1708972300,
                "status": "finished", "max_participants": 3, "duration": 3600,
                "s3_key": "reflector/standup-20250118120000/1708972300000",
                "tracks": [
                  {"type": "audio",
                   "s3Key": "reflector/standup-20250118120000/1708972300000-p1-cam-audio-1708972301000",
                   "size": 123456},
                  {"type": "video", "s3Key": "k2", "size": 9876543210}]}})";
  absl::StatusOr<ParsedWebhook> ready = ParseDailyWebhook(ready_body);
  ASSERT_THAT(ready, IsOk());
  EXPECT_EQ(ready->event.type(), v1::EVENT_TYPE_RECORDING_READY);
  const v1::RecordingDetails& recording = ready->event.recording();
  EXPECT_EQ(recording.kind(), v1::RECORDING_KIND_RAW_TRACKS);
  EXPECT_EQ(recording.provider_recording_id(), "rec-uuid");
  EXPECT_EQ(recording.s3_key(),
            "reflector/standup-20250118120000/1708972300000");
  EXPECT_EQ(recording.duration_seconds(), 3600);
  ASSERT_EQ(recording.tracks_size(), 2);
  EXPECT_EQ(recording.tracks(0).type(), "audio");
  EXPECT_EQ(recording.tracks(0).s3_key(),
            "reflector/standup-20250118120000/"
            "1708972300000-p1-cam-audio-1708972301000");
  EXPECT_EQ(recording.tracks(0).size_bytes(), 123456);
  EXPECT_EQ(recording.tracks(1).size_bytes(), 9876543210);

  for (const auto& [type, kind] :
       {std::pair{"cloud", v1::RECORDING_KIND_CLOUD},
        std::pair{"cloud-audio-only", v1::RECORDING_KIND_CLOUD_AUDIO_ONLY},
        std::pair{"something-new", v1::RECORDING_KIND_UNSPECIFIED}}) {
    absl::StatusOr<ParsedWebhook> other =
        ParseDailyWebhook(Edit(ready_body, R"("type": "raw-tracks")",
                               absl::StrCat(R"("type": ")", type, R"(")")));
    ASSERT_THAT(other, IsOk());
    EXPECT_EQ(other->event.recording().kind(), kind) << type;
  }

  absl::StatusOr<ParsedWebhook> error = ParseDailyWebhook(R"({
    "version": "1.0.0", "type": "recording.error", "id": "rec-err-1",
    "event_ts": 1708972400,
    "payload": {"action": "cloud-recording-error",
                "error_msg": "bucket access denied", "instance_id": "inst-1",
                "room_name": "standup-20250118120000",
                "timestamp": 1708972400}})");
  ASSERT_THAT(error, IsOk());
  EXPECT_EQ(error->event.type(), v1::EVENT_TYPE_RECORDING_FAILED);
  EXPECT_EQ(error->event.recording().error_message(), "bucket access denied");
  EXPECT_EQ(error->event.room_name(), "standup-20250118120000");
}

TEST(DailyWebhooksTest, IgnoresTheTestPingAndUnknownTypes) {
  absl::StatusOr<ParsedWebhook> ping = ParseDailyWebhook(R"({"test":"test"})");
  ASSERT_THAT(ping, IsOk());
  EXPECT_EQ(ping->event.type(), v1::EVENT_TYPE_UNSPECIFIED);
  EXPECT_EQ(ping->event.provider_event_id(), "");
  EXPECT_THAT(ping->ignore_reason, HasSubstr("test ping"));

  absl::StatusOr<ParsedWebhook> other = ParseDailyWebhook(R"({
    "version": "1.0.0", "type": "waiting-participant.joined", "id": "w-1",
    "event_ts": 1708972400, "payload": {"room": "r"}})");
  ASSERT_THAT(other, IsOk());
  EXPECT_EQ(other->event.type(), v1::EVENT_TYPE_UNSPECIFIED);
  EXPECT_THAT(other->ignore_reason, HasSubstr("waiting-participant.joined"));
  EXPECT_EQ(other->event.provider_event_id(), "w-1");
}

// A verified body that cannot be read is ignored (never an error: Daily
// counts error answers toward its circuit breaker), with the reason.
ParsedWebhook ExpectIgnored(const std::string& body,
                            const std::string& message) {
  absl::StatusOr<ParsedWebhook> parsed = ParseDailyWebhook(body);
  EXPECT_THAT(parsed, IsOk()) << body;
  if (!parsed.ok()) return ParsedWebhook();
  EXPECT_EQ(parsed->event.type(), v1::EVENT_TYPE_UNSPECIFIED) << body;
  EXPECT_THAT(parsed->ignore_reason,
              AllOf(StartsWith("daily webhook: "), HasSubstr(message)))
      << body;
  EXPECT_FALSE(parsed->event.has_participant()) << body;
  EXPECT_FALSE(parsed->event.has_recording()) << body;
  EXPECT_EQ(parsed->event.platform(), "daily");
  return *parsed;
}

TEST(DailyWebhooksTest, IgnoresBodiesThatAreNotTheEnvelope) {
  const struct {
    std::string body;
    std::string message;
  } kCases[] = {
      {"", "not valid JSON"},
      {"{\"type\":", "not valid JSON"},
      {"[]", "not a JSON object"},
      {"42", "not a JSON object"},
      {"{}", "id: is required"},
      {R"({"id":"x","type":"participant.joined","payload":{}})",
       "event_ts: is required"},
      {R"({"id":"x","type":"participant.joined","event_ts":1})",
       "payload: is required"},
      {R"({"id":"x","type":"meeting.started","event_ts":1,"payload":"p"})",
       "payload: must be an object"},
      {R"({"test":"test","id":"x","type":7})", "type: must be a string"},
  };
  for (const auto& c : kCases) ExpectIgnored(c.body, c.message);
  // The id is kept when it can be read: a re-delivery is a duplicate.
  EXPECT_EQ(ExpectIgnored(R"({"id":"x","type":"participant.joined",
                              "event_ts":1})",
                          "payload")
                .event.provider_event_id(),
            "x");
}

// Unmodelled types may carry anything: nothing past id and type is read.
TEST(DailyWebhooksTest, UnmodelledTypesWithOddFieldsAreIgnoredByType) {
  absl::StatusOr<ParsedWebhook> parsed = ParseDailyWebhook(
      R"({"version":3,"type":"transcription.started","id":"t-1",
          "event_ts":"soon","payload":[1,2]})");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->event.type(), v1::EVENT_TYPE_UNSPECIFIED);
  EXPECT_EQ(parsed->event.provider_event_id(), "t-1");
  EXPECT_THAT(parsed->ignore_reason,
              HasSubstr("\"transcription.started\" is not modelled"));
}

TEST(DailyWebhooksTest, IgnoresEventsMissingWhatTheyNeed) {
  const std::string body = JoinedBody();
  const struct {
    std::string from;
    std::string to;
    std::string message;
  } kCases[] = {
      {R"("event_ts": 1708972279.961)", R"("event_ts": "1708972279.961")",
       "event_ts: must be a number"},
      {R"("event_ts": 1708972279.961)", R"("event_ts": -5)",
       "event_ts: must be a number"},
      {R"("event_ts": 1708972279.961)", R"("event_ts": 1e300)",
       "event_ts: must be a number"},
      {R"("room": "standup-20250118120000")", R"("room": 12)",
       "payload.room: must be a string"},
      {R"("session_id": "0c0d2dda-f21d-4cf9-ab56-86bf3c407ffa")",
       R"("session_id": 77)", "payload.session_id: must be a string"},
      {R"("session_id": "0c0d2dda-f21d-4cf9-ab56-86bf3c407ffa")",
       R"("session_id": "")", "payload.session_id: must not be empty"},
      {R"("session_id": "0c0d2dda-f21d-4cf9-ab56-86bf3c407ffa",)", "",
       "payload.session_id: is required"},
  };
  for (const auto& c : kCases) {
    const ParsedWebhook ignored =
        ExpectIgnored(Edit(body, c.from, c.to), c.message);
    EXPECT_EQ(ignored.event.provider_event_id(),
              "ptcpt-join-6497c79b-f326-4942-aef8-c36a29140ad1-1708972279961");
  }
  ExpectIgnored(R"({"version":"1.0.0","type":"recording.ready-to-download",
        "id":"r","event_ts":1,"payload":{"room_name":"r"}})",
                "payload.recording_id: is required");
}

// Optional fields of the wrong type count as absent: the join still counts.
TEST(DailyWebhooksTest, OptionalFieldsOfTheWrongTypeAreDropped) {
  const std::string body = JoinedBody();
  const std::pair<std::string, std::string> kCases[] = {
      {R"("version": "1.0.0")", R"("version": 1)"},
      {absl::StrCat(R"("user_name": ")", kName, R"(")"), R"("user_name": 5)"},
      {R"("joined_at": 1708972279.96)", R"("joined_at": "noon")"},
      {R"("owner": false)", R"("owner": "no")"},
      {R"("user_id": "6497c79b-f326-4942-aef8-c36a29140ad1")",
       R"("user_id": {"a": 1})"},
  };
  for (const auto& [from, to] : kCases) {
    absl::StatusOr<ParsedWebhook> parsed =
        ParseDailyWebhook(Edit(body, from, to));
    ASSERT_THAT(parsed, IsOk()) << to;
    EXPECT_EQ(parsed->event.type(), v1::EVENT_TYPE_PARTICIPANT_JOINED) << to;
    EXPECT_EQ(parsed->event.participant().participant_id(),
              "0c0d2dda-f21d-4cf9-ab56-86bf3c407ffa");
    EXPECT_EQ(parsed->ignore_reason, "");
  }
  absl::StatusOr<ParsedWebhook> recording = ParseDailyWebhook(
      R"({"version":"1.0.0","type":"recording.ready-to-download",
        "id":"r","event_ts":1,"payload":{"recording_id":"x","room_name":"r",
        "duration":-3,"tracks":["k",{"type":"audio","s3Key":"k",
        "size":"big"}]}})");
  ASSERT_THAT(recording, IsOk());
  EXPECT_EQ(recording->event.type(), v1::EVENT_TYPE_RECORDING_READY);
  EXPECT_EQ(recording->event.recording().duration_seconds(), 0);
  ASSERT_EQ(recording->event.recording().tracks_size(), 1);
  EXPECT_EQ(recording->event.recording().tracks(0).s3_key(), "k");
  EXPECT_EQ(recording->event.recording().tracks(0).size_bytes(), 0);
}

TEST(DailyWebhooksTest, TheProviderParsesWithTheseRules) {
  DailyOptions options;
  options.api_key = "key";
  absl::StatusOr<std::unique_ptr<VideoPlatform>> provider =
      NewDailyProvider(options);
  ASSERT_THAT(provider, IsOk());
  absl::StatusOr<ParsedWebhook> parsed =
      (*provider)->ParseWebhook(JoinedBody());
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->event.SerializeAsString(),
            ParseDailyWebhook(JoinedBody())->event.SerializeAsString());
  absl::StatusOr<ParsedWebhook> ignored = (*provider)->ParseWebhook("[]");
  ASSERT_THAT(ignored, IsOk());
  EXPECT_THAT(ignored->ignore_reason, HasSubstr("not a JSON object"));
}

}  // namespace
}  // namespace videoplatform::providers
