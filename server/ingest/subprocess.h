// Runs a program to completion without a shell, capturing its output, with
// a time limit. Used for ffprobe (media_probe.h) and test tools.
//
// Contract:
// - argv[0] is looked up in PATH (posix_spawnp); no shell ever parses the
//   arguments. stdin is /dev/null; the child inherits the environment.
// - stdout and stderr are captured separately, each up to max_output_bytes
//   (the rest is read and dropped, so the child never blocks on a full
//   pipe).
// - On timeout the child is killed (SIGKILL) and reaped, and
//   DEADLINE_EXCEEDED is returned. A child that cannot be started is
//   FAILED_PRECONDITION naming argv[0].
// - Thread-safe: pipes are close-on-exec, so concurrent calls do not leak
//   descriptors into each other's children.
#ifndef VIDEOPLATFORM_SERVER_INGEST_SUBPROCESS_H_
#define VIDEOPLATFORM_SERVER_INGEST_SUBPROCESS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace videoplatform::ingest {

struct ProcessResult {
  // The exit code, or -1 when the child was killed by a signal.
  int exit_code = -1;
  int term_signal = 0;  // The signal that killed it, else 0.
  std::string stdout_text;
  std::string stderr_text;
};

absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         absl::Duration timeout,
                                         size_t max_output_bytes = 1 << 20);

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_SUBPROCESS_H_
