// videoplatformd over TLS and mutual TLS, with certificates made by openssl
// at test time: a TLS client is served, a plaintext client and (with
// --tls_client_ca) a client without a certificate are not.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "tests/e2e/test_certs.h"

namespace videoplatform::testing {
namespace {

using ::testing::HasSubstr;

class TlsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto made = MakeTestCerts(std::getenv("TEST_TMPDIR"));
    ASSERT_TRUE(made.ok()) << made.status();
    certs_ = new TestCerts(*made);
  }
  static void TearDownTestSuite() { delete certs_; }

  void StartServer(std::vector<std::string> tls_args) {
    ServerProcessOptions options;
    options.env = {{"DEFAULT_VIDEO_PLATFORM", "mock"},
                   {"DAILY_MIGRATION_ENABLED", "true"}};
    options.args = std::move(tls_args);
    auto server = ServerProcess::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // Health of the server through a channel with `credentials`.
  std::string HealthThrough(
      std::shared_ptr<grpc::ChannelCredentials> credentials) {
    grpc::ChannelArguments arguments;
    arguments.SetSslTargetNameOverride("localhost");
    auto channel =
        grpc::CreateCustomChannel(server_->address(), credentials, arguments);
    channel->WaitForConnected(
        absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    return RpcClient(channel).HealthStatus("");
  }

  static std::shared_ptr<grpc::ChannelCredentials> Tls(bool with_client_cert) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadTextFile(certs_->ca_cert);
    if (with_client_cert) {
      options.pem_cert_chain = ReadTextFile(certs_->client_cert);
      options.pem_private_key = ReadTextFile(certs_->client_key);
    }
    return grpc::SslCredentials(options);
  }

  static TestCerts* certs_;
  std::unique_ptr<ServerProcess> server_;
};
TestCerts* TlsE2eTest::certs_ = nullptr;

TEST_F(TlsE2eTest, ServesTlsClientsAndRefusesPlaintext) {
  StartServer(
      {"--tls_cert=" + certs_->server_cert, "--tls_key=" + certs_->server_key});
  EXPECT_EQ(HealthThrough(Tls(false)), "SERVING");
  EXPECT_THAT(HealthThrough(grpc::InsecureChannelCredentials()),
              HasSubstr("error"));
  EXPECT_THAT(server_->Output(), HasSubstr("tls on"));
}

TEST_F(TlsE2eTest, MutualTlsRequiresAClientCertificate) {
  StartServer({"--tls_cert=" + certs_->server_cert,
               "--tls_key=" + certs_->server_key,
               "--tls_client_ca=" + certs_->ca_cert});
  EXPECT_EQ(HealthThrough(Tls(true)), "SERVING");
  EXPECT_THAT(HealthThrough(Tls(false)), HasSubstr("error"));
}

TEST_F(TlsE2eTest, AMismatchedKeyStopsTheServerAtStart) {
  ServerProcessOptions options;
  options.args = {"--tls_cert=" + certs_->server_cert,
                  "--tls_key=" + certs_->stray_key};
  std::string output;
  auto code = RunServerToExit(std::move(options), absl::Seconds(20), &output);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_NE(*code, 0);
  EXPECT_THAT(output, HasSubstr("does not match the certificate"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("PRIVATE KEY")));
}

}  // namespace
}  // namespace videoplatform::testing
