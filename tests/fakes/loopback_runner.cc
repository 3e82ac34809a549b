#include "tests/fakes/loopback_runner.h"

#include "absl/strings/str_cat.h"

namespace videoplatform::fakes {
namespace {

constexpr char kReadyPath[] = "/__loopback_runner_ready";

}  // namespace

LoopbackRunner::LoopbackRunner(httplib::Server& server) : server_(server) {
  server_.set_pre_routing_handler(
      [](const httplib::Request& req, httplib::Response& res) {
        if (req.path != kReadyPath) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        res.status = 204;
        return httplib::Server::HandlerResponse::Handled;
      });
}

absl::Status LoopbackRunner::Start(int port) {
  if (started_) return absl::FailedPreconditionError("already started");
  if (port == 0) {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return absl::UnavailableError("cannot bind 127.0.0.1");
  } else {
    if (!server_.bind_to_port("127.0.0.1", port)) {
      return absl::UnavailableError(
          absl::StrCat("cannot bind 127.0.0.1:", port));
    }
    port_ = port;
  }
  started_ = true;
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // A request is answered only by the running accept loop.
  httplib::Client probe("127.0.0.1", port_);
  probe.set_connection_timeout(5);
  probe.set_read_timeout(5);
  const auto result = probe.Get(kReadyPath);
  if (!result || result->status != 204) {
    Stop();
    return absl::UnavailableError("the test server did not start");
  }
  return absl::OkStatus();
}

void LoopbackRunner::Stop() {
  if (!started_) return;
  server_.stop();
  if (thread_.joinable()) thread_.join();
  started_ = false;
}

}  // namespace videoplatform::fakes
