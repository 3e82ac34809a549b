// Serves one file on 127.0.0.1 (FaultFileServer: Range support, reads
// 64 KiB at a time) until SIGINT/SIGTERM, for the ingest benchmark.
//   ingest_serve_file --file=/tmp/big.mkv --path=/big.mkv --port_file=/tmp/p
//   [--drop_halfway=N]  (the first N answers stop halfway: resume tests)
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "server/ingest/testing/fault_file_server.h"

ABSL_FLAG(std::string, file, "", "File to serve.");
ABSL_FLAG(std::string, path, "/file", "URL path to serve it at.");
ABSL_FLAG(std::string, port_file, "", "Where to write the port.");
ABSL_FLAG(int, drop_halfway, 0, "Drop the first N answers halfway.");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // Before server threads.

  using videoplatform::ingest::testing::FaultFileServer;
  using videoplatform::ingest::testing::FileFault;
  FaultFileServer server;
  server.ServeFile(absl::GetFlag(FLAGS_path), absl::GetFlag(FLAGS_file));
  if (absl::GetFlag(FLAGS_drop_halfway) > 0) {
    server.AddFault(FileFault::DropHalfway(absl::GetFlag(FLAGS_drop_halfway)));
  }
  if (absl::Status started = server.Start(); !started.ok()) {
    std::fprintf(stderr, "%s\n", started.ToString().c_str());
    return 1;
  }
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  const std::string tmp = port_file + ".tmp";
  std::ofstream(tmp) << server.port() << "\n";
  std::rename(tmp.c_str(), port_file.c_str());
  int signal = 0;
  sigwait(&signals, &signal);
  server.Stop();
  return 0;
}
