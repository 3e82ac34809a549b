#include "providers/setting_aliases.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "providers/registry.h"
#include "server/common/status_matchers.h"

namespace videoplatform::providers {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

const std::vector<SettingAliases> kAliases = {
    {"BUCKET", {"AWS_BUCKET", "STORAGE_BUCKET_NAME"}}};

TEST(SettingAliasesTest, AnAliasAnswersForTheCanonicalName) {
  const SettingsLookup settings = WithSettingAliases(
      MapSettings({{"STORAGE_BUCKET_NAME", "b"}, {"OTHER", "o"}}), kAliases);
  EXPECT_THAT(settings("BUCKET"), Optional(std::string("b")));
  EXPECT_THAT(settings("OTHER"), Optional(std::string("o")));
  EXPECT_EQ(settings("MISSING"), std::nullopt);
}

TEST(SettingAliasesTest, TheCanonicalNameWins) {
  const SettingsLookup settings = WithSettingAliases(
      MapSettings({{"BUCKET", "canonical"}, {"AWS_BUCKET", "canonical"}}),
      kAliases);
  EXPECT_THAT(settings("BUCKET"), Optional(std::string("canonical")));
}

TEST(SettingAliasesTest, AConflictNamesBothSettingsButNoValue) {
  EXPECT_THAT(
      CheckSettingAliases(
          MapSettings({{"AWS_BUCKET", "value-1"}, {"BUCKET", "value-2"}}),
          kAliases),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("BUCKET and AWS_BUCKET"),
                     Not(HasSubstr("value-1")), Not(HasSubstr("value-2")))));
  EXPECT_THAT(
      CheckSettingAliases(MapSettings({{"AWS_BUCKET", "same"},
                                       {"STORAGE_BUCKET_NAME", "same"}}),
                          kAliases),
      IsOk());
  EXPECT_THAT(CheckSettingAliases(MapSettings({}), kAliases), IsOk());
}

}  // namespace
}  // namespace videoplatform::providers
