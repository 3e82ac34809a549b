#include "server/bearer_auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/http/openssl_fips_only.h"
#include "server/common/status_matchers.h"

namespace videoplatform::server {
namespace {

using ::testing::_;
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

// Fail closed: when OpenSSL cannot compute SHA-256 (a FIPS-only
// configuration), no token is accepted; before this, both digests came out
// as zeros and any token matched.
TEST(BearerAuthTest, DigestFailuresRejectEveryToken) {
  const BearerAuth before("tok-123");
  providers::http::testing::ScopedFipsOnlyOpenSsl fips;
  ASSERT_TRUE(fips.ok());
  const BearerAuth during("tok-123");
  EXPECT_TRUE(during.enabled());
  for (const BearerAuth* auth : {&before, &during}) {
    EXPECT_THAT(
        auth->CheckHeader("Bearer tok-123"),
        StatusIs(absl::StatusCode::kInternal, Not(HasSubstr("tok-123"))));
    EXPECT_THAT(auth->CheckHeader("Bearer anything"),
                StatusIs(absl::StatusCode::kInternal, _));
  }
}

TEST(BearerAuthTest, TheWebhookTokenOpensTheWebhookRpcsOnly) {
  const BearerAuth auth("api-token-123", "hook-token-456");
  EXPECT_THAT(auth.CheckHeader("Bearer hook-token-456", "HandleWebhook"),
              IsOk());
  EXPECT_THAT(auth.CheckHeader("Bearer hook-token-456", "VerifyWebhook"),
              IsOk());
  for (const char* rpc : {"CreateMeeting", "WatchEvents", ""}) {
    EXPECT_THAT(auth.CheckHeader("Bearer hook-token-456", rpc),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         Not(HasSubstr("hook-token-456"))))
        << rpc;
    EXPECT_THAT(auth.CheckHeader("Bearer api-token-123", rpc), IsOk()) << rpc;
  }
  EXPECT_THAT(auth.CheckHeader("Bearer api-token-123", "HandleWebhook"),
              IsOk());
  EXPECT_THAT(auth.CheckHeader("Bearer other", "HandleWebhook"),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
}

TEST(BearerAuthTest, ErrorsNeverEchoTheCredential) {
  const BearerAuth auth("tok-123");
  const absl::Status status = auth.CheckHeader("Bearer guess-456");
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("guess-456")));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("tok-123")));
}

}  // namespace
}  // namespace videoplatform::server
