#include "server/grpc_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/common/status_matchers.h"

namespace videoplatform::server {
namespace {

using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

TEST(CheckListenAddressTest, LoopbackNeedsNoToken) {
  EXPECT_THAT(CheckListenAddress("127.0.0.1:50051", false), IsOk());
  EXPECT_THAT(CheckListenAddress("127.1.2.3:0", false), IsOk());
  EXPECT_THAT(CheckListenAddress("localhost:80", false), IsOk());
  EXPECT_THAT(CheckListenAddress("[::1]:50051", false), IsOk());
}

TEST(CheckListenAddressTest, OtherAddressesNeedAToken) {
  for (const char* address :
       {"0.0.0.0:50051", "[::]:50051", "10.0.0.5:1", "example.com:443"}) {
    EXPECT_THAT(CheckListenAddress(address, false),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("without an API token")))
        << address;
    EXPECT_THAT(CheckListenAddress(address, true), IsOk()) << address;
  }
}

TEST(CheckListenAddressTest, RejectsMalformedAddresses) {
  for (const char* address :
       {"", "127.0.0.1", ":50051", "127.0.0.1:port", "127.0.0.1:70000",
        "127.0.0.1:-1", "[::1:50051"}) {
    EXPECT_THAT(CheckListenAddress(address, true),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_))
        << address;
  }
}

TEST(CheckTokenStrengthTest, ShortTokensAreRefusedWithoutEchoingThem) {
  EXPECT_TRUE(CheckTokenStrength("T", "").ok());
  EXPECT_TRUE(CheckTokenStrength("T", "0123456789abcdef").ok());
  const absl::Status short_token = CheckTokenStrength("T", "hunter2");
  EXPECT_EQ(short_token.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(short_token.message()),
      ::testing::AllOf(::testing::HasSubstr("T is 7 characters long"),
                       ::testing::HasSubstr("at least 16"),
                       ::testing::Not(::testing::HasSubstr("hunter2"))));
}

}  // namespace
}  // namespace videoplatform::server
