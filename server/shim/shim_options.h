// Settings of the webhook shim, with their defaults and valid ranges.
#ifndef VIDEOPLATFORM_SERVER_SHIM_SHIM_OPTIONS_H_
#define VIDEOPLATFORM_SERVER_SHIM_SHIM_OPTIONS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/host_port.h"
#include "server/shim/request_checks.h"
#include "server/shim/service_client.h"

namespace videoplatform::shim {

// The largest --max_body_bytes: the API's limit on a webhook body.
inline constexpr size_t kMaxBodyBytesLimit = 1 << 20;
inline constexpr int kMaxConnectionsLimit = 65536;
inline constexpr int kMaxIoThreadsLimit = 64;

struct ShimOptions {
  // host:port to listen on; port 0 picks a free port. IPv6 as [::1]:8080.
  std::string listen_address = "127.0.0.1:8080";
  ServiceClientOptions service;
  RequestLimits limits;
  // The deadline of a whole request, headers and body, from its first byte
  // (not per read: a client trickling bytes misses it). Missed: the
  // connection is closed (logged as 408).
  absl::Duration read_timeout = absl::Seconds(5);
  // The deadline of writing one answer.
  absl::Duration write_timeout = absl::Seconds(5);
  // How long a connection may wait for its (next) request's first byte:
  // keep-alive idle connections, and clients that connect and send nothing.
  absl::Duration idle_timeout = absl::Seconds(10);
  // Connections open at once (idle ones included) in total and from one
  // client IP address; beyond them a new connection gets 503 and is closed
  // at once.
  int max_connections = 1024;
  int max_connections_per_ip = 256;
  // Threads running the event loop (all connections share them).
  int io_threads = 2;
  // Shutdown(): how long requests already forwarded may take to be answered.
  absl::Duration shutdown_grace = absl::Seconds(5);
};

// INVALID_ARGUMENT naming the first setting out of range:
// listen_address (see ParseHostPort), service.target (non-empty),
// limits.max_body_bytes (1..kMaxBodyBytesLimit), limits.max_header_bytes and
// max_header_count (>= 1), service.rpc_timeout and readiness_timeout
// (0 < t <= 60 s), read_timeout, write_timeout and idle_timeout
// (1 ms <= t <= 300 s), shutdown_grace (0 <= t <= 300 s), max_connections
// and max_connections_per_ip (1..kMaxConnectionsLimit), io_threads
// (1..kMaxIoThreadsLimit).
absl::Status ValidateShimOptions(const ShimOptions& options);

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_SHIM_OPTIONS_H_
