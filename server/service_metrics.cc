#include "server/service_metrics.h"

namespace videoplatform::server {
namespace {

const char* OutcomeLabel(v1::WebhookOutcome outcome) {
  switch (outcome) {
    case v1::WEBHOOK_OUTCOME_APPLIED:
      return "applied";
    case v1::WEBHOOK_OUTCOME_DUPLICATE:
      return "duplicate";
    case v1::WEBHOOK_OUTCOME_IGNORED:
      return "ignored";
    default:
      return "other";
  }
}

const char* RejectionReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnauthenticated:
      return "signature";
    case absl::StatusCode::kInvalidArgument:
      return "invalid";
    case absl::StatusCode::kFailedPrecondition:
      return "not_configured";
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return "unavailable";
    default:
      return "other";
  }
}

}  // namespace

ServiceMetrics::ServiceMetrics(prometheus::Registry& registry,
                               const providers::Providers& providers)
    : providers_(providers),
      received_(prometheus::BuildCounter()
                    .Name("videoplatform_webhooks_received_total")
                    .Help("Webhooks handed to HandleWebhook, by platform.")
                    .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("videoplatform_webhooks_handled_total")
                   .Help("Webhooks by outcome: applied, duplicate (already "
                         "stored), ignored (stored, changed nothing), "
                         "rejected (error answered).")
                   .Register(registry)),
      rejected_(prometheus::BuildCounter()
                    .Name("videoplatform_webhooks_rejected_total")
                    .Help("Rejected webhooks by reason: signature, invalid, "
                          "not_configured, unavailable, other.")
                    .Register(registry)),
      watch_streams_(prometheus::BuildGauge()
                         .Name("videoplatform_watch_streams_open")
                         .Help("WatchEvents streams open now.")
                         .Register(registry)
                         .Add({})),
      watch_lag_(prometheus::BuildHistogram()
                     .Name("videoplatform_watch_stream_lag_events")
                     .Help("For each event sent on a WatchEvents stream, how "
                           "many newer events had already committed.")
                     .Register(registry)
                     .Add({}, prometheus::Histogram::BucketBoundaries{
                                  0, 1, 10, 100, 1000, 10000})) {}

std::string ServiceMetrics::PlatformLabel(const std::string& platform) const {
  return providers_.CheckKnown(platform, "platform").ok() ? platform
                                                          : "unknown";
}

void ServiceMetrics::WebhookHandled(
    const std::string& platform,
    const absl::StatusOr<v1::HandleWebhookResponse>& result) {
  const std::string label = PlatformLabel(platform);
  received_.Add({{"platform", label}}).Increment();
  if (result.ok()) {
    handled_
        .Add(
            {{"platform", label}, {"outcome", OutcomeLabel(result->outcome())}})
        .Increment();
    return;
  }
  handled_.Add({{"platform", label}, {"outcome", "rejected"}}).Increment();
  rejected_
      .Add({{"platform", label},
            {"reason", RejectionReason(result.status().code())}})
      .Increment();
}

}  // namespace videoplatform::server
