#include "server/common/host_port.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/status_matchers.h"

namespace videoplatform {
namespace {

using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

TEST(ParseHostPortTest, Forms) {
  absl::StatusOr<HostPort> parsed = ParseHostPort("127.0.0.1:0");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->host, "127.0.0.1");
  EXPECT_EQ(parsed->port, 0);
  parsed = ParseHostPort("[::1]:8080");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->host, "::1");
  EXPECT_EQ(parsed->port, 8080);
  parsed = ParseHostPort("localhost:65535");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->host, "localhost");
  for (const char* bad : {"", ":80", "host:", "host:-1", "host:65536",
                          "host:8x", "[]:80", "::1:80"}) {
    EXPECT_THAT(ParseHostPort(bad),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")))
        << bad;
  }
}

}  // namespace
}  // namespace videoplatform
