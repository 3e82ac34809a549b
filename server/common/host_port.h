// "host:port" listen addresses, parsed once for every listener (gRPC,
// the shim, /metrics).
#ifndef VIDEOPLATFORM_SERVER_COMMON_HOST_PORT_H_
#define VIDEOPLATFORM_SERVER_COMMON_HOST_PORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace videoplatform {

struct HostPort {
  std::string host;  // Without IPv6 brackets.
  int port = 0;
};

// "host:port" or "[v6]:port", port 0..65535; else INVALID_ARGUMENT quoting
// `address`.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view address);

}  // namespace videoplatform

#endif  // VIDEOPLATFORM_SERVER_COMMON_HOST_PORT_H_
