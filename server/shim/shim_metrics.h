// The shim's Prometheus metrics (served by webhook_shim_main on
// --metrics_listen):
//   webhook_shim_connections_open                 gauge
//   webhook_shim_connections_refused_total{reason}  reason: caps
//   webhook_shim_requests_total{route,code}       route: a route's path or
//                                                 "unknown"; code: HTTP status
//   webhook_shim_request_seconds{route}           first byte to answer
#ifndef VIDEOPLATFORM_SERVER_SHIM_SHIM_METRICS_H_
#define VIDEOPLATFORM_SERVER_SHIM_SHIM_METRICS_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace videoplatform::shim {

// Owns its registry. Thread-safe.
class ShimMetrics {
 public:
  ShimMetrics();

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  void ConnectionOpened() { open_.Increment(); }
  void ConnectionClosed() { open_.Decrement(); }
  void ConnectionRefused(const std::string& reason);
  // `path` is the request's path ("" when none was parsed); labels keep
  // only known routes' paths.
  void RequestAnswered(absl::string_view path, int status,
                       absl::Duration elapsed);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Gauge& open_;
  prometheus::Family<prometheus::Counter>& refused_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& seconds_;
};

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_SHIM_METRICS_H_
