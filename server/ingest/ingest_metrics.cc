#include "server/ingest/ingest_metrics.h"

#include <string>

#include "absl/time/clock.h"
#include "prometheus/client_metric.h"
#include "prometheus/metric_family.h"
#include "prometheus/metric_type.h"

namespace videoplatform::ingest {

IngestMetrics::IngestMetrics(prometheus::Registry& registry)
    : downloads_(prometheus::BuildCounter()
                     .Name("videoplatform_ingest_downloads_total")
                     .Help("Recording download runs by result: ready, retry "
                           "(transient error, run again later), failed.")
                     .Register(registry)),
      failures_(prometheus::BuildCounter()
                    .Name("videoplatform_ingest_download_failures_total")
                    .Help("Failed download runs (retried or not) by status "
                          "code.")
                    .Register(registry)),
      bytes_(prometheus::BuildCounter()
                 .Name("videoplatform_ingest_bytes_downloaded_total")
                 .Help("Bytes of recordings downloaded and verified.")
                 .Register(registry)
                 .Add({})) {}

void IngestMetrics::DownloadReady(int64_t bytes) {
  downloads_.Add({{"result", "ready"}}).Increment();
  if (bytes > 0) bytes_.Increment(static_cast<double>(bytes));
}

void IngestMetrics::DownloadRetried(absl::StatusCode code) {
  downloads_.Add({{"result", "retry"}}).Increment();
  failures_.Add({{"code", absl::StatusCodeToString(code)}}).Increment();
}

void IngestMetrics::DownloadFailed(absl::StatusCode code) {
  downloads_.Add({{"result", "failed"}}).Increment();
  failures_.Add({{"code", absl::StatusCodeToString(code)}}).Increment();
}

std::vector<prometheus::MetricFamily> IngestJobGauges::Collect() const {
  const absl::StatusOr<storage::RecordingStore::StateCounts> counts =
      store_.CountByState();
  if (!counts.ok()) return {};  // The scrape shows the gap; nothing invented.
  prometheus::MetricFamily jobs;
  jobs.name = "videoplatform_ingest_jobs";
  jobs.help = "Recordings by ingestion state.";
  jobs.type = prometheus::MetricType::Gauge;
  for (const char* state : {"pending", "downloading", "ready", "failed"}) {
    prometheus::ClientMetric metric;
    metric.label.push_back({"state", state});
    const auto it = counts->by_state.find(state);
    metric.gauge.value =
        it == counts->by_state.end() ? 0 : static_cast<double>(it->second);
    jobs.metric.push_back(std::move(metric));
  }
  prometheus::MetricFamily oldest;
  oldest.name = "videoplatform_ingest_oldest_pending_seconds";
  oldest.help = "Age of the oldest pending recording in seconds; 0 when none.";
  oldest.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric age;
  age.gauge.value =
      counts->oldest_pending.has_value()
          ? absl::ToDoubleSeconds(absl::Now() - *counts->oldest_pending)
          : 0;
  oldest.metric.push_back(std::move(age));
  return {std::move(jobs), std::move(oldest)};
}

}  // namespace videoplatform::ingest
