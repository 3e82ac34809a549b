#include "server/bearer_auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/common/status_matchers.h"

namespace videoplatform::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

TEST(BearerAuthTest, DisabledAcceptsAnything) {
  const BearerAuth auth("");
  EXPECT_FALSE(auth.enabled());
  EXPECT_THAT(auth.CheckHeader(""), IsOk());
}

TEST(BearerAuthTest, AcceptsOnlyTheExactToken) {
  const BearerAuth auth("tok-123");
  EXPECT_TRUE(auth.enabled());
  EXPECT_THAT(auth.CheckHeader("Bearer tok-123"), IsOk());
  EXPECT_THAT(auth.CheckHeader("bearer tok-123"), IsOk());
  EXPECT_THAT(
      auth.CheckHeader("Bearer tok-1234"),
      StatusIs(absl::StatusCode::kUnauthenticated, "invalid bearer token"));
  EXPECT_THAT(auth.CheckHeader("Bearer tok-12"),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  EXPECT_THAT(auth.CheckHeader("Bearer "),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  EXPECT_THAT(auth.CheckHeader("tok-123"),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("Bearer <token>")));
  EXPECT_THAT(auth.CheckHeader("Basic dG9rLTEyMw=="),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST(BearerAuthTest, ErrorsNeverEchoTheCredential) {
  const BearerAuth auth("tok-123");
  const absl::Status status = auth.CheckHeader("Bearer guess-456");
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("guess-456")));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("tok-123")));
}

}  // namespace
}  // namespace videoplatform::server
