#include "providers/daily/daily_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "providers/http/openssl_cli.h"
#include "server/common/status_matchers.h"
#include "tests/fakes/daily_fake.h"

namespace videoplatform::providers {
namespace {

using ::nlohmann::json;
using ::testing::_;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::videoplatform::fakes::DailyFake;
using ::videoplatform::fakes::DailyFakeOptions;
using ::videoplatform::fakes::Fault;
using ::videoplatform::providers::http::testing::
    CliHmacSha256Base64WithBase64Key;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

constexpr char kApiKey[] = "dly_KEY_do-not-leak_0987";
constexpr char kInstanceId[] = "6f1c8a43-2f0e-4f5c-9a57-3a1f2c4d5e6f";
// The provider's clock: room names end in -20250118120000-<random>.
const absl::Time kCreateTime = absl::FromUnixSeconds(1737201600);
constexpr char kRoomNamePattern[] = "Team-Standup-20250118120000-[a-z0-9]{10}";

class DailyProviderTest : public ::testing::Test {
 protected:
  DailyProviderTest() : fake_(FakeOptions()) {}

  static DailyFakeOptions FakeOptions() {
    DailyFakeOptions options;
    options.api_key = kApiKey;
    return options;
  }

  void SetUp() override {
    ASSERT_THAT(fake_.Start(), IsOk());
    provider_ = NewProvider(kApiKey, /*with_bucket=*/true);
    ASSERT_NE(provider_, nullptr);
  }
  void TearDown() override { provider_.reset(); }

  std::unique_ptr<VideoPlatform> NewProvider(const std::string& key,
                                             bool with_bucket) {
    DailyOptions options;
    options.api_key = key;
    options.api_url = fake_.base_url();
    if (with_bucket) {
      options.recordings_bucket = DailyRecordingsBucket{
          "reflector-daily", "eu-west-1",
          "arn:aws:iam::123456789012:role/daily-recordings"};
    }
    options.http.retry.max_attempts = 3;
    options.http.retry.initial_backoff = absl::Milliseconds(10);
    options.http.retry.max_backoff = absl::Milliseconds(40);
    options.clock = [] { return kCreateTime; };
    auto provider = NewDailyProvider(std::move(options));
    EXPECT_THAT(provider, IsOk());
    return provider.ok() ? std::move(*provider) : nullptr;
  }

  static MeetingSpec Spec() {
    MeetingSpec spec;
    spec.room_id = "room-1";
    spec.room_name = "Team-Standup";
    spec.is_locked = true;
    spec.room_mode = v1::ROOM_MODE_GROUP;
    spec.recording_type = v1::RECORDING_TYPE_CLOUD;
    spec.recording_trigger = v1::RECORDING_TRIGGER_AUTOMATIC;
    spec.end_time = absl::FromUnixSeconds(
        absl::ToUnixSeconds(absl::Now() + absl::Hours(8)));
    return spec;
  }

  static CallContext Within(absl::Duration d) {
    return CallContext{absl::Now() + d};
  }

  CreatedMeeting MustCreate(const MeetingSpec& spec) {
    auto meeting = provider_->CreateMeeting(spec, Within(absl::Seconds(5)));
    EXPECT_THAT(meeting, IsOk());
    return meeting.ok() ? *meeting : CreatedMeeting{};
  }

  static DailyFake::Participant Participant(std::string id, std::string session,
                                            absl::Time joined) {
    DailyFake::Participant p;
    p.id = std::move(id);
    p.user_id = "user-" + p.id;
    p.user_name = "Zoë " + p.id;
    p.session_id = std::move(session);
    p.join_time = joined;
    p.duration_seconds = 120;
    return p;
  }

  DailyFake fake_;
  std::unique_ptr<VideoPlatform> provider_;
};

TEST_F(DailyProviderTest, CreateMeetingSendsTheDocumentedRequests) {
  const MeetingSpec spec = Spec();
  const CreatedMeeting meeting = MustCreate(spec);
  const int64_t exp = absl::ToUnixSeconds(spec.end_time);

  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(2));
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v1/rooms");
  EXPECT_EQ(requests[0].Header("authorization"),
            absl::StrCat("Bearer ", kApiKey));
  EXPECT_EQ(requests[0].Header("content-type"), "application/json");
  const std::string name = requests[0].Json().value("name", "");
  EXPECT_THAT(name, MatchesRegex(kRoomNamePattern));
  const json expected_room = {
      {"name", name},
      {"privacy", "private"},
      {"properties",
       {{"exp", exp},
        {"enable_chat", true},
        {"enable_screenshare", true},
        {"enable_knocking", true},
        {"start_video_off", false},
        {"start_audio_off", false},
        {"enable_recording", "cloud"},
        {"recordings_bucket",
         {{"bucket_name", "reflector-daily"},
          {"bucket_region", "eu-west-1"},
          {"assume_role_arn",
           "arn:aws:iam::123456789012:role/daily-recordings"},
          {"allow_api_access", true}}}}}};
  EXPECT_EQ(requests[0].Json(), expected_room) << requests[0].body;

  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].target, "/v1/meeting-tokens");
  EXPECT_EQ(requests[1].Header("authorization"),
            absl::StrCat("Bearer ", kApiKey));
  const json expected_token = {
      {"properties",
       {{"room_name", name}, {"exp", exp}, {"start_cloud_recording", true}}}};
  EXPECT_EQ(requests[1].Json(), expected_token) << requests[1].body;

  auto room = fake_.FindRoom(name);
  ASSERT_TRUE(room.has_value());
  auto tokens = fake_.tokens();
  ASSERT_THAT(tokens, SizeIs(1));
  EXPECT_EQ(meeting.provider_meeting_id, room->id);
  EXPECT_EQ(meeting.room_name, name);
  EXPECT_EQ(meeting.room_url, absl::StrCat("https://reflector.daily.co/", name,
                                           "?t=", tokens.begin()->first));
  EXPECT_EQ(meeting.host_room_url, meeting.room_url);
  EXPECT_EQ(meeting.end_time, spec.end_time);
  EXPECT_LT(absl::AbsDuration(meeting.start_time - room->created_at),
            absl::Milliseconds(1));
}

TEST_F(DailyProviderTest, UnlockedLocalRecordingRoom) {
  MeetingSpec spec = Spec();
  spec.is_locked = false;
  spec.recording_type = v1::RECORDING_TYPE_LOCAL;
  const CreatedMeeting meeting = MustCreate(spec);
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));  // No token without cloud recording.
  const json body = requests[0].Json();
  EXPECT_EQ(body["privacy"], "public");
  EXPECT_EQ(body["properties"]["enable_knocking"], false);
  EXPECT_EQ(body["properties"]["enable_recording"], "local");
  EXPECT_FALSE(body["properties"].contains("recordings_bucket"));
  EXPECT_EQ(meeting.room_url, absl::StrCat("https://reflector.daily.co/",
                                           body.value("name", "")));
  EXPECT_EQ(meeting.host_room_url, meeting.room_url);
}

TEST_F(DailyProviderTest, NoRecordingProperties) {
  MeetingSpec spec = Spec();
  spec.recording_type = v1::RECORDING_TYPE_NONE;
  MustCreate(spec);
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  const json properties = requests[0].Json()["properties"];
  EXPECT_FALSE(properties.contains("enable_recording"));
  EXPECT_FALSE(properties.contains("recordings_bucket"));
}

TEST_F(DailyProviderTest, CloudWithoutAutomaticTriggerGetsNoToken) {
  for (v1::RecordingTrigger trigger :
       {v1::RECORDING_TRIGGER_NONE, v1::RECORDING_TRIGGER_PROMPT}) {
    MeetingSpec spec = Spec();
    spec.room_name = absl::StrCat("r", static_cast<int>(trigger));
    spec.recording_trigger = trigger;
    const CreatedMeeting meeting = MustCreate(spec);
    EXPECT_THAT(meeting.room_url, Not(HasSubstr("?t=")));
  }
  for (const auto& r : fake_.requests()) {
    EXPECT_EQ(r.target, "/v1/rooms");
    EXPECT_EQ(r.Json()["properties"]["enable_recording"], "cloud");
  }
}

TEST_F(DailyProviderTest, SecondParticipantTriggerAlsoGetsAToken) {
  MeetingSpec spec = Spec();
  spec.recording_trigger = v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT;
  EXPECT_THAT(MustCreate(spec).room_url, HasSubstr("?t="));
}

TEST_F(DailyProviderTest, CloudWithoutABucketSendsNoBucket) {
  auto provider = NewProvider(kApiKey, /*with_bucket=*/false);
  MeetingSpec spec = Spec();
  spec.recording_trigger = v1::RECORDING_TRIGGER_PROMPT;
  ASSERT_THAT(provider->CreateMeeting(spec, Within(absl::Seconds(5))), IsOk());
  const json properties = fake_.requests()[0].Json()["properties"];
  EXPECT_EQ(properties["enable_recording"], "cloud");
  EXPECT_FALSE(properties.contains("recordings_bucket"));
}

TEST(DailyRoomNameTest, RestrictsCharactersAndLength) {
  EXPECT_EQ(DailyRoomName("Team-Standup", kCreateTime, "u1"),
            "Team-Standup-20250118120000-u1");
  EXPECT_EQ(DailyRoomName("my room (2)", kCreateTime, "u1"),
            "my-room-2-20250118120000-u1");
  EXPECT_EQ(DailyRoomName("Zoë_x", kCreateTime, "u1"),
            "Zo-_x-20250118120000-u1");
  EXPECT_EQ(DailyRoomName("日本", kCreateTime, "u1"), "room-20250118120000-u1");
  const std::string name =
      DailyRoomName(std::string(200, 'a'), kCreateTime, "0123456789");
  EXPECT_EQ(name.size(), 128u);
  EXPECT_EQ(name, std::string(102, 'a') + "-20250118120000-0123456789");
}

TEST(DailyRoomNameTest, SuffixesAreRandomAndInDailysCharset) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string suffix = NewDailyRoomSuffix();
    EXPECT_THAT(suffix, MatchesRegex("[a-z0-9]{10}"));
    seen.insert(suffix);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST_F(DailyProviderTest, LongRoomNamesAreAccepted) {
  MeetingSpec spec = Spec();
  spec.room_name = std::string(150, 'x');
  EXPECT_EQ(MustCreate(spec).room_name.size(), 128u);
}

TEST_F(DailyProviderTest, PastEndTimeIsInvalidArgumentWithDailysText) {
  MeetingSpec spec = Spec();
  spec.end_time = absl::Now() - absl::Minutes(1);
  EXPECT_THAT(provider_->CreateMeeting(spec, Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("daily CreateMeeting: HTTP 400"),
                             HasSubstr("invalid-request-error: exp"))));
  EXPECT_EQ(fake_.request_count(), 1u);  // 400 is never retried.
}

TEST_F(DailyProviderTest, WrongKeyIsTheServicesKeyRefusedAndNeverEchoed) {
  const std::string wrong = "dly_WRONG_key_555";
  auto provider = NewProvider(wrong, true);
  EXPECT_THAT(provider->CreateMeeting(Spec(), Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("daily CreateMeeting: daily refused the "
                                       "service's API key (HTTP 401"),
                             HasSubstr("authentication-error"),
                             HasSubstr("check DAILY_API_KEY"),
                             Not(HasSubstr(wrong)), Not(HasSubstr(kApiKey)))));
  EXPECT_THAT(
      provider->StartRecording({"id", "room"}, "cloud", kInstanceId,
                               Within(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kFailedPrecondition, Not(HasSubstr(wrong))));
}

TEST_F(DailyProviderTest, CreateRetriedAfterALostAnswerFindsTheRoom) {
  fake_.AddFault(Fault::DropConnection().AfterHandling().For("POST", "/rooms"));
  MeetingSpec spec = Spec();
  spec.recording_type = v1::RECORDING_TYPE_NONE;
  const CreatedMeeting meeting = MustCreate(spec);
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(3));
  EXPECT_EQ(requests[0].target, "/v1/rooms");
  EXPECT_EQ(requests[1].target, "/v1/rooms");
  EXPECT_EQ(requests[2].method, "GET");
  EXPECT_EQ(requests[2].target,
            absl::StrCat("/v1/rooms/", requests[0].Json().value("name", "")));
  EXPECT_EQ(requests[1].Json(), requests[0].Json());  // The same name.
  EXPECT_THAT(fake_.rooms(), SizeIs(1));
  EXPECT_EQ(meeting.provider_meeting_id, fake_.rooms()[0].id);
}

TEST_F(DailyProviderTest, TwoCreatesForOneRoomInOneSecondGetTheirOwnRooms) {
  // The provider's clock is frozen: both creates happen in the same second.
  MeetingSpec spec = Spec();
  spec.recording_type = v1::RECORDING_TYPE_NONE;
  const CreatedMeeting first = MustCreate(spec);
  const CreatedMeeting second = MustCreate(spec);
  EXPECT_THAT(first.room_name, MatchesRegex(kRoomNamePattern));
  EXPECT_THAT(second.room_name, MatchesRegex(kRoomNamePattern));
  EXPECT_NE(first.room_name, second.room_name);
  EXPECT_NE(first.provider_meeting_id, second.provider_meeting_id);
  EXPECT_THAT(fake_.rooms(), SizeIs(2));
}

TEST_F(DailyProviderTest, ARetryNeverAdoptsAnotherCallsRoom) {
  MeetingSpec spec = Spec();
  spec.recording_type = v1::RECORDING_TYPE_NONE;
  const CreatedMeeting first = MustCreate(spec);
  // The second create's first attempt fails before Daily acts on it; its
  // retry must create its own room, not take the first call's.
  fake_.AddFault(Fault::Status(500).For("POST", "/rooms"));
  const CreatedMeeting second = MustCreate(spec);
  EXPECT_NE(second.room_name, first.room_name);
  EXPECT_NE(second.provider_meeting_id, first.provider_meeting_id);
  EXPECT_THAT(fake_.rooms(), SizeIs(2));
  for (const auto& r : fake_.requests()) EXPECT_NE(r.method, "GET");
}

TEST_F(DailyProviderTest, ANameTakenOnTheFirstAttemptIsAbortedNotAdopted) {
  // As if the random suffix collided with another call's room.
  Fault taken = Fault::Status(400).For("POST", "/rooms");
  taken.body = json{{"error", "invalid-request-error"},
                    {"info", "a room named x already exists"}}
                   .dump();
  fake_.AddFault(taken);
  MeetingSpec spec = Spec();
  spec.recording_type = v1::RECORDING_TYPE_NONE;
  EXPECT_THAT(provider_->CreateMeeting(spec, Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kAborted,
                       HasSubstr("is already taken; retry the call")));
  ASSERT_THAT(fake_.requests(), SizeIs(1));  // No GET of the room.
}

TEST_F(DailyProviderTest, TokenFailureDeletesTheRoom) {
  fake_.AddFault(Fault::Status(500, 100).For("POST", "/meeting-tokens"));
  EXPECT_THAT(provider_->CreateMeeting(Spec(), Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("daily CreateMeeting: HTTP 500")));
  auto room = fake_.FindRoom(fake_.requests()[0].Json().value("name", ""));
  ASSERT_TRUE(room.has_value());
  EXPECT_TRUE(room->deleted);
  EXPECT_EQ(fake_.requests().back().method, "DELETE");
}

TEST_F(DailyProviderTest, GetRoomSessionsGroupsPresenceBySession) {
  const CreatedMeeting meeting = MustCreate(Spec());
  const absl::Time t0 = absl::FromUnixSeconds(1737201600);
  fake_.SetPresence(meeting.room_name,
                    {Participant("p2", "mtg-b", t0 + absl::Minutes(5)),
                     Participant("p1", "mtg-a", t0 + absl::Minutes(2)),
                     Participant("p3", "mtg-a", t0)});
  fake_.ClearRequests();
  auto sessions = provider_->GetRoomSessions(
      {meeting.provider_meeting_id, meeting.room_name},
      Within(absl::Seconds(5)));
  ASSERT_THAT(sessions, IsOk());
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target,
            absl::StrCat("/v1/rooms/", meeting.room_name, "/presence"));
  ASSERT_THAT(*sessions, SizeIs(2));
  const RoomSession& a = (*sessions)[0];
  EXPECT_EQ(a.session_id, "mtg-a");
  EXPECT_EQ(a.room_name, meeting.room_name);
  EXPECT_EQ(a.start_time, t0);
  EXPECT_EQ(a.end_time, absl::InfiniteFuture());
  ASSERT_THAT(a.participants, SizeIs(2));
  EXPECT_EQ(a.participants[0].participant_id, "p3");
  EXPECT_EQ(a.participants[0].user_id, "user-p3");
  EXPECT_EQ(a.participants[0].user_name, "Zoë p3");
  EXPECT_EQ(a.participants[0].join_time, t0);
  EXPECT_EQ(a.participants[0].duration_seconds, 120);
  EXPECT_EQ((*sessions)[1].session_id, "mtg-b");
  EXPECT_THAT((*sessions)[1].participants, SizeIs(1));
}

TEST_F(DailyProviderTest, EmptyPresenceHasNoSessions) {
  const CreatedMeeting meeting = MustCreate(Spec());
  auto sessions = provider_->GetRoomSessions(
      {meeting.provider_meeting_id, meeting.room_name},
      Within(absl::Seconds(5)));
  ASSERT_THAT(sessions, IsOk());
  EXPECT_TRUE(sessions->empty());
}

TEST_F(DailyProviderTest, UnknownRoomIsNotFound) {
  EXPECT_THAT(
      provider_->GetRoomSessions({"id", "nope"}, Within(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kNotFound,
               AllOf(HasSubstr("daily GetRoomSessions: HTTP 404"),
                     HasSubstr("not-found"))));
}

TEST_F(DailyProviderTest, DeleteRoomDeletesAndIsIdempotent) {
  const CreatedMeeting meeting = MustCreate(Spec());
  const MeetingRef ref{meeting.provider_meeting_id, meeting.room_name};
  fake_.ClearRequests();
  ASSERT_THAT(provider_->DeleteRoom(ref, Within(absl::Seconds(5))), IsOk());
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].method, "DELETE");
  EXPECT_EQ(requests[0].target, absl::StrCat("/v1/rooms/", meeting.room_name));
  EXPECT_TRUE(fake_.FindRoom(meeting.room_name)->deleted);
  EXPECT_THAT(provider_->DeleteRoom(ref, Within(absl::Seconds(5))), IsOk());
}

TEST_F(DailyProviderTest, StartRecordingSendsTypeAndInstanceId) {
  const CreatedMeeting meeting = MustCreate(Spec());
  fake_.SetPresence(meeting.room_name,
                    {Participant("p1", "mtg-a", absl::Now())});
  fake_.ClearRequests();
  ASSERT_THAT(provider_->StartRecording(
                  {meeting.provider_meeting_id, meeting.room_name}, "cloud",
                  kInstanceId, Within(absl::Seconds(5))),
              IsOk());
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target,
            absl::StrCat("/v1/rooms/", meeting.room_name, "/recordings/start"));
  EXPECT_EQ(requests[0].Header("content-type"), "application/json");
  EXPECT_EQ(requests[0].Json(),
            (json{{"type", "cloud"}, {"instanceId", kInstanceId}}));
  auto recordings = fake_.recordings();
  ASSERT_THAT(recordings, SizeIs(1));
  EXPECT_EQ(recordings[0].instance_id, kInstanceId);
}

TEST_F(DailyProviderTest, StartRecordingStateProblemsAreFailedPrecondition) {
  const CreatedMeeting meeting = MustCreate(Spec());
  const MeetingRef ref{meeting.provider_meeting_id, meeting.room_name};
  EXPECT_THAT(provider_->StartRecording(ref, "cloud", kInstanceId,
                                        Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("daily StartRecording: HTTP 400"),
                             HasSubstr("no active meeting"))));
  fake_.SetPresence(meeting.room_name,
                    {Participant("p1", "mtg-a", absl::Now())});
  EXPECT_THAT(provider_->StartRecording(ref, "raw-tracks", kInstanceId,
                                        Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not enabled")));
  ASSERT_THAT(provider_->StartRecording(ref, "cloud", kInstanceId,
                                        Within(absl::Seconds(5))),
              IsOk());
  EXPECT_THAT(provider_->StartRecording(ref, "cloud", kInstanceId,
                                        Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("already in progress")));
  EXPECT_THAT(provider_->StartRecording({"x", "unknown-room"}, "cloud",
                                        kInstanceId, Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kNotFound, _));
}

TEST_F(DailyProviderTest, StartRecordingRetriedAfterALostAnswerSucceeds) {
  const CreatedMeeting meeting = MustCreate(Spec());
  fake_.SetPresence(meeting.room_name,
                    {Participant("p1", "mtg-a", absl::Now())});
  fake_.AddFault(
      Fault::DropConnection().AfterHandling().For("POST", "/rooms/"));
  EXPECT_THAT(provider_->StartRecording(
                  {meeting.provider_meeting_id, meeting.room_name}, "cloud",
                  kInstanceId, Within(absl::Seconds(5))),
              IsOk());
  EXPECT_THAT(fake_.recordings(), SizeIs(1));
}

TEST_F(DailyProviderTest, StartRecordingValidatesLocally) {
  EXPECT_THAT(provider_->StartRecording({"x", "room"}, "audio", kInstanceId,
                                        Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("audio")));
  EXPECT_THAT(provider_->StartRecording({"x", "room"}, "cloud", "not-a-uuid",
                                        Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UUID")));
  EXPECT_EQ(fake_.request_count(), 0u);
  EXPECT_TRUE(provider_->capabilities().can_start_recording);
}

TEST_F(DailyProviderTest, UploadLogoIsANoOp) {
  EXPECT_FALSE(provider_->capabilities().can_upload_logo);
  EXPECT_THAT(provider_->UploadLogo({"x", "room"}, "png", "image/png",
                                    Within(absl::Seconds(5))),
              IsOk());
  EXPECT_EQ(fake_.request_count(), 0u);
}

// --- Fault modes. ---

TEST_F(DailyProviderTest, RateLimitWithoutRetryAfterIsRetriedWithBackoff) {
  const CreatedMeeting meeting = MustCreate(Spec());
  fake_.ClearRequests();
  fake_.AddFault(Fault::RateLimited(-1, 2).For("DELETE"));
  EXPECT_THAT(
      provider_->DeleteRoom({meeting.provider_meeting_id, meeting.room_name},
                            Within(absl::Seconds(5))),
      IsOk());
  EXPECT_EQ(fake_.request_count(), 3u);
}

TEST_F(DailyProviderTest, RateLimitsStopAtTheLimit) {
  fake_.AddFault(Fault::RateLimited(-1, 100));
  EXPECT_THAT(provider_->CreateMeeting(Spec(), Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("daily CreateMeeting: HTTP 429"),
                             HasSubstr("rate-limit-error"),
                             HasSubstr("gave up after 3 attempts"))));
  EXPECT_EQ(fake_.request_count(), 3u);
}

TEST_F(DailyProviderTest, ServerErrorsOnCreateAreRetried) {
  fake_.AddFault(Fault::Status(503, 2).For("POST", "/rooms"));
  MustCreate(Spec());
  EXPECT_EQ(fake_.request_count(), 4u);  // 3 room attempts, 1 token.
  EXPECT_THAT(fake_.rooms(), SizeIs(1));
}

TEST_F(DailyProviderTest, SlowResponseIsDeadlineExceededAtTheDeadline) {
  const CreatedMeeting meeting = MustCreate(Spec());
  fake_.AddFault(Fault::Slow(absl::Seconds(20)).For("GET"));
  const absl::Time start = absl::Now();
  EXPECT_THAT(provider_->GetRoomSessions(
                  {meeting.provider_meeting_id, meeting.room_name},
                  Within(absl::Milliseconds(300))),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       HasSubstr("daily GetRoomSessions")));
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_GE(elapsed, absl::Milliseconds(290));
  EXPECT_LT(elapsed, absl::Milliseconds(800));
}

TEST_F(DailyProviderTest, MalformedJsonIsInternal) {
  fake_.AddFault(Fault::MalformedJson().For("GET"));
  EXPECT_THAT(
      provider_->GetRoomSessions({"x", "room"}, Within(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kInternal,
               HasSubstr("daily GetRoomSessions: malformed JSON")));
}

TEST_F(DailyProviderTest, DroppedConnectionsStopAtTheLimit) {
  fake_.AddFault(Fault::DropConnection(100).For("GET"));
  EXPECT_THAT(
      provider_->GetRoomSessions({"x", "room"}, Within(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kUnavailable,
               AllOf(HasSubstr("daily GetRoomSessions: connection failed"),
                     HasSubstr("gave up after 3 attempts"))));
  EXPECT_EQ(fake_.request_count(), 3u);
}

// --- Webhook signatures; expected values come from openssl and base64. ---

constexpr char kSecretNew[] = "dGhpcyBpcyBhIDMyIGJ5dGUgc2VjcmV0IGtleSEhIQ==";
constexpr char kSecretOld[] = "b2xkLXNlY3JldC1mb3Itcm90YXRpb24tMzItYnl0ZXM=";
constexpr char kOtherSecret[] = "c29tZWJvZHkgZWxzZSdzIHNlY3JldCBrZXkgaGVyZQ==";

class DailyWebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto options = DailyOptionsFromSettings(MapSettings(
        {{"DAILY_API_KEY", kApiKey},
         {"DAILY_WEBHOOK_SECRET", absl::StrCat(kSecretNew, ",", kSecretOld)}}));
    ASSERT_THAT(options, IsOk());
    auto provider = NewDailyProvider(*options);
    ASSERT_THAT(provider, IsOk());
    provider_ = std::move(*provider);
  }

  static WebhookRequest Signed(const std::string& secret,
                               const std::string& timestamp,
                               const std::string& body) {
    WebhookRequest request;
    request.body = body;
    request.headers["x-webhook-timestamp"] = timestamp;
    request.headers["x-webhook-signature"] = CliHmacSha256Base64WithBase64Key(
        secret, absl::StrCat(timestamp, ".", body));
    return request;
  }

  const int64_t now_s_ = 1737201600;
  const absl::Time now_ = absl::FromUnixSeconds(now_s_);
  std::unique_ptr<VideoPlatform> provider_;
};

constexpr char kParticipantJoined[] =
    R"({"version":"1.0.0","type":"participant.joined","id":"ptcpt-join-1",)"
    R"("payload":{"room":"Team-Standup-20250118120000","session_id":"s1",)"
    R"("user_name":"Zoë 日本 😀","joined_at":1737201600},)"
    R"("event_ts":1737201600.123})";

TEST_F(DailyWebhookTest, AcceptsSecondsAndMilliseconds) {
  EXPECT_THAT(
      provider_->VerifyWebhookSignature(
          Signed(kSecretNew, absl::StrCat(now_s_), kParticipantJoined), now_),
      IsOk());
  EXPECT_THAT(
      provider_->VerifyWebhookSignature(
          Signed(kSecretNew, absl::StrCat(now_s_, "123"), kParticipantJoined),
          now_),
      IsOk());
}

TEST_F(DailyWebhookTest, NonAsciiBodyIsVerifiedBytewise) {
  WebhookRequest request =
      Signed(kSecretNew, absl::StrCat(now_s_), kParticipantJoined);
  EXPECT_THAT(provider_->VerifyWebhookSignature(request, now_), IsOk());
  request.body = json::parse(kParticipantJoined).dump(-1, ' ', true);
  EXPECT_THAT(provider_->VerifyWebhookSignature(request, now_),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not match")));
}

TEST_F(DailyWebhookTest, AnyConfiguredSecretMatches) {
  EXPECT_THAT(
      provider_->VerifyWebhookSignature(
          Signed(kSecretOld, absl::StrCat(now_s_), kParticipantJoined), now_),
      IsOk());
  EXPECT_THAT(
      provider_->VerifyWebhookSignature(
          Signed(kOtherSecret, absl::StrCat(now_s_), kParticipantJoined), now_),
      StatusIs(absl::StatusCode::kUnauthenticated, _));
}

TEST_F(DailyWebhookTest, FiveMinuteWindowBothWays) {
  for (int64_t offset : {-300, 0, 300}) {
    EXPECT_THAT(provider_->VerifyWebhookSignature(
                    Signed(kSecretNew, absl::StrCat(now_s_ + offset),
                           kParticipantJoined),
                    now_),
                IsOk())
        << offset;
  }
  for (int64_t offset : {-301, 301}) {
    EXPECT_THAT(
        provider_->VerifyWebhookSignature(
            Signed(kSecretNew, absl::StrCat(now_s_ + offset),
                   kParticipantJoined),
            now_),
        StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("tolerance")))
        << offset;
  }
  // Milliseconds: 300.001 s late.
  EXPECT_THAT(
      provider_->VerifyWebhookSignature(
          Signed(kSecretNew, absl::StrCat((now_s_ - 300) * 1000 - 1),
                 kParticipantJoined),
          now_),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("tolerance")));
}

TEST_F(DailyWebhookTest, RejectsMissingTruncatedAndGarbledHeaders) {
  const WebhookRequest good =
      Signed(kSecretNew, absl::StrCat(now_s_), kParticipantJoined);
  const std::string sig = good.headers.at("x-webhook-signature");
  ASSERT_EQ(sig.size(), 44u);
  const std::vector<std::pair<std::string, std::string>> kBad = {
      {absl::StrCat(now_s_), ""},
      {absl::StrCat(now_s_), sig.substr(0, 43)},
      {absl::StrCat(now_s_), sig.substr(0, 40)},
      {absl::StrCat(now_s_), sig + "AAAA"},
      {absl::StrCat(now_s_), absl::StrCat("v1,", sig)},
      {absl::StrCat(now_s_), "!!!!" + sig.substr(4)},
      {absl::StrCat(now_s_), std::string(44, 'A')},
      {"", sig},
      {"abc", sig},
      {absl::StrCat(now_s_, ".0"), sig},
      {absl::StrCat("-", now_s_), sig},
      {absl::StrCat(now_s_ + 1), sig},
  };
  for (const auto& [timestamp, signature] : kBad) {
    WebhookRequest request = good;
    request.headers["x-webhook-timestamp"] = timestamp;
    request.headers["x-webhook-signature"] = signature;
    EXPECT_THAT(provider_->VerifyWebhookSignature(request, now_),
                StatusIs(absl::StatusCode::kUnauthenticated, _))
        << timestamp << " " << signature;
  }
  for (const char* header : {"x-webhook-timestamp", "x-webhook-signature"}) {
    WebhookRequest request = good;
    request.headers.erase(header);
    EXPECT_THAT(
        provider_->VerifyWebhookSignature(request, now_),
        StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("missing")));
  }
}

TEST_F(DailyWebhookTest, WithoutSecretsIsFailedPrecondition) {
  DailyOptions options;
  options.api_key = kApiKey;
  auto provider = NewDailyProvider(options);
  ASSERT_THAT(provider, IsOk());
  EXPECT_THAT(
      (*provider)->VerifyWebhookSignature(
          Signed(kSecretNew, absl::StrCat(now_s_), kParticipantJoined), now_),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("DAILY_WEBHOOK_SECRET")));
}

// --- The factory and its settings. ---

TEST(DailyFactoryTest, DescribesThePlatform) {
  const ProviderFactory factory = MakeDailyProviderFactory();
  EXPECT_EQ(factory.name, "daily");
  EXPECT_EQ(factory.required_settings,
            std::vector<std::string>{"DAILY_API_KEY"});
  EXPECT_TRUE(factory.capabilities.can_delete_room);
  EXPECT_FALSE(factory.capabilities.can_upload_logo);
  EXPECT_FALSE(factory.capabilities.has_host_url);
  EXPECT_TRUE(factory.capabilities.uses_join_tokens);
  EXPECT_TRUE(factory.capabilities.can_list_sessions);
  EXPECT_TRUE(factory.capabilities.can_start_recording);
}

TEST(DailyFactoryTest, ReadsEverySetting) {
  auto options = DailyOptionsFromSettings(MapSettings({
      {"DAILY_API_KEY", "k"},
      {"DAILY_API_URL", "https://api.example.test/v1/"},
      {"DAILY_SUBDOMAIN", "reflector"},
      {"DAILY_WEBHOOK_SECRET", absl::StrCat(kSecretNew, " , ", kSecretOld)},
      {"DAILY_S3_BUCKET", "b"},
      {"DAILY_S3_REGION", "eu-west-1"},
      {"DAILY_S3_ROLE_ARN", "arn:aws:iam::123456789012:role/r"},
  }));
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->api_url, "https://api.example.test/v1");
  EXPECT_EQ(options->subdomain, "reflector");
  ASSERT_THAT(options->webhook_keys, SizeIs(2));
  EXPECT_EQ(options->webhook_keys[0], "this is a 32 byte secret key!!!");
  ASSERT_TRUE(options->recordings_bucket.has_value());
  EXPECT_EQ(options->recordings_bucket->bucket_name, "b");
  EXPECT_EQ(options->recordings_bucket->bucket_region, "eu-west-1");
  EXPECT_EQ(options->recordings_bucket->assume_role_arn,
            "arn:aws:iam::123456789012:role/r");

  auto defaults =
      DailyOptionsFromSettings(MapSettings({{"DAILY_API_KEY", "k"}}));
  ASSERT_THAT(defaults, IsOk());
  EXPECT_EQ(defaults->api_url, "https://api.daily.co/v1");
}

TEST(DailyFactoryTest, MalformedSettingsAreInvalidArgumentNamingThem) {
  const ProviderFactory factory = MakeDailyProviderFactory();
  const std::pair<std::map<std::string, std::string>, std::string> kCases[] = {
      {{{"DAILY_API_KEY", "k"}, {"DAILY_API_URL", "ftp://x"}}, "DAILY_API_URL"},
      {{{"DAILY_API_KEY", "k"}, {"DAILY_API_URL", "http://api.daily.co/v1"}},
       "DAILY_API_URL"},
      {{{"DAILY_API_KEY", "k\n"}}, "DAILY_API_KEY"},
      {{{"DAILY_API_KEY", "k"}, {"DAILY_SUBDOMAIN", "Re flector"}},
       "DAILY_SUBDOMAIN"},
      {{{"DAILY_API_KEY", "k"}, {"DAILY_WEBHOOK_SECRET", "not base64!"}},
       "DAILY_WEBHOOK_SECRET"},
      {{{"DAILY_API_KEY", "k"}, {"DAILY_WEBHOOK_SECRET", ","}},
       "DAILY_WEBHOOK_SECRET"},
      {{{"DAILY_API_KEY", "k"}, {"DAILY_S3_BUCKET", "b"}}, "DAILY_S3_REGION"},
      {{{"DAILY_API_KEY", "k"},
        {"DAILY_S3_BUCKET", "b"},
        {"DAILY_S3_REGION", "r"}},
       "DAILY_S3_ROLE_ARN"},
      {{{"DAILY_API_KEY", "k"},
        {"DAILY_S3_BUCKET", "b"},
        {"DAILY_S3_REGION", "r"},
        {"DAILY_S3_ROLE_ARN", "role"}},
       "DAILY_S3_ROLE_ARN"},
      {{{"DAILY_API_KEY", "k"}, {"DAILY_S3_ROLE_ARN", "arn:aws:iam::1:role/r"}},
       "DAILY_S3_BUCKET"},
  };
  for (const auto& [settings, variable] : kCases) {
    EXPECT_THAT(
        factory.create(MapSettings(settings)),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(variable)))
        << variable;
  }
}

TEST_F(DailyProviderTest, FactoryBuildsAWorkingProvider) {
  auto provider = MakeDailyProviderFactory().create(MapSettings(
      {{"DAILY_API_KEY", kApiKey}, {"DAILY_API_URL", fake_.base_url()}}));
  ASSERT_THAT(provider, IsOk());
  EXPECT_EQ((*provider)->name(), "daily");
  MeetingSpec spec = Spec();
  spec.recording_type = v1::RECORDING_TYPE_NONE;
  EXPECT_THAT((*provider)->CreateMeeting(spec, Within(absl::Seconds(5))),
              IsOk());
}

}  // namespace
}  // namespace videoplatform::providers
