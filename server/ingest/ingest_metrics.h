// Recording ingestion as Prometheus metrics:
//   videoplatform_ingest_downloads_total{result}   ready, retry, failed
//   videoplatform_ingest_download_failures_total{code}  status code names
//   videoplatform_ingest_bytes_downloaded_total
//   videoplatform_ingest_jobs{state}                pending, downloading,
//                                                   ready, failed (read from
//                                                   the database per scrape)
//   videoplatform_ingest_oldest_pending_seconds     age of the oldest pending
//                                                   recording, 0 when none
#ifndef VIDEOPLATFORM_SERVER_INGEST_INGEST_METRICS_H_
#define VIDEOPLATFORM_SERVER_INGEST_INGEST_METRICS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "storage/recording_store.h"

namespace videoplatform::ingest {

// Counters of the download workers. Thread-safe.
class IngestMetrics {
 public:
  explicit IngestMetrics(prometheus::Registry& registry);

  // One download run ended: downloaded and recorded (OK), to be retried,
  // or failed for good (the error's code).
  void DownloadReady(int64_t bytes);
  void DownloadRetried(absl::StatusCode code);
  void DownloadFailed(absl::StatusCode code);

 private:
  prometheus::Family<prometheus::Counter>& downloads_;
  prometheus::Family<prometheus::Counter>& failures_;
  prometheus::Counter& bytes_;
};

// The job gauges, computed from `store` at each scrape. Register it with
// MetricsEndpoint::RegisterCollectable. `store` must outlive it.
class IngestJobGauges : public prometheus::Collectable {
 public:
  explicit IngestJobGauges(storage::RecordingStore& store) : store_(store) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  storage::RecordingStore& store_;
};

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_INGEST_METRICS_H_
