#include "server/common/metrics_endpoint.h"

#include <exception>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/host_port.h"

namespace videoplatform {

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& listen_address,
    std::shared_ptr<prometheus::Registry> registry) {
  if (absl::StatusOr<HostPort> parsed = ParseHostPort(listen_address);
      !parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics listen ", parsed.status().message()));
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
