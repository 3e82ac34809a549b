// The webhook_shim binary's flags, turned into ShimOptions.
#ifndef VIDEOPLATFORM_SERVER_SHIM_SHIM_FLAGS_H_
#define VIDEOPLATFORM_SERVER_SHIM_SHIM_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "server/shim/shim_options.h"

namespace videoplatform::shim {

// Flag values as given on the command line (strings, so that a bad value
// is reported here rather than by the flags library).
struct ShimFlagValues {
  std::string listen;
  std::string service;
  std::string max_body_bytes;   // Decimal bytes.
  std::string rpc_timeout;      // Duration, e.g. "4s", "500ms".
  std::string read_timeout;     // Duration.
  std::string max_connections;  // Decimal.
  // Optional (empty: ShimOptions' default).
  std::string max_connections_per_ip;  // Decimal.
  std::string idle_timeout;            // Duration.
  std::string write_timeout;           // Duration.
  std::string shutdown_grace;          // Duration.
  std::string io_threads;              // Decimal.
};

// Parses and validates (ValidateShimOptions) the values; other settings keep
// ShimOptions' defaults. `api_token` is the service's bearer token (empty:
// none). INVALID_ARGUMENT naming the flag on any bad value.
absl::StatusOr<ShimOptions> ShimOptionsFromFlags(const ShimFlagValues& values,
                                                 const std::string& api_token);

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_SHIM_FLAGS_H_
