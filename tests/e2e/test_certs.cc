#include "tests/e2e/test_certs.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace videoplatform::testing {
namespace {

absl::Status Run(const std::string& dir, const std::string& command) {
  const std::string log = dir + "/openssl.log";
  const std::string full =
      absl::StrCat("cd '", dir, "' && ( ", command, " ) >>'", log, "' 2>&1");
  if (std::system(full.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("openssl failed: ", command, "\n", ReadTextFile(log)));
  }
  return absl::OkStatus();
}

constexpr char kNewKey[] =
    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ";

}  // namespace

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<TestCerts> MakeTestCerts(const std::string& dir) {
  const std::string commands[] = {
      absl::StrCat(kNewKey, "ca.key"),
      "openssl req -x509 -new -key ca.key -subj /CN=test-ca -days 2 "
      "-out ca.pem",
      absl::StrCat(kNewKey, "server.key"),
      "openssl req -new -key server.key -subj /CN=localhost -out server.csr",
      "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext",
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
      "-CAcreateserial -days 2 -extfile server.ext -out server.pem",
      absl::StrCat(kNewKey, "client.key"),
      "openssl req -new -key client.key -subj /CN=test-client -out client.csr",
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key "
      "-CAcreateserial -days 2 -out client.pem",
      absl::StrCat(kNewKey, "stray.key"),
  };
  for (const std::string& command : commands) {
    if (absl::Status status = Run(dir, command); !status.ok()) return status;
  }
  return TestCerts{.ca_cert = dir + "/ca.pem",
                   .server_cert = dir + "/server.pem",
                   .server_key = dir + "/server.key",
                   .client_cert = dir + "/client.pem",
                   .client_key = dir + "/client.key",
                   .stray_key = dir + "/stray.key"};
}

}  // namespace videoplatform::testing
