// The shim reaches a service that serves mutual TLS: with the CA, its client
// certificate and the server name it is ready (its /readyz asks the
// service's health over the channel); without them it is not.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "tests/e2e/server_process.h"
#include "tests/e2e/test_certs.h"

namespace videoplatform::testing {
namespace {

int ReadyzStatus(int port) {
  httplib::Client http("127.0.0.1", port);
  // The channel connects lazily: give it a few tries.
  int status = 0;
  for (int i = 0; i < 20; ++i) {
    auto answer = http.Get("/readyz");
    status = answer ? answer->status : 0;
    if (status == 200) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return status;
}

TEST(ShimTlsTest, TheShimReachesAMutualTlsService) {
  auto certs = MakeTestCerts(std::getenv("TEST_TMPDIR"));
  ASSERT_TRUE(certs.ok()) << certs.status();
  auto service =
      ServerProcess::Start({.env = {{"DEFAULT_VIDEO_PLATFORM", "mock"}},
                            .args = {"--tls_cert=" + certs->server_cert,
                                     "--tls_key=" + certs->server_key,
                                     "--tls_client_ca=" + certs->ca_cert}});
  ASSERT_TRUE(service.ok()) << service.status();

  auto shim =
      ServerProcess::Start({.args = {"--service=" + (*service)->address(),
                                     "--service_tls_ca=" + certs->ca_cert,
                                     "--service_tls_cert=" + certs->client_cert,
                                     "--service_tls_key=" + certs->client_key,
                                     "--service_tls_server_name=localhost"},
                            .binary = "server/shim/webhook_shim"});
  ASSERT_TRUE(shim.ok()) << shim.status();
  EXPECT_EQ(ReadyzStatus((*shim)->port()), 200);

  auto plaintext_shim =
      ServerProcess::Start({.args = {"--service=" + (*service)->address()},
                            .binary = "server/shim/webhook_shim"});
  ASSERT_TRUE(plaintext_shim.ok()) << plaintext_shim.status();
  EXPECT_EQ(ReadyzStatus((*plaintext_shim)->port()), 503);
}

TEST(ShimTlsTest, HalfAClientPairIsAUsageError) {
  std::string output;
  auto code = RunServerToExit({.args = {"--service_tls_cert=/tmp/x.pem"},
                               .binary = "server/shim/webhook_shim"},
                              absl::Seconds(20), &output);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 2);
  EXPECT_THAT(output, ::testing::HasSubstr("need --service_tls_ca"));
}

}  // namespace
}  // namespace videoplatform::testing
