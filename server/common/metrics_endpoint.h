// Serves a Prometheus registry as text on GET /metrics (prometheus-cpp's
// exposer; its own HTTP server thread). Shared by videoplatformd and the
// webhook shim.
#ifndef VIDEOPLATFORM_SERVER_COMMON_METRICS_ENDPOINT_H_
#define VIDEOPLATFORM_SERVER_COMMON_METRICS_ENDPOINT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace videoplatform {

// Owns the listening exposer; stops serving when destroyed. Thread-safe.
class MetricsEndpoint {
 public:
  // Listens on `listen_address` (host:port; port 0 picks a free port) and
  // serves `registry` (shared: metrics may be added later). UNAVAILABLE when
  // the address cannot be bound; INVALID_ARGUMENT when it is not host:port.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& listen_address,
      std::shared_ptr<prometheus::Registry> registry);

  // The bound port.
  int port() const { return port_; }

  // Also serves `collectable` (metrics computed at each scrape) until it
  // expires.
  void RegisterCollectable(std::weak_ptr<prometheus::Collectable> collectable) {
    exposer_->RegisterCollectable(collectable, "/metrics");
  }

 private:
  MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer, int port)
      : exposer_(std::move(exposer)), port_(port) {}

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

}  // namespace videoplatform

#endif  // VIDEOPLATFORM_SERVER_COMMON_METRICS_ENDPOINT_H_
