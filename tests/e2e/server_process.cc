#include "tests/e2e/server_process.h"

#include <fcntl.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace videoplatform::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(30);
constexpr absl::Duration kPollInterval = absl::Milliseconds(10);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts the binary with `options`; the child's stdout and stderr go to
// `output_path`.
absl::StatusOr<pid_t> Spawn(const ServerProcessOptions& options,
                            const std::string& db_path,
                            const std::string& port_file,
                            const std::string& output_path) {
  std::vector<std::string> args = {
      options.binary.empty() ? ServerProcess::BinaryPath()
                             : ServerProcess::BinaryPath(options.binary),
      "--listen=" + options.listen_address,
      "--port_file=" + port_file,
  };
  // Tests run side by side: never the default metrics port.
  args.push_back("--metrics_listen=127.0.0.1:0");
  if (options.binary.empty()) args.push_back("--db=" + db_path);
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<std::string> env = {"PATH=/usr/bin:/bin",
                                  absl::StrCat("HOME=", getenv("TEST_TMPDIR"))};
  for (const auto& [name, value] : options.env) {
    env.push_back(absl::StrCat(name, "=", value));
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const int out =
      open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (out < 0) return absl::InternalError("cannot open " + output_path);
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out);
  return pid;
}

int ExitCode(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Waits for `pid` to exit until `deadline`. nullopt on timeout.
std::optional<int> WaitForExit(pid_t pid, absl::Time deadline) {
  while (true) {
    int wait_status = 0;
    const pid_t done = waitpid(pid, &wait_status, WNOHANG);
    if (done == pid) return ExitCode(wait_status);
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(kPollInterval);
  }
}

}  // namespace

std::string ServerProcess::BinaryPath(const std::string& runfile) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/videoplatform/", runfile);
}

std::string ServerProcess::TempPath(const std::string& name) {
  static std::atomic<int> counter{0};
  return absl::StrCat(getenv("TEST_TMPDIR"), "/", getpid(), "-", counter++, "-",
                      name);
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    ServerProcessOptions options) {
  auto server = std::unique_ptr<ServerProcess>(new ServerProcess());
  server->db_path_ =
      options.db_path.empty() ? TempPath("videoplatform.db") : options.db_path;
  server->output_path_ = TempPath("server.log");
  const std::string port_file = TempPath("port");
  auto pid = Spawn(options, server->db_path_, port_file, server->output_path_);
  if (!pid.ok()) return pid.status();
  server->pid_ = *pid;

  const absl::Time deadline = absl::Now() + kStartTimeout;
  while (absl::Now() < deadline) {
    std::string text = ReadFile(port_file);
    int port = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &port) && port > 0) {
      server->port_ = port;
      return server;
    }
    int wait_status = 0;
    if (waitpid(server->pid_, &wait_status, WNOHANG) == server->pid_) {
      server->pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat("videoplatformd exited with ", ExitCode(wait_status),
                       ":\n", server->Output()));
    }
    absl::SleepFor(kPollInterval);
  }
  return absl::DeadlineExceededError("videoplatformd did not start:\n" +
                                     server->Output());
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string ServerProcess::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::shared_ptr<grpc::Channel> ServerProcess::Channel() const {
  auto channel =
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  channel->WaitForConnected(absl::ToChronoTime(absl::Now() + kStartTimeout));
  return channel;
}

absl::StatusOr<int> ServerProcess::Stop(int signal_number,
                                        absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, signal_number);
  const std::optional<int> code = WaitForExit(pid_, absl::Now() + timeout);
  if (!code.has_value()) {
    return absl::DeadlineExceededError("videoplatformd did not stop:\n" +
                                       Output());
  }
  pid_ = -1;
  return *code;
}

std::string ServerProcess::Output() const { return ReadFile(output_path_); }

absl::StatusOr<int> RunServerToExit(ServerProcessOptions options,
                                    absl::Duration timeout,
                                    std::string* output) {
  const std::string db_path = options.db_path.empty()
                                  ? ServerProcess::TempPath("videoplatform.db")
                                  : options.db_path;
  const std::string output_path = ServerProcess::TempPath("server.log");
  auto pid =
      Spawn(options, db_path, ServerProcess::TempPath("port"), output_path);
  if (!pid.ok()) return pid.status();
  const std::optional<int> code = WaitForExit(*pid, absl::Now() + timeout);
  *output = ReadFile(output_path);
  if (!code.has_value()) {
    kill(*pid, SIGKILL);
    waitpid(*pid, nullptr, 0);
    return absl::DeadlineExceededError("videoplatformd kept running:\n" +
                                       *output);
  }
  return *code;
}

}  // namespace videoplatform::testing
