#include "server/server_tls.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/status_matchers.h"
#include "tests/e2e/test_certs.h"

namespace videoplatform::server {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

class ServerTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto made = testing::MakeTestCerts(std::getenv("TEST_TMPDIR"));
    ASSERT_TRUE(made.ok()) << made.status();
    certs_ = new testing::TestCerts(*made);
  }
  static void TearDownTestSuite() { delete certs_; }

  static absl::StatusCode CodeOf(const TlsFiles& files) {
    return ServerCredentialsFor(files).status().code();
  }
  static std::string MessageOf(const TlsFiles& files) {
    return std::string(ServerCredentialsFor(files).status().message());
  }

  static testing::TestCerts* certs_;
};
testing::TestCerts* ServerTlsTest::certs_ = nullptr;

TEST_F(ServerTlsTest, NoFilesMeansPlaintext) {
  EXPECT_TRUE(ServerCredentialsFor({}).ok());
}

TEST_F(ServerTlsTest, AMatchingPairWithOrWithoutClientCaIsAccepted) {
  EXPECT_TRUE(ServerCredentialsFor({.cert_path = certs_->server_cert,
                                    .key_path = certs_->server_key})
                  .ok());
  EXPECT_TRUE(ServerCredentialsFor({.cert_path = certs_->server_cert,
                                    .key_path = certs_->server_key,
                                    .client_ca_path = certs_->ca_cert})
                  .ok());
}

TEST_F(ServerTlsTest, HalfAPairIsRefused) {
  EXPECT_EQ(CodeOf({.cert_path = certs_->server_cert}),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf({.key_path = certs_->server_key}),
              HasSubstr("--tls_cert and --tls_key must be set together"));
  EXPECT_THAT(MessageOf({.client_ca_path = certs_->ca_cert}),
              HasSubstr("--tls_client_ca needs --tls_cert and --tls_key"));
}

TEST_F(ServerTlsTest, AKeyOfAnotherCertificateIsRefusedWithoutItsBytes) {
  const std::string message = MessageOf(
      {.cert_path = certs_->server_cert, .key_path = certs_->stray_key});
  EXPECT_THAT(message, AllOf(HasSubstr("--tls_key"),
                             HasSubstr("does not match the certificate")));
  EXPECT_THAT(message, Not(HasSubstr("PRIVATE KEY")));
}

TEST_F(ServerTlsTest, MissingOrNonPemFilesNameTheFlag) {
  EXPECT_THAT(MessageOf({.cert_path = "/nonexistent/cert.pem",
                         .key_path = certs_->server_key}),
              HasSubstr("--tls_cert: cannot read /nonexistent/cert.pem"));
  const std::string junk = std::string(std::getenv("TEST_TMPDIR")) + "/junk";
  std::ofstream(junk) << "not a certificate";
  EXPECT_THAT(MessageOf({.cert_path = certs_->server_cert, .key_path = junk}),
              HasSubstr("--tls_key: " + junk + " is not a PEM file"));
  EXPECT_THAT(MessageOf({.cert_path = certs_->server_key,
                         .key_path = certs_->server_key}),
              HasSubstr("holds no PEM certificate"));
  EXPECT_THAT(MessageOf({.cert_path = certs_->server_cert,
                         .key_path = certs_->server_key,
                         .client_ca_path = junk}),
              HasSubstr("--tls_client_ca: " + junk + " is not a PEM file"));
}

}  // namespace
}  // namespace videoplatform::server
