// Settings of the webhook shim, with their defaults and valid ranges.
#ifndef VIDEOPLATFORM_SERVER_SHIM_SHIM_OPTIONS_H_
#define VIDEOPLATFORM_SERVER_SHIM_SHIM_OPTIONS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/shim/request_checks.h"
#include "server/shim/service_client.h"

namespace videoplatform::shim {

// The largest --max_body_bytes: the API's limit on a webhook body.
inline constexpr size_t kMaxBodyBytesLimit = 1 << 20;
inline constexpr int kMaxConnectionsLimit = 1024;

struct ShimOptions {
  // host:port to listen on; port 0 picks a free port. IPv6 as [::1]:8080.
  std::string listen_address = "127.0.0.1:8080";
  ServiceClientOptions service;
  RequestLimits limits;
  // Longest wait for each read from a client, including the wait for the
  // request's first byte (rounded up to whole seconds for that one).
  absl::Duration read_timeout = absl::Seconds(5);
  // Longest wait for each write to a client.
  absl::Duration write_timeout = absl::Seconds(5);
  // Connections served at once (one worker thread each); as many more wait
  // accepted, the rest in the kernel's listen backlog.
  int max_connections = 64;
};

struct HostPort {
  std::string host;  // Without IPv6 brackets.
  int port = 0;
};

// "host:port" or "[v6]:port", port 0..65535; else INVALID_ARGUMENT.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view address);

// INVALID_ARGUMENT naming the first setting out of range:
// listen_address (see ParseHostPort), service.target (non-empty),
// limits.max_body_bytes (1..kMaxBodyBytesLimit), limits.max_header_bytes and
// max_header_count (>= 1), service.rpc_timeout and readiness_timeout
// (0 < t <= 60 s), read_timeout and write_timeout (1 ms <= t <= 300 s),
// max_connections (1..kMaxConnectionsLimit).
absl::Status ValidateShimOptions(const ShimOptions& options);

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_SHIM_OPTIONS_H_
