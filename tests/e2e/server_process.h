// Runs videoplatformd as a child process for end-to-end tests, on
// 127.0.0.1:0 with a database in the test's temporary directory.
#ifndef VIDEOPLATFORM_TESTS_E2E_SERVER_PROCESS_H_
#define VIDEOPLATFORM_TESTS_E2E_SERVER_PROCESS_H_

#include <grpcpp/channel.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace videoplatform::testing {

struct ServerProcessOptions {
  // Environment of the server on top of a minimal base (PATH, HOME). Nothing
  // is inherited from the test's own environment.
  std::map<std::string, std::string> env;
  // Extra command-line flags.
  std::vector<std::string> args;
  // Database file; defaults to a fresh file under TEST_TMPDIR.
  std::string db_path;
  std::string listen_address = "127.0.0.1:0";
  // Runfiles path of another binary taking --listen and --port_file (e.g.
  // "server/shim/webhook_shim"); it gets no --db. Empty: videoplatformd.
  std::string binary;
};

// Not thread-safe. The destructor kills a server that is still running.
class ServerProcess {
 public:
  // Starts the server and waits until it serves (its port file appears), or
  // fails with its exit status and output when it exits first.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      ServerProcessOptions options);
  ~ServerProcess();

  int port() const { return port_; }
  std::string address() const;
  const std::string& db_path() const { return db_path_; }
  // A channel to the server, connected.
  std::shared_ptr<grpc::Channel> Channel() const;

  // Sends `signal_number` and waits for exit. Returns the exit code (or
  // 128 + the signal that killed it).
  absl::StatusOr<int> Stop(int signal_number, absl::Duration timeout);

  // Everything the server wrote to stdout and stderr so far.
  std::string Output() const;

  // The path of a binary in the test's runfiles (default videoplatformd).
  static std::string BinaryPath(
      const std::string& runfile = "server/videoplatformd");
  // A fresh path under TEST_TMPDIR.
  static std::string TempPath(const std::string& name);

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string db_path_;
  std::string output_path_;
};

// Runs the server to completion (for start-up failures). Returns the exit
// code; `output` receives stdout and stderr.
absl::StatusOr<int> RunServerToExit(ServerProcessOptions options,
                                    absl::Duration timeout,
                                    std::string* output);

}  // namespace videoplatform::testing

#endif  // VIDEOPLATFORM_TESTS_E2E_SERVER_PROCESS_H_
