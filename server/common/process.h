// Process plumbing shared by the daemons (videoplatformd, webhook_shim).
#ifndef VIDEOPLATFORM_SERVER_COMMON_PROCESS_H_
#define VIDEOPLATFORM_SERVER_COMMON_PROCESS_H_

#include <signal.h>

#include <string>

#include "absl/status/status.h"

namespace videoplatform {

// Blocks SIGINT and SIGTERM in the calling thread (and so in every thread
// started after it) and returns that set, for WaitForStopSignal. Call first
// thing in main(), before any library starts threads: a stop signal must
// never run a handler (shutting a gRPC server down there deadlocks).
sigset_t BlockStopSignals();

// Waits for one of `signals`; returns its number.
int WaitForStopSignal(const sigset_t& signals);

// Writes `port` and a newline to `path` through a rename, so a reader
// never sees a partial file. INTERNAL naming the path on failure.
absl::Status WritePortFile(const std::string& path, int port);

}  // namespace videoplatform

#endif  // VIDEOPLATFORM_SERVER_COMMON_PROCESS_H_
