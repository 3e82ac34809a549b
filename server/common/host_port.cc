#include "server/common/host_port.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace videoplatform {

absl::StatusOr<HostPort> ParseHostPort(absl::string_view address) {
  const size_t colon = address.rfind(':');
  HostPort result;
  if (colon == absl::string_view::npos || colon == 0 ||
      colon + 1 == address.size() ||
      !absl::SimpleAtoi(address.substr(colon + 1), &result.port) ||
      result.port < 0 || result.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "address \"", address, "\" must be host:port, e.g. 127.0.0.1:8080"));
  }
  absl::string_view host = address.substr(0, colon);
  const bool open = absl::ConsumePrefix(&host, "[");
  const bool close = absl::ConsumeSuffix(&host, "]");
  if (open != close || host.empty() ||
      (!open && host.find(':') != absl::string_view::npos)) {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", address,
                     "\" must be host:port (IPv6 hosts in brackets)"));
  }
  result.host = std::string(host);
  return result;
}

}  // namespace videoplatform
