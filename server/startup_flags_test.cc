#include "server/startup_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "providers/builtin_providers.h"
#include "server/common/status_matchers.h"

namespace videoplatform::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

TEST(ReadStartupFlagsTest, UnsetVariablesStayUnset) {
  const auto flags = ReadStartupFlags(providers::MapSettings({}));
  ASSERT_THAT(flags, IsOk());
  EXPECT_FALSE(flags->daily_migration_enabled.has_value());
  EXPECT_FALSE(flags->default_platform.has_value());
  EXPECT_FALSE(flags->daily_migration_room_ids.has_value());
}

TEST(ReadStartupFlagsTest, ParsesTheBackendsFormats) {
  for (const char* yes : {"true", "True", "1", "yes", "ON", " true "}) {
    const auto flags = ReadStartupFlags(
        providers::MapSettings({{"DAILY_MIGRATION_ENABLED", yes}}));
    ASSERT_THAT(flags, IsOk()) << yes;
    EXPECT_EQ(flags->daily_migration_enabled, true) << yes;
  }
  for (const char* no : {"false", "FALSE", "0", "no", "off"}) {
    const auto flags = ReadStartupFlags(
        providers::MapSettings({{"DAILY_MIGRATION_ENABLED", no}}));
    ASSERT_THAT(flags, IsOk()) << no;
    EXPECT_EQ(flags->daily_migration_enabled, false) << no;
  }
  const auto flags = ReadStartupFlags(providers::MapSettings(
      {{"DEFAULT_VIDEO_PLATFORM", " Daily "},
       {"DAILY_MIGRATION_ROOM_IDS", R"(["a", "b-2"])"}}));
  ASSERT_THAT(flags, IsOk());
  EXPECT_EQ(flags->default_platform, "daily");
  EXPECT_THAT(*flags->daily_migration_room_ids, ElementsAre("a", "b-2"));
}

TEST(ReadStartupFlagsTest, MalformedValuesNameTheVariable) {
  EXPECT_THAT(ReadStartupFlags(
                  providers::MapSettings({{"DAILY_MIGRATION_ENABLED", "2"}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("DAILY_MIGRATION_ENABLED")));
  for (const char* bad :
       {"a,b", "{\"a\": 1}", "[1, 2]", "[\"\"]", "[", "\"room\""}) {
    EXPECT_THAT(ReadStartupFlags(providers::MapSettings(
                    {{"DAILY_MIGRATION_ROOM_IDS", bad}})),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("DAILY_MIGRATION_ROOM_IDS")))
        << bad;
  }
}

class ApplyStartupFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(providers::RegisterBuiltinProviders(registry_), IsOk());
    auto providers =
        providers::Providers::Create(registry_, providers::MapSettings({}));
    ASSERT_THAT(providers, IsOk());
    providers_ = *std::move(providers);
    auto store = storage::Store::Open(std::string(getenv("TEST_TMPDIR")) + "/" +
                                      test_info_->name() + ".db");
    ASSERT_THAT(store, IsOk());
    store_ = *std::move(store);
  }

  absl::Status Apply(std::map<std::string, std::string> values) {
    auto flags = ReadStartupFlags(providers::MapSettings(std::move(values)));
    if (!flags.ok()) return flags.status();
    return ApplyStartupFlags(*flags, *store_, *providers_);
  }

  const ::testing::TestInfo* test_info_ =
      ::testing::UnitTest::GetInstance()->current_test_info();
  providers::ProviderRegistry registry_;
  std::unique_ptr<providers::Providers> providers_;
  std::unique_ptr<storage::Store> store_;
};

TEST_F(ApplyStartupFlagsTest, SetVariablesAreWrittenUnsetOnesKept) {
  ASSERT_THAT(Apply({{"DAILY_MIGRATION_ENABLED", "true"},
                     {"DEFAULT_VIDEO_PLATFORM", "mock"}}),
              IsOk());
  auto flags = store_->GetFlags();
  ASSERT_THAT(flags, IsOk());
  EXPECT_TRUE(flags->daily_migration_enabled);
  EXPECT_EQ(flags->default_platform, "mock");
  EXPECT_EQ(flags->updated_by, "env");

  ASSERT_THAT(Apply({{"DAILY_MIGRATION_ENABLED", "false"}}), IsOk());
  flags = store_->GetFlags();
  ASSERT_THAT(flags, IsOk());
  EXPECT_FALSE(flags->daily_migration_enabled);
  EXPECT_EQ(flags->default_platform, "mock");
}

TEST_F(ApplyStartupFlagsTest, UnknownDefaultPlatformIsRefused) {
  EXPECT_THAT(Apply({{"DEFAULT_VIDEO_PLATFORM", "zoom"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("DEFAULT_VIDEO_PLATFORM")));
  const auto flags = store_->GetFlags();
  ASSERT_THAT(flags, IsOk());
  EXPECT_EQ(flags->default_platform, "whereby");  // Unchanged.
}

TEST_F(ApplyStartupFlagsTest, RoomListOwnsOnlyItsOwnOverrides) {
  ASSERT_THAT(store_->SetRoomPlatform("pinned", "mock", "ops", absl::Now()),
              IsOk());
  ASSERT_THAT(Apply({{"DAILY_MIGRATION_ROOM_IDS", R"(["r1", "r2"])"}}), IsOk());
  ASSERT_THAT(Apply({{"DAILY_MIGRATION_ROOM_IDS", R"(["r2"])"}}), IsOk());
  const auto page = store_->ListRoomPlatforms(100, "");
  ASSERT_THAT(page, IsOk());
  std::vector<std::string> rooms;
  for (const auto& room : page->room_platforms) {
    rooms.push_back(room.room_id + "=" + room.platform);
  }
  EXPECT_THAT(rooms, ElementsAre("pinned=mock", "r2=daily"));
}

}  // namespace
}  // namespace videoplatform::server
