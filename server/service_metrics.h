// Domain metrics of the gRPC service (Prometheus, labels bounded: platform
// names are registered names or "unknown", outcomes and codes fixed sets):
//   videoplatform_webhooks_received_total{platform}
//   videoplatform_webhooks_handled_total{platform,outcome}
//       outcome: applied, duplicate, ignored, rejected
//   videoplatform_webhooks_rejected_total{platform,reason}
//       reason: signature, invalid, not_configured, unavailable, other
//   videoplatform_watch_streams_open
#ifndef VIDEOPLATFORM_SERVER_SERVICE_METRICS_H_
#define VIDEOPLATFORM_SERVER_SERVICE_METRICS_H_

#include <string>

#include "absl/status/statusor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "providers/registry.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::server {

// Thread-safe.
class ServiceMetrics {
 public:
  // Registers the families in `registry` (which must outlive this);
  // `providers` bounds the platform label.
  ServiceMetrics(prometheus::Registry& registry,
                 const providers::Providers& providers);

  // Counts one HandleWebhook call for `platform` and its result.
  void WebhookHandled(const std::string& platform,
                      const absl::StatusOr<v1::HandleWebhookResponse>& result);

  void WatchStreamOpened() { watch_streams_.Increment(); }
  void WatchStreamClosed() { watch_streams_.Decrement(); }

 private:
  std::string PlatformLabel(const std::string& platform) const;

  const providers::Providers& providers_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Gauge& watch_streams_;
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_SERVICE_METRICS_H_
