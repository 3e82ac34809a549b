#include "server/recording_rpcs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "providers/daily/daily_provider.h"
#include "providers/whereby/whereby_provider.h"
#include "server/common/status_matchers.h"
#include "storage/recording_store.h"
#include "storage/store.h"

namespace videoplatform::server {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

constexpr char kWherebyBucket[] = "whereby-recordings";

absl::StatusOr<std::string> TestUrlCheck(absl::string_view field,
                                         absl::string_view url) {
  if (!absl::StartsWith(url, "https://") ||
      !absl::StrContains(url, ".daily.co/")) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": host is not allowed"));
  }
  return std::string(url);
}

class RecordingRpcsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    const char* dir = std::getenv("TEST_TMPDIR");
    auto store = storage::Store::Open(absl::StrCat(
        dir != nullptr ? dir : "/tmp", "/rpcs-", ++counter, ".db"));
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
    recordings_ = std::make_unique<storage::RecordingStore>(store_->database());

    ASSERT_THAT(registry_.Register(providers::MakeWherebyProviderFactory()),
                IsOk());
    ASSERT_THAT(registry_.Register(providers::MakeDailyProviderFactory()),
                IsOk());
    providers::ProviderFactory unconfigured;
    unconfigured.name = "zoomish";
    unconfigured.required_settings = {"ZOOMISH_API_KEY"};
    unconfigured.create = [](const providers::SettingsLookup&)
        -> absl::StatusOr<std::unique_ptr<providers::VideoPlatform>> {
      return absl::InternalError("never built");
    };
    ASSERT_THAT(registry_.Register(unconfigured), IsOk());
    auto providers = providers::Providers::Create(
        registry_, providers::MapSettings(
                       {{"WHEREBY_API_KEY", "w"}, {"DAILY_API_KEY", "d"}}));
    ASSERT_THAT(providers, IsOk());
    providers_ = std::move(*providers);
    settings_.SetBucket("whereby",
                        {kWherebyBucket, {"AK", "secret", "eu-west-1", ""}});
    rpcs_ = std::make_unique<RecordingRpcs>(*store_, *recordings_, *providers_,
                                            settings_, TestUrlCheck,
                                            [this] { ++notified_; });
  }

  void AddMeeting(const std::string& id, const std::string& platform,
                  const std::string& room_name, absl::Time start) {
    storage::MeetingRecord meeting;
    meeting.meeting_id = id;
    meeting.platform = platform;
    meeting.room_name = room_name;
    meeting.start_time = start;
    meeting.end_time = start + absl::Hours(8);
    ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
  }

  static v1::IngestRecordingRequest WherebyRequest(const std::string& key) {
    v1::IngestRecordingRequest request;
    request.set_platform("whereby");
    request.mutable_s3_object()->set_bucket(kWherebyBucket);
    request.mutable_s3_object()->set_key(key);
    return request;
  }

  v1::IngestRecordingResponse MustIngest(
      const v1::IngestRecordingRequest& request) {
    auto response = rpcs_->IngestRecording(request);
    EXPECT_THAT(response, IsOk());
    return response.ok() ? *response : v1::IngestRecordingResponse();
  }

  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::RecordingStore> recordings_;
  providers::ProviderRegistry registry_;
  std::unique_ptr<providers::Providers> providers_;
  ingest::IngestSettings settings_;
  std::unique_ptr<RecordingRpcs> rpcs_;
  int notified_ = 0;
};

TEST_F(RecordingRpcsTest, IngestFromS3MatchesAndIsIdempotent) {
  AddMeeting("m1", "whereby", "/team-abc", absl::Now() - absl::Hours(1));
  const v1::IngestRecordingRequest request =
      WherebyRequest("team-abc-2025-01-18T12:00:00Z.mp4");
  const v1::IngestRecordingResponse first = MustIngest(request);
  EXPECT_TRUE(first.created());
  const v1::Recording& r = first.recording();
  EXPECT_EQ(r.recording_id().size(), 36u);
  EXPECT_EQ(r.platform(), "whereby");
  EXPECT_EQ(r.meeting_id(), "m1");
  EXPECT_FALSE(r.unmatched());
  EXPECT_EQ(r.state(), v1::RECORDING_STATE_PENDING);
  EXPECT_EQ(r.kind(), v1::RECORDING_KIND_CLOUD);
  EXPECT_EQ(r.source(), absl::StrCat("s3://", kWherebyBucket,
                                     "/team-abc-2025-01-18T12:00:00Z.mp4"));
  EXPECT_EQ(r.room_name(), "/team-abc");
  EXPECT_EQ(r.start_time().seconds(), 1737201600);
  EXPECT_FALSE(r.has_media());
  EXPECT_EQ(notified_, 1);

  const v1::IngestRecordingResponse second = MustIngest(request);
  EXPECT_FALSE(second.created());
  EXPECT_EQ(second.recording().recording_id(), r.recording_id());
  EXPECT_EQ(notified_, 1);

  auto got = rpcs_->GetRecording([&] {
    v1::GetRecordingRequest get;
    get.set_recording_id(r.recording_id());
    return get;
  }());
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->recording().SerializeAsString(), r.SerializeAsString());
}

TEST_F(RecordingRpcsTest, UnmatchedRecordingsAreStillRegistered) {
  const v1::IngestRecordingResponse response =
      MustIngest(WherebyRequest("nobody-2025-01-18T12:00:00Z.mp4"));
  EXPECT_TRUE(response.created());
  EXPECT_TRUE(response.recording().unmatched());
  EXPECT_EQ(response.recording().meeting_id(), "");
}

TEST_F(RecordingRpcsTest, AnExplicitMeetingWins) {
  AddMeeting("m1", "whereby", "/team-abc", absl::Now());
  AddMeeting("m2", "whereby", "/elsewhere", absl::Now());
  AddMeeting("d1", "daily", "room", absl::Now());
  v1::IngestRecordingRequest request =
      WherebyRequest("team-abc-2025-01-18T12:00:00Z.mp4");
  request.set_meeting_id("m2");
  EXPECT_EQ(MustIngest(request).recording().meeting_id(), "m2");

  request = WherebyRequest("other.mp4");
  request.set_meeting_id("missing");
  EXPECT_THAT(rpcs_->IngestRecording(request),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
  request.set_meeting_id("d1");
  EXPECT_THAT(
      rpcs_->IngestRecording(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("meeting_id: ")));
}

TEST_F(RecordingRpcsTest, DailyRecordingIdAndRoomMatching) {
  const absl::Time start = absl::FromUnixSeconds(1737201600);
  AddMeeting("early", "daily", "standup-1", start - absl::Hours(5));
  AddMeeting("near", "daily", "standup-1", start - absl::Minutes(2));
  v1::IngestRecordingRequest request;
  request.set_platform("daily");
  request.set_daily_recording_id("rec-uuid");
  request.set_room_name("standup-1");
  request.mutable_start_time()->set_seconds(absl::ToUnixSeconds(start));
  request.add_tracks()->set_type("audio");
  request.mutable_tracks(0)->set_s3_key("d/standup-1/1-a");
  request.mutable_tracks(0)->set_size_bytes(42);
  const v1::IngestRecordingResponse response = MustIngest(request);
  EXPECT_EQ(response.recording().meeting_id(), "near");
  EXPECT_EQ(response.recording().provider_recording_id(), "rec-uuid");
  EXPECT_EQ(response.recording().source(), "daily-recording:rec-uuid");
  EXPECT_EQ(response.recording().kind(), v1::RECORDING_KIND_RAW_TRACKS);
  ASSERT_THAT(response.recording().tracks(), SizeIs(1));
  EXPECT_EQ(response.recording().tracks(0).size_bytes(), 42);
  // The same Daily recording again, now as a link: the same recording.
  v1::IngestRecordingRequest again;
  again.set_platform("daily");
  again.set_download_url("https://x.daily.co/rec.mp4?sig=secret");
  again.set_provider_recording_id("rec-uuid");
  const v1::IngestRecordingResponse second = MustIngest(again);
  EXPECT_FALSE(second.created());
  EXPECT_EQ(second.recording().recording_id(),
            response.recording().recording_id());
}

TEST_F(RecordingRpcsTest, UrlsAreShownWithoutTheirQuery) {
  v1::IngestRecordingRequest request;
  request.set_platform("daily");
  request.set_download_url("https://x.daily.co/rec.mp4?sig=secret");
  const v1::IngestRecordingResponse response = MustIngest(request);
  EXPECT_EQ(response.recording().source(), "https://x.daily.co/rec.mp4");
  EXPECT_TRUE(response.recording().unmatched());
}

TEST_F(RecordingRpcsTest, EveryFieldIsValidated) {
  struct Case {
    std::function<void(v1::IngestRecordingRequest&)> change;
    absl::StatusCode code;
    std::string prefix;
  };
  const Case cases[] = {
      {[](auto& r) { r.set_platform(""); }, absl::StatusCode::kInvalidArgument,
       "platform: "},
      {[](auto& r) { r.set_platform("nope"); },
       absl::StatusCode::kInvalidArgument, "platform: "},
      {[](auto& r) { r.set_platform("zoomish"); },
       absl::StatusCode::kFailedPrecondition, ""},
      {[](auto& r) { r.clear_source(); }, absl::StatusCode::kInvalidArgument,
       "source: "},
      {[](auto& r) { r.mutable_s3_object()->set_bucket(""); },
       absl::StatusCode::kInvalidArgument, "s3_object.bucket: "},
      {[](auto& r) { r.mutable_s3_object()->set_bucket("someone-elses"); },
       absl::StatusCode::kInvalidArgument, "s3_object.bucket: "},
      {[](auto& r) { r.mutable_s3_object()->set_key(""); },
       absl::StatusCode::kInvalidArgument, "s3_object.key: "},
      {[](auto& r) { r.mutable_s3_object()->set_key("a\nb"); },
       absl::StatusCode::kInvalidArgument, "s3_object.key: "},
      {[](auto& r) { r.set_platform("daily"); },
       absl::StatusCode::kFailedPrecondition, ""},
      {[](auto& r) { r.set_download_url("https://169.254.169.254/x"); },
       absl::StatusCode::kInvalidArgument, "download_url: "},
      {[](auto& r) { r.set_download_url(""); },
       absl::StatusCode::kInvalidArgument, "download_url: "},
      {[](auto& r) { r.set_daily_recording_id("x"); },
       absl::StatusCode::kInvalidArgument, "daily_recording_id: "},
      {[](auto& r) { r.set_kind(static_cast<v1::RecordingKind>(99)); },
       absl::StatusCode::kInvalidArgument, "kind: "},
      {[](auto& r) { r.add_tracks()->set_type("subtitles"); },
       absl::StatusCode::kInvalidArgument, "tracks[0].type: "},
      {[](auto& r) { r.add_tracks()->set_type("audio"); },
       absl::StatusCode::kInvalidArgument, "tracks[0].s3_key: "},
      {[](auto& r) { r.mutable_start_time()->set_nanos(-1); },
       absl::StatusCode::kInvalidArgument, "start_time"},
      {[](auto& r) { r.set_meeting_id(std::string(200, 'm')); },
       absl::StatusCode::kInvalidArgument, "meeting_id: "},
      {[](auto& r) { r.set_provider_recording_id(std::string("\x01")); },
       absl::StatusCode::kInvalidArgument, "provider_recording_id: "},
  };
  for (const Case& c : cases) {
    v1::IngestRecordingRequest request = WherebyRequest("k.mp4");
    c.change(request);
    EXPECT_THAT(rpcs_->IngestRecording(request),
                StatusIs(c.code, StartsWith(c.prefix)))
        << request.ShortDebugString();
  }
  EXPECT_EQ(notified_, 0);
  auto page = recordings_->List({});
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(page->recordings, SizeIs(0));
}

TEST_F(RecordingRpcsTest, GetValidatesAndFindsNothing) {
  EXPECT_THAT(rpcs_->GetRecording(v1::GetRecordingRequest()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("recording_id: ")));
  v1::GetRecordingRequest request;
  request.set_recording_id("nope");
  EXPECT_THAT(rpcs_->GetRecording(request),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST_F(RecordingRpcsTest, ListByMeetingAndStatePaged) {
  AddMeeting("m1", "whereby", "/a", absl::Now());
  for (int i = 0; i < 3; ++i) {
    v1::IngestRecordingRequest request = WherebyRequest(absl::StrCat(i));
    if (i > 0) request.set_meeting_id("m1");
    MustIngest(request);
  }
  v1::ListRecordingsRequest request;
  request.set_meeting_id("m1");
  request.set_state(v1::RECORDING_STATE_PENDING);
  request.set_page_size(1);
  int seen = 0;
  do {
    auto page = rpcs_->ListRecordings(request);
    ASSERT_THAT(page, IsOk());
    for (const v1::Recording& r : page->recordings()) {
      EXPECT_EQ(r.meeting_id(), "m1");
      ++seen;
    }
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  EXPECT_EQ(seen, 2);

  request = v1::ListRecordingsRequest();
  request.set_state(v1::RECORDING_STATE_READY);
  auto none = rpcs_->ListRecordings(request);
  ASSERT_THAT(none, IsOk());
  EXPECT_THAT(none->recordings(), SizeIs(0));

  request.set_state(static_cast<v1::RecordingState>(7));
  EXPECT_THAT(
      rpcs_->ListRecordings(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("state: ")));
  request = v1::ListRecordingsRequest();
  request.set_page_size(-1);
  EXPECT_THAT(
      rpcs_->ListRecordings(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("page_size: ")));
  request = v1::ListRecordingsRequest();
  request.set_page_token("garbage");
  EXPECT_THAT(
      rpcs_->ListRecordings(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("page_token")));
}

TEST(IngestRequestForEventTest, RecordingReadyEventsBecomeRequests) {
  ingest::IngestSettings settings;
  settings.SetBucket("whereby", {"wb", {"AK", "s", "r", ""}});
  v1::Event event;
  event.set_type(v1::EVENT_TYPE_RECORDING_READY);
  event.set_platform("whereby");
  event.set_meeting_id("m1");
  event.set_room_name("/room");
  event.mutable_recording()->set_provider_recording_id("wr-1");
  event.mutable_recording()->set_s3_key("room-2025-01-18T12:00:00Z.mp4");
  auto request = IngestRequestForEvent(event, settings);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->s3_object().bucket(), "wb");
  EXPECT_EQ(request->s3_object().key(), "room-2025-01-18T12:00:00Z.mp4");
  EXPECT_EQ(request->provider_recording_id(), "wr-1");
  EXPECT_EQ(request->meeting_id(), "m1");

  // Daily without a bucket: by recording id.
  event.set_platform("daily");
  event.mutable_recording()->set_provider_recording_id("dr-1");
  request = IngestRequestForEvent(event, settings);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->daily_recording_id(), "dr-1");

  event.set_type(v1::EVENT_TYPE_RECORDING_STARTED);
  EXPECT_FALSE(IngestRequestForEvent(event, settings).has_value());
}

}  // namespace
}  // namespace videoplatform::server
