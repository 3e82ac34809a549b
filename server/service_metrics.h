// Domain metrics of the gRPC service (Prometheus, labels bounded: platform
// names are registered names or "unknown", outcomes and codes fixed sets):
//   videoplatform_webhooks_received_total{platform}
//   videoplatform_webhooks_handled_total{platform,outcome}
//       outcome: applied, duplicate, ignored, rejected
//   videoplatform_webhooks_rejected_total{platform,reason}
//       reason: signature, invalid, not_configured, unavailable, other
//   videoplatform_watch_streams_open
//   videoplatform_watch_stream_lag_events  per event sent: how many newer
//                                          events had committed (histogram)
#ifndef VIDEOPLATFORM_SERVER_SERVICE_METRICS_H_
#define VIDEOPLATFORM_SERVER_SERVICE_METRICS_H_

#include <string>

#include "absl/status/statusor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
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

  // An event with `lag` newer events already committed was sent to a
  // WatchEvents stream.
  void WatchEventSent(int64_t lag) {
    watch_lag_.Observe(static_cast<double>(lag < 0 ? 0 : lag));
  }

  void WatchStreamOpened() { watch_streams_.Increment(); }
  void WatchStreamClosed() { watch_streams_.Decrement(); }

 private:
  std::string PlatformLabel(const std::string& platform) const;

  const providers::Providers& providers_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Gauge& watch_streams_;
  prometheus::Histogram& watch_lag_;
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_SERVICE_METRICS_H_
