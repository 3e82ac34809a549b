#include "server/shim/shim_options.h"

#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace videoplatform::shim {
namespace {

absl::Status OutOfRange(absl::string_view name, absl::string_view value,
                        absl::string_view range) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, " = ", value, " is out of range (", range, ")"));
}

absl::Status CheckDuration(absl::string_view name, absl::Duration value,
                           absl::Duration min, absl::Duration max) {
  if (value < min || value > max) {
    return OutOfRange(name, absl::FormatDuration(value),
                      absl::StrCat(absl::FormatDuration(min), " to ",
                                   absl::FormatDuration(max)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateShimOptions(const ShimOptions& options) {
  if (absl::StatusOr<HostPort> listen = ParseHostPort(options.listen_address);
      !listen.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: ", listen.status().message()));
  }
  if (options.service.target.empty()) {
    return absl::InvalidArgumentError("service: the gRPC target is empty");
  }
  const RequestLimits& limits = options.limits;
  if (limits.max_body_bytes < 1 || limits.max_body_bytes > kMaxBodyBytesLimit) {
    return OutOfRange("max_body_bytes", absl::StrCat(limits.max_body_bytes),
                      absl::StrCat("1 to ", kMaxBodyBytesLimit));
  }
  if (limits.max_header_bytes < 1 || limits.max_header_count < 1) {
    return absl::InvalidArgumentError("header limits must be positive");
  }
  for (const auto& [name, value] :
       {std::pair<absl::string_view, absl::Duration>{
            "rpc_timeout", options.service.rpc_timeout},
        {"readiness_timeout", options.service.readiness_timeout}}) {
    if (absl::Status status =
            CheckDuration(name, value, absl::Nanoseconds(1), absl::Seconds(60));
        !status.ok()) {
      return status;
    }
  }
  for (const auto& [name, value] :
       {std::pair<absl::string_view, absl::Duration>{"read_timeout",
                                                     options.read_timeout},
        {"write_timeout", options.write_timeout},
        {"idle_timeout", options.idle_timeout}}) {
    if (absl::Status status = CheckDuration(name, value, absl::Milliseconds(1),
                                            absl::Seconds(300));
        !status.ok()) {
      return status;
    }
  }
  if (absl::Status status =
          CheckDuration("shutdown_grace", options.shutdown_grace,
                        absl::ZeroDuration(), absl::Seconds(300));
      !status.ok()) {
    return status;
  }
  for (const auto& [name, value, limit] :
       {std::tuple<absl::string_view, int, int>{
            "max_connections", options.max_connections, kMaxConnectionsLimit},
        {"max_connections_per_ip", options.max_connections_per_ip,
         kMaxConnectionsLimit},
        {"io_threads", options.io_threads, kMaxIoThreadsLimit}}) {
    if (value < 1 || value > limit) {
      return OutOfRange(name, absl::StrCat(value),
                        absl::StrCat("1 to ", limit));
    }
  }
  return absl::OkStatus();
}

}  // namespace videoplatform::shim
