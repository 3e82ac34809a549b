#include "server/shim/shim_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/common/status_matchers.h"

namespace videoplatform::shim {
namespace {

using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

ShimFlagValues Defaults() {
  ShimFlagValues values;
  values.listen = "127.0.0.1:8080";
  values.service = "127.0.0.1:50051";
  values.max_body_bytes = "1048576";
  values.rpc_timeout = "4s";
  values.read_timeout = "5s";
  values.max_connections = "1024";
  return values;
}

TEST(ShimFlagsTest, DefaultsGiveTheDefaultOptions) {
  const absl::StatusOr<ShimOptions> options =
      ShimOptionsFromFlags(Defaults(), "token");
  ASSERT_THAT(options, IsOk());
  const ShimOptions defaults;
  EXPECT_EQ(options->listen_address, defaults.listen_address);
  EXPECT_EQ(options->service.target, defaults.service.target);
  EXPECT_EQ(options->service.api_token, "token");
  EXPECT_EQ(options->limits.max_body_bytes, defaults.limits.max_body_bytes);
  EXPECT_EQ(options->service.rpc_timeout, defaults.service.rpc_timeout);
  EXPECT_EQ(options->read_timeout, defaults.read_timeout);
  EXPECT_EQ(options->max_connections, defaults.max_connections);
  EXPECT_EQ(options->max_connections_per_ip, defaults.max_connections_per_ip);
  EXPECT_EQ(options->io_threads, defaults.io_threads);
  EXPECT_EQ(options->idle_timeout, defaults.idle_timeout);
  EXPECT_EQ(options->shutdown_grace, defaults.shutdown_grace);
}

TEST(ShimFlagsTest, ParsesValues) {
  ShimFlagValues values = Defaults();
  values.listen = "[::1]:0";
  values.max_body_bytes = "4096";
  values.rpc_timeout = "1500ms";
  values.read_timeout = "2s";
  values.max_connections = "8";
  values.max_connections_per_ip = "3";
  values.io_threads = "4";
  values.idle_timeout = "30s";
  values.write_timeout = "3s";
  values.shutdown_grace = "0s";
  const absl::StatusOr<ShimOptions> options = ShimOptionsFromFlags(values, "");
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->max_connections_per_ip, 3);
  EXPECT_EQ(options->io_threads, 4);
  EXPECT_EQ(options->idle_timeout, absl::Seconds(30));
  EXPECT_EQ(options->write_timeout, absl::Seconds(3));
  EXPECT_EQ(options->shutdown_grace, absl::ZeroDuration());
  EXPECT_EQ(options->limits.max_body_bytes, 4096u);
  EXPECT_EQ(options->service.rpc_timeout, absl::Milliseconds(1500));
  EXPECT_EQ(options->read_timeout, absl::Seconds(2));
  EXPECT_EQ(options->max_connections, 8);
}

TEST(ShimFlagsTest, BadValuesNameTheFlag) {
  const struct {
    std::string ShimFlagValues::*field;
    const char* value;
    const char* flag;
  } cases[] = {
      {&ShimFlagValues::listen, "8080", "--listen"},
      {&ShimFlagValues::listen, "host:99999", "--listen"},
      {&ShimFlagValues::listen, "::1:80", "--listen"},
      {&ShimFlagValues::listen, "[::1:80", "--listen"},
      {&ShimFlagValues::service, "", "--service"},
      {&ShimFlagValues::max_body_bytes, "1MiB", "--max_body_bytes"},
      {&ShimFlagValues::max_body_bytes, "0", "--max_body_bytes"},
      {&ShimFlagValues::max_body_bytes, "1048577", "--max_body_bytes"},
      {&ShimFlagValues::max_body_bytes, "-1", "--max_body_bytes"},
      {&ShimFlagValues::rpc_timeout, "4", "--rpc_timeout"},
      {&ShimFlagValues::rpc_timeout, "0s", "--rpc_timeout"},
      {&ShimFlagValues::rpc_timeout, "-1s", "--rpc_timeout"},
      {&ShimFlagValues::rpc_timeout, "2m", "--rpc_timeout"},
      {&ShimFlagValues::read_timeout, "soon", "--read_timeout"},
      {&ShimFlagValues::read_timeout, "0s", "--read_timeout"},
      {&ShimFlagValues::max_connections, "0", "--max_connections"},
      {&ShimFlagValues::max_connections, "65537", "--max_connections"},
      {&ShimFlagValues::max_connections_per_ip, "0",
       "--max_connections_per_ip"},
      {&ShimFlagValues::max_connections_per_ip, "x",
       "--max_connections_per_ip"},
      {&ShimFlagValues::io_threads, "0", "--io_threads"},
      {&ShimFlagValues::io_threads, "65", "--io_threads"},
      {&ShimFlagValues::idle_timeout, "0s", "--idle_timeout"},
      {&ShimFlagValues::idle_timeout, "later", "--idle_timeout"},
      {&ShimFlagValues::write_timeout, "0s", "--write_timeout"},
      {&ShimFlagValues::shutdown_grace, "-1s", "--shutdown_grace"},
      {&ShimFlagValues::max_connections, "many", "--max_connections"},
  };
  for (const auto& c : cases) {
    ShimFlagValues values = Defaults();
    values.*c.field = c.value;
    EXPECT_THAT(ShimOptionsFromFlags(values, ""),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.flag)))
        << c.flag << "=" << c.value;
  }
}

}  // namespace
}  // namespace videoplatform::shim
