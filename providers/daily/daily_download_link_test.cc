// GetRecordingDownloadLink against the strict Daily fake.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "providers/daily/daily_provider.h"
#include "server/common/status_matchers.h"
#include "tests/fakes/daily_fake.h"

namespace videoplatform::providers {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::videoplatform::fakes::DailyFake;
using ::videoplatform::fakes::DailyFakeOptions;
using ::videoplatform::fakes::Fault;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

constexpr char kApiKey[] = "dly_KEY_do-not-leak_0987";
constexpr char kRecordingId[] = "0f2a6a5e-9a8b-4c1d-8e2f-3a4b5c6d7e8f";

class DailyDownloadLinkTest : public ::testing::Test {
 protected:
  DailyDownloadLinkTest() : fake_(FakeOptions()) {}

  static DailyFakeOptions FakeOptions() {
    DailyFakeOptions options;
    options.api_key = kApiKey;
    return options;
  }

  void SetUp() override {
    ASSERT_THAT(fake_.Start(), IsOk());
    DailyOptions options;
    options.api_key = kApiKey;
    options.api_url = fake_.base_url();
    options.http.retry.max_attempts = 3;
    options.http.retry.initial_backoff = absl::Milliseconds(10);
    options.http.retry.max_backoff = absl::Milliseconds(40);
    auto provider = NewDailyProvider(std::move(options));
    ASSERT_THAT(provider, IsOk());
    provider_ = std::move(*provider);
  }
  void TearDown() override { provider_.reset(); }

  absl::StatusOr<DownloadLink> Get(const std::string& id) {
    return provider_->GetRecordingDownloadLink(
        id, CallContext{absl::Now() + absl::Seconds(5)});
  }

  DailyFake fake_;
  std::unique_ptr<VideoPlatform> provider_;
};

TEST_F(DailyDownloadLinkTest, ReturnsTheLinkAndExpiry) {
  const absl::Time expires = absl::FromUnixSeconds(1737205200);
  fake_.SetRecordingAccessLink(
      kRecordingId, "https://bucket.s3.amazonaws.com/rec.mp4?X-Amz-Sig=abc",
      expires);
  absl::StatusOr<DownloadLink> link = Get(kRecordingId);
  ASSERT_THAT(link, IsOk());
  EXPECT_EQ(link->url, "https://bucket.s3.amazonaws.com/rec.mp4?X-Amz-Sig=abc");
  EXPECT_EQ(link->expires, expires);
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target,
            std::string("/v1/recordings/") + kRecordingId + "/access-link");
  EXPECT_EQ(requests[0].Header("authorization"),
            std::string("Bearer ") + kApiKey);
}

TEST_F(DailyDownloadLinkTest, UnknownRecordingIsNotFound) {
  EXPECT_THAT(Get("nope"),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("daily GetRecordingDownloadLink"),
                             HasSubstr("not found"), Not(HasSubstr(kApiKey)))));
}

TEST_F(DailyDownloadLinkTest, RecordingInProgressIsInvalidArgument) {
  MeetingSpec spec;
  spec.room_id = "room-1";
  spec.room_name = "standup";
  spec.recording_type = v1::RECORDING_TYPE_CLOUD;
  spec.recording_trigger = v1::RECORDING_TRIGGER_PROMPT;
  spec.end_time = absl::Now() + absl::Hours(1);
  const CallContext context{absl::Now() + absl::Seconds(5)};
  absl::StatusOr<CreatedMeeting> meeting =
      provider_->CreateMeeting(spec, context);
  ASSERT_THAT(meeting, IsOk());
  DailyFake::Participant participant;
  participant.id = "p1";
  participant.session_id = "mtg-1";
  participant.join_time = absl::Now();
  fake_.SetPresence(meeting->room_name, {participant});
  ASSERT_THAT(provider_->StartRecording(
                  {meeting->provider_meeting_id, meeting->room_name}, "cloud",
                  "6f1c8a43-2f0e-4f5c-9a57-3a1f2c4d5e6f", context),
              IsOk());
  ASSERT_THAT(fake_.recordings(), SizeIs(1));
  EXPECT_THAT(Get(fake_.recordings()[0].recording_id),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is not finished")));
}

TEST_F(DailyDownloadLinkTest, EmptyIdIsInvalidWithoutARequest) {
  EXPECT_THAT(Get(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("recording id is empty")));
  EXPECT_EQ(fake_.request_count(), 0u);
}

TEST_F(DailyDownloadLinkTest, IdIsEscapedInThePath) {
  EXPECT_THAT(Get("a/b"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("")));
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].target, "/v1/recordings/a%2Fb/access-link");
}

TEST_F(DailyDownloadLinkTest, ServerErrorsAreRetried) {
  fake_.SetRecordingAccessLink(kRecordingId, "https://example.com/r.mp4",
                               absl::FromUnixSeconds(1737205200));
  fake_.AddFault(Fault::Status(503).For("GET", "/recordings"));
  ASSERT_THAT(Get(kRecordingId), IsOk());
  EXPECT_EQ(fake_.request_count(), 2u);
}

TEST_F(DailyDownloadLinkTest, AnswerWithoutALinkIsInternal) {
  fake_.AddFault(Fault::MalformedJson().For("GET", "/recordings"));
  EXPECT_THAT(Get(kRecordingId),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("")));
}

}  // namespace
}  // namespace videoplatform::providers
