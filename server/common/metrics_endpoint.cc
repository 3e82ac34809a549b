#include "server/common/metrics_endpoint.h"

#include <exception>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace videoplatform {

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& listen_address,
    std::shared_ptr<prometheus::Registry> registry) {
  const size_t colon = listen_address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen_address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics listen address \"", listen_address,
                     "\" must be host:port, e.g. 127.0.0.1:9464"));
  }
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // One civetweb worker thread: scrapes are rare and small.
    exposer = std::make_unique<prometheus::Exposer>(listen_address, 1);
  } catch (const std::exception& error) {
    return absl::UnavailableError(absl::StrCat(
        "cannot serve metrics on ", listen_address, ": ", error.what()));
  }
  exposer->RegisterCollectable(registry, "/metrics");
  const std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen_address));
  }
  return std::unique_ptr<MetricsEndpoint>(
      new MetricsEndpoint(std::move(exposer), ports.front()));
}

}  // namespace videoplatform
