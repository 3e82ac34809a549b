#include "server/ingest/recording_matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "storage/recording_store.h"
#include "storage/store.h"

namespace videoplatform::ingest {
namespace {

using ::videoplatform::testing::IsOk;

absl::Time Iso(const std::string& text) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &t, &error)) << error;
  return t;
}

TEST(ParseWherebyObjectKeyTest, SplitsRoomAndTime) {
  auto name = ParseWherebyObjectKey("myroom-3f2a-2025-01-18T12:00:00Z.mp4");
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->room_name, "/myroom-3f2a");
  EXPECT_EQ(name->start_time, Iso("2025-01-18T12:00:00Z"));
}

TEST(ParseWherebyObjectKeyTest, DecodesAndIgnoresFolders) {
  auto name = ParseWherebyObjectKey(
      "recordings/my%20room-2025-01-18T12%3A00%3A00.123Z.mp4");
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->room_name, "/my room");
  EXPECT_EQ(name->start_time, Iso("2025-01-18T12:00:00.123Z"));
  name = ParseWherebyObjectKey("a+b-2025-01-18T12:00:00Z.mp4");
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->room_name, "/a b");
}

TEST(ParseWherebyObjectKeyTest, RejectsOtherShapes) {
  for (const char* key :
       {"", "room.mp4", "room-2025-01-18.mp4", "-2025-01-18T12:00:00Z.mp4",
        "room-2025-13-45T12:00:00Z.mp4", "room-2025-01-18T12:00:00Z",
        "room2025-01-18T12:00:00Z.mp4"}) {
    EXPECT_FALSE(ParseWherebyObjectKey(key).has_value()) << key;
  }
}

TEST(ParseDailyObjectKeyTest, ReadsRoomAndStart) {
  DailyObjectName name = ParseDailyObjectKey(
      "reflector/standup-20250118120000/1737201600000-6f1c8a43-cam-audio-"
      "1737201601000");
  EXPECT_EQ(name.room_name, "standup-20250118120000");
  ASSERT_TRUE(name.start_time.has_value());
  EXPECT_EQ(*name.start_time, absl::FromUnixMillis(1737201600000));
  name = ParseDailyObjectKey("reflector/room/latest.mp4");
  EXPECT_EQ(name.room_name, "room");
  EXPECT_FALSE(name.start_time.has_value());
  name = ParseDailyObjectKey("just-a-key.mp4");
  EXPECT_EQ(name.room_name, "");
}

class MatchRecordingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    const char* dir = std::getenv("TEST_TMPDIR");
    auto store = storage::Store::Open(absl::StrCat(
        dir != nullptr ? dir : "/tmp", "/match-", ++counter, ".db"));
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
    recordings_ = std::make_unique<storage::RecordingStore>(store_->database());
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

  MatchResult Match(const MatchInput& input) {
    auto result = MatchRecording(*recordings_, input);
    EXPECT_THAT(result, IsOk());
    return result.ok() ? *result : MatchResult{};
  }

  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::RecordingStore> recordings_;
};

TEST_F(MatchRecordingTest, WherebyByTheRoomInTheKey) {
  const absl::Time t = Iso("2025-01-18T12:00:00Z");
  AddMeeting("m-old", "whereby", "/team-abc", t - absl::Hours(48));
  AddMeeting("m-new", "whereby", "/team-abc", t - absl::Minutes(5));
  AddMeeting("m-other", "whereby", "/other", t);
  AddMeeting("m-daily", "daily", "/team-abc", t);
  MatchInput input{"whereby", "team-abc-2025-01-18T12:00:00Z.mp4", "", {}};
  MatchResult result = Match(input);
  EXPECT_EQ(result.meeting_id, "m-new");
  EXPECT_EQ(result.room_name, "/team-abc");
  EXPECT_EQ(result.start_time, t);

  // Older recordings of the same room go to the older meeting.
  input.s3_key = "team-abc-2025-01-16T12:00:00Z.mp4";
  EXPECT_EQ(Match(input).meeting_id, "m-old");
  // A room name without "/" is normalized.
  EXPECT_EQ(Match({"whereby", "", "other", {}}).meeting_id, "m-other");
  // Unknown rooms and unparsable keys match nothing.
  EXPECT_EQ(
      Match({"whereby", "nobody-2025-01-18T12:00:00Z.mp4", "", {}}).meeting_id,
      "");
  EXPECT_EQ(Match({"whereby", "garbage", "", {}}).meeting_id, "");
}

TEST_F(MatchRecordingTest, DailyByRoomAndClosestStart) {
  const absl::Time t = Iso("2025-01-18T12:00:00Z");
  AddMeeting("m1", "daily", "standup", t - absl::Hours(3));
  AddMeeting("m2", "daily", "standup", t + absl::Hours(3));
  AddMeeting("m3", "daily", "standup", t + absl::Hours(24));
  EXPECT_EQ(Match({"daily", "", "standup", t - absl::Hours(2)}).meeting_id,
            "m1");
  EXPECT_EQ(Match({"daily", "", "standup", t + absl::Hours(2)}).meeting_id,
            "m2");
  // Without a start: the newest meeting of the room.
  EXPECT_EQ(Match({"daily", "", "standup", {}}).meeting_id, "m3");
  // Room and start read from the object key.
  MatchResult result =
      Match({"daily",
             absl::StrCat("reflector/standup/",
                          absl::ToUnixMillis(t + absl::Hours(20)), "-uuid"),
             "",
             {}});
  EXPECT_EQ(result.meeting_id, "m3");
  EXPECT_EQ(result.room_name, "standup");
  EXPECT_EQ(Match({"daily", "", "elsewhere", t}).meeting_id, "");
  EXPECT_EQ(Match({"daily", "", "", {}}).meeting_id, "");
}

}  // namespace
}  // namespace videoplatform::ingest
