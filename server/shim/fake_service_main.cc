// fake_service: the shim tests' fake VideoPlatformService as a process, for
// measuring the shim alone (tools/bench/README.md, "webhook shim alone").
// Answers every HandleWebhook with OK / APPLIED at once and stores nothing
// beyond the list of received webhooks (so run it for a bounded time).
//
//   bazel run //server/shim:fake_service -- /tmp/fake.port
//
// Writes its gRPC port to the file named by its argument (if any), prints
// it, and serves until SIGINT/SIGTERM.
#include <signal.h>

#include <cstdio>
#include <fstream>

#include "server/shim/fake_service.h"

int main(int argc, char** argv) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  videoplatform::shim::testing::FakeVideoPlatformService service;
  auto server = videoplatform::shim::testing::FakeServiceServer::Start(service);
  if (server == nullptr) {
    std::fprintf(stderr, "fake_service: cannot start\n");
    return 1;
  }
  const std::string target = server->target();
  std::printf("fake_service serving on %s\n", target.c_str());
  std::fflush(stdout);
  if (argc > 1) {
    std::ofstream(argv[1]) << target.substr(target.rfind(':') + 1) << "\n";
  }
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  server->Stop();
  return 0;
}
