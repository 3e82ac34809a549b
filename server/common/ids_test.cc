#include "server/common/ids.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace videoplatform {
namespace {

TEST(NewUuidTest, IsCanonicalVersion4) {
  const std::string id = NewUuid();
  EXPECT_THAT(id, ::testing::MatchesRegex(
                      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                      "[0-9a-f]{12}"));
}

TEST(NewUuidTest, IsUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(NewUuid());
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace videoplatform
