#include "providers/whereby/whereby_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "providers/http/openssl_cli.h"
#include "server/common/status_matchers.h"
#include "tests/fakes/whereby_fake.h"

namespace videoplatform::providers {
namespace {

using ::nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::videoplatform::fakes::Fault;
using ::videoplatform::fakes::WherebyFake;
using ::videoplatform::fakes::WherebyFakeOptions;
using ::videoplatform::providers::http::testing::CliHmacSha256Hex;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

constexpr char kApiKey[] = "wb_live_KEY_do-not-leak_42";

class WherebyProviderTest : public ::testing::Test {
 protected:
  WherebyProviderTest() : fake_(FakeOptions()) {}

  static WherebyFakeOptions FakeOptions() {
    WherebyFakeOptions options;
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
                                             bool with_bucket,
                                             const std::string& url = "") {
    WherebyOptions options;
    options.api_key = key;
    options.api_url = url.empty() ? fake_.base_url() : url;
    options.webhook_secrets = {"whsec_current"};
    if (with_bucket) {
      options.s3 = WherebyS3Destination{"reflector-recordings", "AKIAEXAMPLE",
                                        "s3-secret"};
    }
    options.http.retry.max_attempts = 3;
    options.http.retry.initial_backoff = absl::Milliseconds(10);
    options.http.retry.max_backoff = absl::Milliseconds(40);
    options.http.retry.max_retry_after = absl::Seconds(5);
    auto provider = NewWherebyProvider(std::move(options));
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
    spec.recording_trigger = v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT;
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

  WherebyFake fake_;
  std::unique_ptr<VideoPlatform> provider_;
};

TEST_F(WherebyProviderTest, CreateMeetingSendsTheDocumentedRequest) {
  const MeetingSpec spec = Spec();
  const CreatedMeeting meeting = MustCreate(spec);

  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/meetings");
  EXPECT_EQ(r.Header("authorization"), absl::StrCat("Bearer ", kApiKey));
  EXPECT_EQ(r.Header("content-type"), "application/json");
  const json expected = {
      {"endDate", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", spec.end_time,
                                   absl::UTCTimeZone())},
      {"isLocked", true},
      {"roomMode", "group"},
      {"roomNamePrefix", "team-standup-"},
      {"roomNamePattern", "uuid"},
      {"fields", {"hostRoomUrl"}},
      {"recording",
       {{"type", "cloud"},
        {"destination",
         {{"provider", "s3"},
          {"bucket", "reflector-recordings"},
          {"accessKeyId", "AKIAEXAMPLE"},
          {"accessKeySecret", "s3-secret"},
          {"fileFormat", "mp4"}}},
        {"startTrigger", "automatic-2nd-participant"}}}};
  EXPECT_EQ(r.Json(), expected) << r.body;

  auto stored = fake_.meetings();
  ASSERT_THAT(stored, SizeIs(1));
  EXPECT_EQ(meeting.provider_meeting_id, stored[0].meeting_id);
  EXPECT_EQ(meeting.room_name, stored[0].room_name);
  EXPECT_THAT(meeting.room_name, StartsWith("/team-standup-"));
  EXPECT_EQ(meeting.room_url,
            absl::StrCat("https://reflector.whereby.com", meeting.room_name));
  EXPECT_EQ(meeting.host_room_url, stored[0].host_room_url);
  EXPECT_THAT(meeting.host_room_url, HasSubstr("?roomKey="));
  EXPECT_EQ(meeting.end_time, spec.end_time);
  EXPECT_LT(absl::AbsDuration(meeting.start_time - absl::Now()),
            absl::Seconds(5));
}

TEST_F(WherebyProviderTest, RecordingBlockOnlyForCloudWithABucket) {
  MeetingSpec spec = Spec();
  spec.is_locked = false;
  spec.room_mode = v1::ROOM_MODE_NORMAL;
  spec.recording_type = v1::RECORDING_TYPE_LOCAL;
  MustCreate(spec);
  spec.recording_type = v1::RECORDING_TYPE_NONE;
  MustCreate(spec);
  auto no_bucket = NewProvider(kApiKey, /*with_bucket=*/false);
  spec.recording_type = v1::RECORDING_TYPE_CLOUD;
  ASSERT_THAT(no_bucket->CreateMeeting(spec, Within(absl::Seconds(5))), IsOk());
  no_bucket.reset();

  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(3));
  for (const auto& r : requests) {
    const json body = r.Json();
    EXPECT_FALSE(body.contains("recording")) << r.body;
    EXPECT_EQ(body["isLocked"], false);
    EXPECT_EQ(body["roomMode"], "normal");
  }
}

TEST_F(WherebyProviderTest, StartTriggerFollowsTheRecordingTrigger) {
  const std::pair<v1::RecordingTrigger, std::string> kTriggers[] = {
      {v1::RECORDING_TRIGGER_NONE, "none"},
      {v1::RECORDING_TRIGGER_PROMPT, "prompt"},
      {v1::RECORDING_TRIGGER_AUTOMATIC, "automatic"},
      {v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT,
       "automatic-2nd-participant"}};
  for (const auto& [trigger, text] : kTriggers) {
    MeetingSpec spec = Spec();
    spec.recording_trigger = trigger;
    MustCreate(spec);
    EXPECT_EQ(fake_.requests().back().Json()["recording"]["startTrigger"],
              text);
  }
}

TEST(WherebyRoomNamePrefixTest, LowerCasesAndShortensPredictably) {
  EXPECT_EQ(WherebyRoomNamePrefix("Team-Standup"), "team-standup-");
  EXPECT_EQ(WherebyRoomNamePrefix("my room (2)"), "my-room-2-");
  EXPECT_EQ(WherebyRoomNamePrefix("Zoë_x"), "zo-_x-");
  const std::string long_name(60, 'A');
  const std::string prefix = WherebyRoomNamePrefix(long_name);
  EXPECT_EQ(prefix.size(), 39u);
  EXPECT_EQ(prefix, std::string(38, 'a') + "-");
  // Same input, same prefix; names differing only past the cut share it.
  EXPECT_EQ(WherebyRoomNamePrefix(long_name + "B"), prefix);
  EXPECT_EQ(WherebyRoomNamePrefix(std::string(38, 'b')).size(), 39u);
}

TEST_F(WherebyProviderTest, LongRoomNamesAreAccepted) {
  MeetingSpec spec = Spec();
  spec.room_name = "A-Very-Long-Room-Name-For-The-Quarterly-All-Hands-Meeting";
  const CreatedMeeting meeting = MustCreate(spec);
  EXPECT_THAT(meeting.room_name,
              StartsWith("/a-very-long-room-name-for-the-quarterl-"));
  EXPECT_EQ(fake_.requests()[0].Json()["roomNamePrefix"],
            "a-very-long-room-name-for-the-quarterl-");
}

TEST_F(WherebyProviderTest, PastEndDateIsInvalidArgumentWithWherebysText) {
  MeetingSpec spec = Spec();
  spec.end_time = absl::Now() - absl::Minutes(1);
  EXPECT_THAT(
      provider_->CreateMeeting(spec, Within(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("whereby CreateMeeting"), HasSubstr("HTTP 400"),
                     HasSubstr("\"endDate\" must be greater than"))));
}

TEST_F(WherebyProviderTest, WrongKeyIsTheServicesKeyRefusedAndNeverEchoed) {
  const std::string wrong_key = "wb_live_WRONG_key_777";
  auto provider = NewProvider(wrong_key, true);
  auto result = provider->CreateMeeting(Spec(), Within(absl::Seconds(5)));
  EXPECT_THAT(
      result,
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("whereby CreateMeeting: whereby refused the "
                               "service's API key (HTTP 401"),
                     HasSubstr("check WHEREBY_API_KEY"),
                     Not(HasSubstr(wrong_key)), Not(HasSubstr(kApiKey)))));
  auto sessions =
      provider->GetRoomSessions({"1", "/x"}, Within(absl::Seconds(5)));
  EXPECT_THAT(sessions, StatusIs(absl::StatusCode::kFailedPrecondition,
                                 Not(HasSubstr(wrong_key))));
  EXPECT_THAT(provider->DeleteRoom({"1", "/x"}, Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       Not(HasSubstr(wrong_key))));
}

TEST_F(WherebyProviderTest, GetRoomSessionsQueriesByRoomName) {
  const CreatedMeeting meeting = MustCreate(Spec());
  const absl::Time t0 = absl::FromUnixSeconds(1737201600);  // 2025-01-18 12:00
  fake_.AddRoomSession(meeting.room_name, "s-1", t0, t0 + absl::Minutes(30));
  fake_.AddRoomSession(meeting.room_name, "s-2", t0 + absl::Hours(1));
  fake_.ClearRequests();

  auto sessions = provider_->GetRoomSessions(
      {meeting.provider_meeting_id, meeting.room_name},
      Within(absl::Seconds(5)));
  ASSERT_THAT(sessions, IsOk());
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target,
            absl::StrCat("/v1/insights/room-sessions?roomName=%2F",
                         meeting.room_name.substr(1), "&limit=100"));
  EXPECT_EQ(requests[0].Header("authorization"),
            absl::StrCat("Bearer ", kApiKey));
  ASSERT_THAT(*sessions, SizeIs(2));
  EXPECT_EQ((*sessions)[0].session_id, "s-1");
  EXPECT_EQ((*sessions)[0].room_name, meeting.room_name);
  EXPECT_EQ((*sessions)[0].start_time, t0);
  EXPECT_EQ((*sessions)[0].end_time, t0 + absl::Minutes(30));
  EXPECT_EQ((*sessions)[1].session_id, "s-2");
  EXPECT_EQ((*sessions)[1].end_time, absl::InfiniteFuture());
}

TEST_F(WherebyProviderTest, GetRoomSessionsReturnsMoreThanTheDefaultPage) {
  // Whereby's default page is 10 sessions.
  const absl::Time t0 = absl::FromUnixSeconds(1737201600);
  for (int i = 0; i < 12; ++i) {
    fake_.AddRoomSession("/busy", absl::StrCat("s-", i), t0 + absl::Hours(i));
  }
  auto sessions =
      provider_->GetRoomSessions({"1", "/busy"}, Within(absl::Seconds(5)));
  ASSERT_THAT(sessions, IsOk());
  ASSERT_THAT(*sessions, SizeIs(12));
  EXPECT_EQ((*sessions)[11].session_id, "s-11");
}

TEST_F(WherebyProviderTest, GetRoomSessionsFollowsTheCursorThroughEveryPage) {
  WherebyFakeOptions options = FakeOptions();
  options.max_page_size = 5;
  WherebyFake paged(options);
  ASSERT_THAT(paged.Start(), IsOk());
  const absl::Time t0 = absl::FromUnixSeconds(1737201600);
  for (int i = 0; i < 12; ++i) {
    paged.AddRoomSession("/busy", absl::StrCat("s-", i), t0 + absl::Hours(i));
  }
  auto provider = NewProvider(kApiKey, true, paged.base_url());
  auto sessions =
      provider->GetRoomSessions({"1", "/busy"}, Within(absl::Seconds(5)));
  ASSERT_THAT(sessions, IsOk());
  ASSERT_THAT(*sessions, SizeIs(12));
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ((*sessions)[i].session_id, absl::StrCat("s-", i));
  }
  auto requests = paged.requests();
  ASSERT_THAT(requests, SizeIs(3));
  EXPECT_EQ(requests[0].query.count("cursor"), 0u);
  EXPECT_EQ(requests[1].query.find("cursor")->second, "c5");
  EXPECT_EQ(requests[2].query.find("cursor")->second, "c10");
  provider.reset();
}

TEST_F(WherebyProviderTest, GetRoomSessionsStopsAfterFiftyPages) {
  WherebyFakeOptions options = FakeOptions();
  options.max_page_size = 1;
  WherebyFake paged(options);
  ASSERT_THAT(paged.Start(), IsOk());
  const absl::Time t0 = absl::FromUnixSeconds(1737201600);
  for (int i = 0; i < 51; ++i) {
    paged.AddRoomSession("/huge", absl::StrCat("s-", i), t0 + absl::Hours(i));
  }
  auto provider = NewProvider(kApiKey, true, paged.base_url());
  EXPECT_THAT(
      provider->GetRoomSessions({"1", "/huge"}, Within(absl::Seconds(10))),
      StatusIs(absl::StatusCode::kOutOfRange,
               AllOf(HasSubstr("whereby GetRoomSessions"),
                     HasSubstr("more than 50 pages"))));
  EXPECT_EQ(paged.request_count(), 50u);
  provider.reset();
}

TEST_F(WherebyProviderTest, GetRoomSessionsOfAnUnknownRoomIsNotFound) {
  EXPECT_THAT(
      provider_->GetRoomSessions({"9", "/nope"}, Within(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kNotFound,
               AllOf(HasSubstr("whereby GetRoomSessions"),
                     HasSubstr("Room not found"))));
}

TEST_F(WherebyProviderTest, DeleteRoomDeletesTheMeetingAndIsIdempotent) {
  const CreatedMeeting meeting = MustCreate(Spec());
  const MeetingRef ref{meeting.provider_meeting_id, meeting.room_name};
  fake_.ClearRequests();
  ASSERT_THAT(provider_->DeleteRoom(ref, Within(absl::Seconds(5))), IsOk());
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].method, "DELETE");
  EXPECT_EQ(requests[0].target,
            absl::StrCat("/v1/meetings/", meeting.provider_meeting_id));
  EXPECT_TRUE(fake_.FindMeeting(meeting.provider_meeting_id)->deleted);
  // Again, and for an id Whereby never issued (404): both done.
  EXPECT_THAT(provider_->DeleteRoom(ref, Within(absl::Seconds(5))), IsOk());
  EXPECT_THAT(provider_->DeleteRoom({"123", "/gone"}, Within(absl::Seconds(5))),
              IsOk());
}

TEST_F(WherebyProviderTest, UploadLogoSendsAMultipartImage) {
  const CreatedMeeting meeting = MustCreate(Spec());
  fake_.ClearRequests();
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  ASSERT_THAT(
      provider_->UploadLogo({meeting.provider_meeting_id, meeting.room_name},
                            png, "image/png", Within(absl::Seconds(5))),
      IsOk());
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(
      requests[0].target,
      absl::StrCat("/v1/rooms/", meeting.room_name.substr(1), "/theme/logo"));
  EXPECT_THAT(requests[0].Header("content-type"),
              StartsWith("multipart/form-data; boundary="));
  auto logo = fake_.FindMeeting(meeting.provider_meeting_id)->logo;
  ASSERT_TRUE(logo.has_value());
  EXPECT_EQ(logo->field_name, "image");
  EXPECT_EQ(logo->filename, "logo.png");
  EXPECT_EQ(logo->content_type, "image/png");
  EXPECT_EQ(logo->content, png);
}

TEST_F(WherebyProviderTest, UploadLogoRejectsNonImagesLocally) {
  EXPECT_THAT(provider_->UploadLogo({"1", "/r"}, "text", "text/plain",
                                    Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("image")));
  EXPECT_THAT(provider_->UploadLogo({"1", "/r"}, "", "image/png",
                                    Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_EQ(fake_.request_count(), 0u);
  EXPECT_THAT(
      provider_->UploadLogo({"1", "/unknown-room"}, "x", "image/png",
                            Within(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("whereby UploadLogo")));
}

TEST_F(WherebyProviderTest, StartRecordingIsNotSupported) {
  EXPECT_FALSE(provider_->capabilities().can_start_recording);
  EXPECT_THAT(
      provider_->StartRecording({"1", "/r"}, "cloud",
                                "6f1c8a43-2f0e-4f5c-9a57-3a1f2c4d5e6f",
                                Within(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("whereby")));
  EXPECT_EQ(fake_.request_count(), 0u);
}

TEST_F(WherebyProviderTest, ReusesOneConnectionAcrossCalls) {
  const CreatedMeeting meeting = MustCreate(Spec());
  const MeetingRef ref{meeting.provider_meeting_id, meeting.room_name};
  ASSERT_THAT(provider_->GetRoomSessions(ref, Within(absl::Seconds(5))),
              IsOk());
  ASSERT_THAT(provider_->DeleteRoom(ref, Within(absl::Seconds(5))), IsOk());
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(3));
  EXPECT_EQ(requests[1].remote_port, requests[0].remote_port);
  EXPECT_EQ(requests[2].remote_port, requests[0].remote_port);
}

TEST_F(WherebyProviderTest, ConcurrentCreatesAllSucceed) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        if (provider_->CreateMeeting(Spec(), Within(absl::Seconds(10))).ok())
          ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_THAT(fake_.meetings(), SizeIs(20));
}

// --- Fault modes: each gives a precise code within the deadline. ---

TEST_F(WherebyProviderTest, RateLimitIsRetriedAfterRetryAfter) {
  fake_.AddFault(Fault::RateLimited(1).For("POST", "/meetings"));
  const absl::Time start = absl::Now();
  ASSERT_THAT(provider_->CreateMeeting(Spec(), Within(absl::Seconds(5))),
              IsOk());
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_GE(elapsed, absl::Seconds(1));
  EXPECT_LT(elapsed, absl::Seconds(2));
  EXPECT_EQ(fake_.request_count(), 2u);
  EXPECT_THAT(fake_.meetings(), SizeIs(1));
}

TEST_F(WherebyProviderTest, RateLimitBeyondTheDeadlineFailsFast) {
  fake_.AddFault(Fault::RateLimited(30).For("POST", "/meetings"));
  const absl::Time start = absl::Now();
  EXPECT_THAT(provider_->CreateMeeting(Spec(), Within(absl::Seconds(2))),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("whereby CreateMeeting: HTTP 429"),
                             HasSubstr("Rate limit active"))));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
  EXPECT_EQ(fake_.request_count(), 1u);
}

TEST_F(WherebyProviderTest, ServerErrorOnCreateIsNotRetried) {
  fake_.AddFault(Fault::Status(503).For("POST", "/meetings"));
  EXPECT_THAT(provider_->CreateMeeting(Spec(), Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("whereby CreateMeeting: HTTP 503"),
                             HasSubstr("Internal Server Error"))));
  EXPECT_EQ(fake_.request_count(), 1u);
}

TEST_F(WherebyProviderTest, ServerErrorsOnReadsAreRetriedThenSucceed) {
  const CreatedMeeting meeting = MustCreate(Spec());
  fake_.ClearRequests();
  fake_.AddFault(Fault::Status(500, 2).For("GET", "/insights"));
  EXPECT_THAT(provider_->GetRoomSessions(
                  {meeting.provider_meeting_id, meeting.room_name},
                  Within(absl::Seconds(5))),
              IsOk());
  EXPECT_EQ(fake_.request_count(), 3u);
}

TEST_F(WherebyProviderTest, RetriesStopAtTheLimit) {
  fake_.AddFault(Fault::Status(502, 100).For("DELETE"));
  const absl::Time start = absl::Now();
  EXPECT_THAT(
      provider_->DeleteRoom({"41000001", "/r"}, Within(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kUnavailable,
               AllOf(HasSubstr("whereby DeleteRoom: HTTP 502"),
                     HasSubstr("gave up after 3 attempts"))));
  EXPECT_EQ(fake_.request_count(), 3u);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST_F(WherebyProviderTest, SlowResponseIsDeadlineExceededAtTheDeadline) {
  fake_.AddFault(Fault::Slow(absl::Seconds(20)).For("POST"));
  const absl::Time start = absl::Now();
  EXPECT_THAT(provider_->CreateMeeting(Spec(), Within(absl::Milliseconds(300))),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       HasSubstr("whereby CreateMeeting")));
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_GE(elapsed, absl::Milliseconds(290));
  EXPECT_LT(elapsed, absl::Milliseconds(800));
}

TEST_F(WherebyProviderTest, MalformedJsonIsInternal) {
  fake_.AddFault(Fault::MalformedJson().For("POST"));
  EXPECT_THAT(provider_->CreateMeeting(Spec(), Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("whereby CreateMeeting: malformed JSON")));
  EXPECT_EQ(fake_.request_count(), 1u);
}

TEST_F(WherebyProviderTest, DroppedConnectionOnCreateIsUnavailableOnce) {
  fake_.AddFault(Fault::DropConnection().For("POST"));
  EXPECT_THAT(provider_->CreateMeeting(Spec(), Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("whereby CreateMeeting: connection failed")));
  EXPECT_EQ(fake_.request_count(), 1u);
}

TEST_F(WherebyProviderTest, DroppedConnectionOnDeleteIsRetried) {
  const CreatedMeeting meeting = MustCreate(Spec());
  fake_.ClearRequests();
  fake_.AddFault(Fault::DropConnection().For("DELETE"));
  EXPECT_THAT(
      provider_->DeleteRoom({meeting.provider_meeting_id, meeting.room_name},
                            Within(absl::Seconds(5))),
      IsOk());
  EXPECT_EQ(fake_.request_count(), 2u);
}

TEST_F(WherebyProviderTest, UnreachableProviderIsUnavailable) {
  int port = 0;
  {
    WherebyFake closed;
    ASSERT_THAT(closed.Start(), IsOk());
    port = closed.port();
  }
  WherebyOptions options;
  options.api_key = kApiKey;
  options.api_url = absl::StrCat("http://127.0.0.1:", port, "/v1");
  options.http.retry.initial_backoff = absl::Milliseconds(5);
  auto provider = NewWherebyProvider(options);
  ASSERT_THAT(provider, IsOk());
  EXPECT_THAT((*provider)->CreateMeeting(Spec(), Within(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("whereby CreateMeeting: cannot connect"),
                             Not(HasSubstr(kApiKey)))));
}

// --- Webhook signatures; expected values come from the openssl CLI. ---

class WherebyWebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WherebyOptions options;
    options.api_key = kApiKey;
    options.api_url = "https://api.whereby.dev/v1";
    options.webhook_secrets = {"whsec_new", "whsec_old"};
    auto provider = NewWherebyProvider(options);
    ASSERT_THAT(provider, IsOk());
    provider_ = std::move(*provider);
  }

  static WebhookRequest Signed(const std::string& secret, int64_t t,
                               const std::string& body) {
    WebhookRequest request;
    request.body = body;
    request.headers["whereby-signature"] = absl::StrCat(
        "t=", t, ",v1=", CliHmacSha256Hex(secret, absl::StrCat(t, ".", body)));
    return request;
  }

  const int64_t now_s_ = 1737201600;
  const absl::Time now_ = absl::FromUnixSeconds(now_s_);
  std::unique_ptr<VideoPlatform> provider_;
};

constexpr char kJoinedEvent[] =
    R"({"id":"evt_1","apiVersion":"1.0","createdAt":"2025-01-18T12:00:00.000Z",)"
    R"("type":"room.client.joined","data":{"meetingId":"41000001",)"
    R"("roomName":"/team-standup-3f2a","subdomain":"reflector",)"
    R"("numClients":2,"displayName":"Zoë 日本 😀"}})";

TEST_F(WherebyWebhookTest, AcceptsAValidSignatureOverTheRawBytes) {
  EXPECT_THAT(provider_->VerifyWebhookSignature(
                  Signed("whsec_new", now_s_, kJoinedEvent), now_),
              IsOk());
}

TEST_F(WherebyWebhookTest, NonAsciiBodyIsVerifiedBytewise) {
  // The same JSON re-serialised with \u escapes is a different byte string.
  WebhookRequest request = Signed("whsec_new", now_s_, kJoinedEvent);
  request.body = nlohmann::json::parse(kJoinedEvent).dump(-1, ' ', true);
  ASSERT_NE(request.body, kJoinedEvent);
  EXPECT_THAT(provider_->VerifyWebhookSignature(request, now_),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not match")));
}

TEST_F(WherebyWebhookTest, AnyConfiguredSecretMatches) {
  EXPECT_THAT(provider_->VerifyWebhookSignature(
                  Signed("whsec_old", now_s_, kJoinedEvent), now_),
              IsOk());
  EXPECT_THAT(provider_->VerifyWebhookSignature(
                  Signed("whsec_other", now_s_, kJoinedEvent), now_),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST_F(WherebyWebhookTest, TimestampWindowIs60SecondsBothWays) {
  for (int64_t offset : {-60, 0, 60}) {
    EXPECT_THAT(provider_->VerifyWebhookSignature(
                    Signed("whsec_new", now_s_ + offset, kJoinedEvent), now_),
                IsOk())
        << offset;
  }
  for (int64_t offset : {-61, 61, -3600}) {
    EXPECT_THAT(
        provider_->VerifyWebhookSignature(
            Signed("whsec_new", now_s_ + offset, kJoinedEvent), now_),
        StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("tolerance")))
        << offset;
  }
}

TEST_F(WherebyWebhookTest, SignatureOverADifferentTimestampFails) {
  WebhookRequest request = Signed("whsec_new", now_s_, kJoinedEvent);
  const std::string header = request.headers["whereby-signature"];
  request.headers["whereby-signature"] =
      absl::StrCat("t=", now_s_ + 1, header.substr(header.find(',')));
  EXPECT_THAT(provider_->VerifyWebhookSignature(request, now_),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST_F(WherebyWebhookTest, ToleratesReorderedPartsAndSpaces) {
  const std::string hex =
      CliHmacSha256Hex("whsec_new", absl::StrCat(now_s_, ".", kJoinedEvent));
  WebhookRequest request;
  request.body = kJoinedEvent;
  request.headers["whereby-signature"] =
      absl::StrCat("v1=", hex, ", t=", now_s_);
  EXPECT_THAT(provider_->VerifyWebhookSignature(request, now_), IsOk());
}

TEST_F(WherebyWebhookTest, RejectsMissingTruncatedAndGarbledHeaders) {
  const std::string hex =
      CliHmacSha256Hex("whsec_new", absl::StrCat(now_s_, ".", kJoinedEvent));
  const std::string t = absl::StrCat("t=", now_s_);
  const std::vector<std::string> kBad = {
      "",
      t,
      absl::StrCat(t, ",v1="),
      absl::StrCat(t, ",v1=", hex.substr(0, 62)),
      absl::StrCat(t, ",v1=", hex.substr(0, 63)),
      absl::StrCat(t, ",v1=", hex, "00"),
      absl::StrCat("v1=", hex),
      absl::StrCat("t=,v1=", hex),
      absl::StrCat("t=abc,v1=", hex),
      absl::StrCat("t=-", now_s_, ",v1=", hex),
      absl::StrCat(t, ",", t, ",v1=", hex),
      absl::StrCat(t, ",v1=", std::string(64, 'z')),
      absl::StrCat(t, ";v1=", hex),
      "garbage",
  };
  for (const std::string& header : kBad) {
    WebhookRequest request;
    request.body = kJoinedEvent;
    request.headers["whereby-signature"] = header;
    EXPECT_THAT(provider_->VerifyWebhookSignature(request, now_),
                StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_))
        << header;
  }
  WebhookRequest no_header;
  no_header.body = kJoinedEvent;
  EXPECT_THAT(
      provider_->VerifyWebhookSignature(no_header, now_),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("missing")));
}

TEST_F(WherebyWebhookTest, WithoutSecretsIsFailedPrecondition) {
  WherebyOptions options;
  options.api_key = kApiKey;
  auto provider = NewWherebyProvider(options);
  ASSERT_THAT(provider, IsOk());
  EXPECT_THAT((*provider)->VerifyWebhookSignature(
                  Signed("whsec_new", now_s_, kJoinedEvent), now_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("WHEREBY_WEBHOOK_SECRET")));
}

// --- The factory and its settings. ---

TEST(WherebyFactoryTest, DescribesThePlatform) {
  const ProviderFactory factory = MakeWherebyProviderFactory();
  EXPECT_EQ(factory.name, "whereby");
  EXPECT_EQ(factory.required_settings,
            std::vector<std::string>{"WHEREBY_API_KEY"});
  EXPECT_TRUE(factory.capabilities.can_delete_room);
  EXPECT_TRUE(factory.capabilities.can_upload_logo);
  EXPECT_TRUE(factory.capabilities.has_host_url);
  EXPECT_TRUE(factory.capabilities.can_list_sessions);
  EXPECT_FALSE(factory.capabilities.uses_join_tokens);
  EXPECT_FALSE(factory.capabilities.can_start_recording);
}

TEST(WherebyFactoryTest, ReadsEverySetting) {
  auto options = WherebyOptionsFromSettings(MapSettings({
      {"WHEREBY_API_KEY", "k"},
      {"WHEREBY_API_URL", "https://api.example.test/v1/"},
      {"WHEREBY_WEBHOOK_SECRET", " new , old ,"},
      {"WHEREBY_S3_BUCKET", "b"},
      {"WHEREBY_S3_ACCESS_KEY_ID", "id"},
      {"WHEREBY_S3_ACCESS_KEY_SECRET", "secret"},
  }));
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->api_key, "k");
  EXPECT_EQ(options->api_url, "https://api.example.test/v1");
  EXPECT_EQ(options->webhook_secrets, (std::vector<std::string>{"new", "old"}));
  ASSERT_TRUE(options->s3.has_value());
  EXPECT_EQ(options->s3->bucket, "b");
  EXPECT_EQ(options->s3->access_key_id, "id");
  EXPECT_EQ(options->s3->access_key_secret, "secret");

  auto defaults =
      WherebyOptionsFromSettings(MapSettings({{"WHEREBY_API_KEY", "k"}}));
  ASSERT_THAT(defaults, IsOk());
  EXPECT_EQ(defaults->api_url, "https://api.whereby.dev/v1");
  EXPECT_FALSE(defaults->s3.has_value());
  EXPECT_TRUE(defaults->webhook_secrets.empty());
}

TEST(WherebyFactoryTest, MalformedSettingsAreInvalidArgumentNamingThem) {
  const ProviderFactory factory = MakeWherebyProviderFactory();
  const std::pair<std::map<std::string, std::string>, std::string> kCases[] = {
      {{{"WHEREBY_API_KEY", "k"}, {"WHEREBY_API_URL", "api.whereby.dev"}},
       "WHEREBY_API_URL"},
      {{{"WHEREBY_API_KEY", "k"},
        {"WHEREBY_API_URL", "http://api.whereby.dev"}},
       "WHEREBY_API_URL"},
      {{{"WHEREBY_API_KEY", "k ey"}}, "WHEREBY_API_KEY"},
      {{{"WHEREBY_API_KEY", "k"}, {"WHEREBY_WEBHOOK_SECRET", " , "}},
       "WHEREBY_WEBHOOK_SECRET"},
      {{{"WHEREBY_API_KEY", "k"}, {"WHEREBY_S3_BUCKET", "b"}},
       "WHEREBY_S3_ACCESS_KEY_ID"},
      {{{"WHEREBY_API_KEY", "k"},
        {"WHEREBY_S3_BUCKET", "b"},
        {"WHEREBY_S3_ACCESS_KEY_ID", "i"}},
       "WHEREBY_S3_ACCESS_KEY_SECRET"},
      {{{"WHEREBY_API_KEY", "k"}, {"WHEREBY_S3_ACCESS_KEY_ID", "i"}},
       "WHEREBY_S3_BUCKET"},
  };
  for (const auto& [settings, variable] : kCases) {
    EXPECT_THAT(
        factory.create(MapSettings(settings)),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(variable)))
        << variable;
  }
}

TEST_F(WherebyProviderTest, FactoryBuildsAWorkingProvider) {
  auto provider = MakeWherebyProviderFactory().create(MapSettings(
      {{"WHEREBY_API_KEY", kApiKey}, {"WHEREBY_API_URL", fake_.base_url()}}));
  ASSERT_THAT(provider, IsOk());
  EXPECT_EQ((*provider)->name(), "whereby");
  EXPECT_THAT((*provider)->CreateMeeting(Spec(), Within(absl::Seconds(5))),
              IsOk());
}

}  // namespace
}  // namespace videoplatform::providers
