#include "server/shim/shim_flags.h"

#include <cstdint>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/status_macros.h"

namespace videoplatform::shim {
namespace {

absl::Status BadValue(absl::string_view flag, absl::string_view value,
                      absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, "=", value, ": expected ", expected));
}

absl::StatusOr<absl::Duration> ParseDurationFlag(absl::string_view flag,
                                                 const std::string& value) {
  absl::Duration duration;
  if (!absl::ParseDuration(value, &duration)) {
    return BadValue(flag, value, "a duration such as 4s or 500ms");
  }
  return duration;
}

}  // namespace

absl::StatusOr<ShimOptions> ShimOptionsFromFlags(const ShimFlagValues& values,
                                                 const std::string& api_token) {
  ShimOptions options;
  options.listen_address = values.listen;
  options.service.target = values.service;
  options.service.api_token = api_token;
  uint64_t max_body_bytes = 0;
  if (!absl::SimpleAtoi(values.max_body_bytes, &max_body_bytes)) {
    return BadValue("max_body_bytes", values.max_body_bytes,
                    "a number of bytes");
  }
  options.limits.max_body_bytes = static_cast<size_t>(max_body_bytes);
  ASSIGN_OR_RETURN(options.service.rpc_timeout,
                   ParseDurationFlag("rpc_timeout", values.rpc_timeout));
  ASSIGN_OR_RETURN(options.read_timeout,
                   ParseDurationFlag("read_timeout", values.read_timeout));
  if (!absl::SimpleAtoi(values.max_connections, &options.max_connections)) {
    return BadValue("max_connections", values.max_connections, "a number");
  }
  for (const auto& [flag, value, field] :
       {std::tuple<absl::string_view, const std::string&, int*>{
            "max_connections_per_ip", values.max_connections_per_ip,
            &options.max_connections_per_ip},
        {"io_threads", values.io_threads, &options.io_threads}}) {
    if (!value.empty() && !absl::SimpleAtoi(value, field)) {
      return BadValue(flag, value, "a number");
    }
  }
  for (const auto& [flag, value, field] :
       {std::tuple<absl::string_view, const std::string&, absl::Duration*>{
            "idle_timeout", values.idle_timeout, &options.idle_timeout},
        {"write_timeout", values.write_timeout, &options.write_timeout},
        {"shutdown_grace", values.shutdown_grace, &options.shutdown_grace}}) {
    if (value.empty()) continue;
    ASSIGN_OR_RETURN(*field, ParseDurationFlag(flag, value));
  }
  if (absl::Status status = ValidateShimOptions(options); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--", status.message()));
  }
  return options;
}

}  // namespace videoplatform::shim
