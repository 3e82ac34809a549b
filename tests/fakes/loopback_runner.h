// Runs a cpp-httplib server on 127.0.0.1 from a background thread, for test
// servers (provider fakes, fault-injecting file servers).
//
// Start() returns only once the accept loop runs (httplib's stop() is a
// no-op before that, so an earlier Stop() would never end the thread).
// Not thread-safe: Start, Stop and destruction belong to the owner's thread.
#ifndef VIDEOPLATFORM_TESTS_FAKES_LOOPBACK_RUNNER_H_
#define VIDEOPLATFORM_TESTS_FAKES_LOOPBACK_RUNNER_H_

#include <httplib.h>

#include <thread>

#include "absl/status/status.h"

namespace videoplatform::fakes {

class LoopbackRunner {
 public:
  // Installs `server`'s pre-routing handler (it answers the readiness probe
  // with 204 before any route or recording sees it), so the server must not
  // install its own. `server` must outlive the runner.
  explicit LoopbackRunner(httplib::Server& server);
  ~LoopbackRunner() { Stop(); }
  LoopbackRunner(const LoopbackRunner&) = delete;
  LoopbackRunner& operator=(const LoopbackRunner&) = delete;

  // Listens on 127.0.0.1:`port` (0: any free port). UNAVAILABLE when the
  // port cannot be bound or the loop does not answer; FAILED_PRECONDITION
  // when already started.
  absl::Status Start(int port);
  // Stops the server and joins its thread. Idempotent.
  void Stop();

  int port() const { return port_; }
  bool started() const { return started_; }

 private:
  httplib::Server& server_;
  std::thread thread_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace videoplatform::fakes

#endif  // VIDEOPLATFORM_TESTS_FAKES_LOOPBACK_RUNNER_H_
