#include "server/shim/shim_metrics.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "server/shim/routes.h"

namespace videoplatform::shim {

ShimMetrics::ShimMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      open_(prometheus::BuildGauge()
                .Name("webhook_shim_connections_open")
                .Help("HTTP connections open now.")
                .Register(*registry_)
                .Add({})),
      refused_(prometheus::BuildCounter()
                   .Name("webhook_shim_connections_refused_total")
                   .Help("Connections refused at once, by reason (caps: "
                         "--max_connections or --max_connections_per_ip).")
                   .Register(*registry_)),
      requests_(prometheus::BuildCounter()
                    .Name("webhook_shim_requests_total")
                    .Help("HTTP requests answered, by route and status.")
                    .Register(*registry_)),
      seconds_(prometheus::BuildHistogram()
                   .Name("webhook_shim_request_seconds")
                   .Help("From a request's first byte to its answer, "
                         "seconds.")
                   .Register(*registry_)) {}

void ShimMetrics::ConnectionRefused(const std::string& reason) {
  refused_.Add({{"reason", reason}}).Increment();
}

void ShimMetrics::RequestAnswered(absl::string_view path, int status,
                                  absl::Duration elapsed) {
  const Route* route = FindRoute(path);
  const std::string label =
      route == nullptr ? "unknown" : std::string(route->path);
  requests_.Add({{"route", label}, {"code", absl::StrCat(status)}}).Increment();
  static const auto* const buckets =
      new prometheus::Histogram::BucketBoundaries{
          0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
  seconds_.Add({{"route", label}}, *buckets)
      .Observe(absl::ToDoubleSeconds(elapsed));
}

}  // namespace videoplatform::shim
