// Provider API calls as Prometheus metrics, recorded by a decorator around
// every provider instance (Providers::Create's `decorate`):
//   videoplatform_provider_calls_total{platform,operation,code}
//   videoplatform_provider_call_seconds{platform,operation} (histogram)
// operation: create_meeting, get_room_sessions, delete_room, upload_logo,
// start_recording, get_recording_download_link; code: the canonical status
// code name (OK, UNAVAILABLE, ...). Webhook checks are local and not counted.
#ifndef VIDEOPLATFORM_SERVER_PROVIDER_METRICS_H_
#define VIDEOPLATFORM_SERVER_PROVIDER_METRICS_H_

#include <memory>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "providers/registry.h"
#include "providers/video_platform.h"

namespace videoplatform::server {

// Thread-safe; must outlive the decorated providers.
class ProviderMetrics {
 public:
  explicit ProviderMetrics(prometheus::Registry& registry);

  // A PlatformDecorator measuring the calls of the provider it wraps.
  providers::PlatformDecorator Decorator();

  // Records one call (used by the decorator).
  void Record(absl::string_view platform, absl::string_view operation,
              absl::StatusCode code, double seconds);

 private:
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& seconds_;
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_PROVIDER_METRICS_H_
