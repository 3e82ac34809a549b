// Test only: a throw-away CA, a server certificate for localhost/127.0.0.1
// and a client certificate, made by the openssl command-line tool at test
// time (nothing is checked in).
#ifndef VIDEOPLATFORM_TESTS_E2E_TEST_CERTS_H_
#define VIDEOPLATFORM_TESTS_E2E_TEST_CERTS_H_

#include <string>

#include "absl/status/statusor.h"

namespace videoplatform::testing {

struct TestCerts {
  // Paths of PEM files.
  std::string ca_cert;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
  // A key that matches no certificate here.
  std::string stray_key;
};

// Creates the files under `dir` (which must exist). INTERNAL with openssl's
// output when a command fails.
absl::StatusOr<TestCerts> MakeTestCerts(const std::string& dir);

// The whole content of `path` ("" when unreadable).
std::string ReadTextFile(const std::string& path);

}  // namespace videoplatform::testing

#endif  // VIDEOPLATFORM_TESTS_E2E_TEST_CERTS_H_
