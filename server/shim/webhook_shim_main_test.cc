// The webhook_shim binary as a child process: flag validation (exit code 2),
// --port_file with port 0, serving, and a graceful stop on SIGTERM.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

extern char** environ;

namespace videoplatform::shim {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ShimProcess {
 public:
  // Starts the binary with `args`; its stdout and stderr go to a file.
  explicit ShimProcess(const std::vector<std::string>& args)
      : output_path_(TempPath(absl::StrCat("shim-output-", counter_++))) {
    std::vector<std::string> argv = {
        absl::StrCat(std::getenv("TEST_SRCDIR"),
                     "/videoplatform/server/shim/webhook_shim"),
        // Tests run side by side: never the default metrics port.
        "--metrics_listen=127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> raw;
    for (std::string& arg : argv) raw.push_back(arg.data());
    raw.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
                                     output_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    if (posix_spawn(&pid_, raw[0], &actions, nullptr, raw.data(), environ) !=
        0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ShimProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  bool started() const { return pid_ > 0; }

  // The exit code (128 + signal when killed), or nullopt after `timeout`.
  std::optional<int> Wait(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (pid_ > 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (absl::Now() >= deadline) return std::nullopt;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return std::nullopt;
  }

  void Signal(int signal_number) { kill(pid_, signal_number); }
  std::string Output() const { return ReadFile(output_path_); }

 private:
  static inline int counter_ = 0;
  const std::string output_path_;
  pid_t pid_ = -1;
};

// Polls for the port file (written atomically) while the process runs.
std::optional<int> WaitForPort(const std::string& path, ShimProcess& process) {
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    int port = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(path)), &port) &&
        port > 0) {
      return port;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return std::nullopt;
}

TEST(WebhookShimMainTest, BadFlagValuesExitWithCode2) {
  const struct {
    const char* flag;
    const char* message;
  } cases[] = {
      {"--max_body_bytes=lots", "--max_body_bytes"},
      {"--max_body_bytes=0", "--max_body_bytes"},
      {"--rpc_timeout=4", "--rpc_timeout"},
      {"--read_timeout=0s", "--read_timeout"},
      {"--max_connections=0", "--max_connections"},
      {"--max_connections_per_ip=0", "--max_connections_per_ip"},
      {"--io_threads=0", "--io_threads"},
      {"--idle_timeout=never", "--idle_timeout"},
      {"--shutdown_grace=-1s", "--shutdown_grace"},
      {"--listen=nowhere", "--listen"},
      {"--service=", "--service"},
  };
  for (const auto& c : cases) {
    ShimProcess process({c.flag});
    ASSERT_TRUE(process.started());
    EXPECT_EQ(process.Wait(absl::Seconds(20)), 2) << c.flag;
    EXPECT_THAT(process.Output(), HasSubstr(c.message));
  }
}

TEST(WebhookShimMainTest, ServesOnPortZeroAndStopsOnSigterm) {
  const std::string port_file = TempPath("shim.port");
  ShimProcess process({"--listen=127.0.0.1:0", "--service=127.0.0.1:1",
                       "--port_file=" + port_file, "--rpc_timeout=200ms"});
  ASSERT_TRUE(process.started());
  const std::optional<int> port = WaitForPort(port_file, process);
  ASSERT_TRUE(port.has_value()) << process.Output();

  httplib::Client client("127.0.0.1", *port);
  client.set_read_timeout(10);
  httplib::Result live = client.Get("/healthz");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  // Nothing serves gRPC on port 1.
  httplib::Result ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  httplib::Result webhook =
      client.Post("/v1/whereby", "{}", "application/json");
  ASSERT_TRUE(webhook);
  EXPECT_EQ(webhook->status, 503);

  process.Signal(SIGTERM);
  EXPECT_EQ(process.Wait(absl::Seconds(20)), 0) << process.Output();
  const std::string output = process.Output();
  EXPECT_THAT(output, HasSubstr(absl::StrCat("listening on port ", *port)));
  EXPECT_THAT(output, HasSubstr("http GET /healthz 200"));
  EXPECT_THAT(output, HasSubstr("stopped"));
}

// A socket connected to 127.0.0.1:`port` that has sent half a request;
// -1 on failure.
int SlowClient(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  constexpr char kHalf[] = "POST /v1/whereby HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
          0 ||
      send(fd, kHalf, sizeof(kHalf) - 1, MSG_NOSIGNAL) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST(WebhookShimMainTest, SigtermStopsWithinTheGraceWithSlowClients) {
  const std::string port_file = TempPath("slow.port");
  ShimProcess process({"--listen=127.0.0.1:0", "--service=127.0.0.1:1",
                       "--port_file=" + port_file, "--shutdown_grace=2s",
                       "--read_timeout=60s", "--idle_timeout=60s",
                       "--max_connections_per_ip=1000"});
  ASSERT_TRUE(process.started());
  const std::optional<int> port = WaitForPort(port_file, process);
  ASSERT_TRUE(port.has_value()) << process.Output();
  std::vector<int> slow;
  for (int i = 0; i < 200; ++i) {
    const int fd = SlowClient(*port);
    ASSERT_GE(fd, 0);
    slow.push_back(fd);
  }
  httplib::Client client("127.0.0.1", *port);
  httplib::Result live = client.Get("/healthz");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);

  const absl::Time start = absl::Now();
  process.Signal(SIGTERM);
  EXPECT_EQ(process.Wait(absl::Seconds(20)), 0) << process.Output();
  // Within the 2 s grace, plus process exit (slow under sanitizers: one
  // ASan run took 2.0008 s, so the grace itself was used up).
  EXPECT_LT(absl::Now() - start, absl::Seconds(2) + absl::Seconds(1));
  for (const int fd : slow) close(fd);
}

TEST(WebhookShimMainTest, BusyPortExitsWithCode1) {
  const std::string port_file = TempPath("first.port");
  ShimProcess first({"--listen=127.0.0.1:0", "--port_file=" + port_file});
  ASSERT_TRUE(first.started());
  const std::optional<int> port = WaitForPort(port_file, first);
  ASSERT_TRUE(port.has_value()) << first.Output();
  ShimProcess second({absl::StrCat("--listen=127.0.0.1:", *port)});
  ASSERT_TRUE(second.started());
  EXPECT_EQ(second.Wait(absl::Seconds(20)), 1);
  EXPECT_THAT(second.Output(), HasSubstr("cannot listen"));
  first.Signal(SIGINT);
  EXPECT_EQ(first.Wait(absl::Seconds(20)), 0);
}

}  // namespace
}  // namespace videoplatform::shim
