// The durable ingestion queue: a bounded pool of worker threads that drive
// the jobs of storage::RecordingStore.
//
// Guarantees:
// - Durable: a job is a row committed with its recording (Register), so a
//   registered recording is ingested even if the process dies right after.
// - Bounded: at most `workers` downloads run at once; the rest wait queued.
// - Crash-safe: a claim is a lease in the database. Start() re-queues every
//   job a previous process left running, and the Downloader continues its
//   partial file (`<recordings_dir>/<file>.partial`) with a Range request.
// - Retries: transient failures (UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED,
//   INTERNAL, UNKNOWN: the Downloader's own retries ran out) re-queue the
//   job with capped exponential backoff, up to `max_runs` runs; anything
//   else (a 4xx, too large, no audio stream, not a media file, an
//   unconfigured platform) fails the recording at once with the reason.
// - Announced at least once: READY/FAILED is committed first, then the
//   RecordingAnnouncer is called; the job is done only once it succeeded
//   (retried with backoff otherwise, and after a crash).
// - Stop: no new job starts; running downloads get `grace` to finish.
//   Downloads still running then are abandoned: their jobs stay leased and
//   resume at the next start (Stop reports how many, and the owner should
//   then end the process without destroying this queue's dependencies).
//
// Thread safety: Notify() may be called from any thread; Start(), Stop()
// and destruction belong to the owning thread.
#ifndef VIDEOPLATFORM_SERVER_INGEST_INGEST_QUEUE_H_
#define VIDEOPLATFORM_SERVER_INGEST_INGEST_QUEUE_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/ingest/downloader.h"
#include "server/ingest/ingest_metrics.h"
#include "server/ingest/recording_announcer.h"
#include "server/ingest/recording_ingestor.h"
#include "storage/recording_store.h"

namespace videoplatform::ingest {

struct IngestQueueOptions {
  int workers = 2;  // 1..64.
  // Where finished files go, as <recordings_dir>/<RecordingFileName()>.
  // Created by Start() if missing; stored paths are absolute.
  std::string recordings_dir = "recordings";
  // A claim lasts this long; progress reports extend it.
  absl::Duration lease = absl::Minutes(15);
  // Download runs per job before a transient failure is final.
  int max_runs = 4;
  absl::Duration initial_retry_delay = absl::Seconds(30);
  absl::Duration max_retry_delay = absl::Minutes(10);
  // Each run's download deadline, from its start.
  absl::Duration max_run_time = absl::Hours(6);
  // Size limit, attempts, backoff and stall timeout of each run (the
  // deadline is set from max_run_time).
  DownloadOptions download;
  // Progress is written to the database at most this often (the first
  // bytes and the end always).
  absl::Duration progress_interval = absl::Milliseconds(500);
  // The longest an idle worker sleeps before looking for due work (jobs
  // whose lease expired are not announced by Notify()).
  absl::Duration idle_poll = absl::Seconds(30);
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class IngestQueue {
 public:
  // All must outlive this object.
  // `metrics` must outlive the queue too.
  IngestQueue(storage::RecordingStore& store, const RecordingIngestor& ingestor,
              RecordingAnnouncer& announcer, IngestMetrics& metrics,
              IngestQueueOptions options);
  // Stops (waiting for running downloads without limit) and joins.
  ~IngestQueue();

  IngestQueue(const IngestQueue&) = delete;
  IngestQueue& operator=(const IngestQueue&) = delete;

  // Creates the recordings directory, re-queues jobs a previous process
  // left running and starts the workers. INVALID_ARGUMENT for bad options.
  absl::Status Start();

  // A job was registered: wakes an idle worker.
  void Notify();

  // Starts no new job and waits up to `grace` for the running ones.
  // Returns how many downloads were still running (abandoned; 0 when all
  // workers stopped, and then they are joined). Idempotent.
  int Stop(absl::Duration grace);

  // The absolute recordings directory (after Start()).
  const std::string& recordings_dir() const { return recordings_dir_; }

 private:
  void WorkerLoop(int index);
  void WaitForWork(uint64_t seen, absl::Time deadline);
  void RunDownload(const std::string& worker, const storage::ClaimedJob& job);
  void RunAnnounce(const std::string& worker,
                   const storage::RecordingRecord& recording);
  absl::Duration RetryDelay(int runs) const;

  storage::RecordingStore& store_;
  const RecordingIngestor& ingestor_;
  RecordingAnnouncer& announcer_;
  IngestMetrics& metrics_;
  const IngestQueueOptions options_;
  std::string recordings_dir_;
  std::string worker_prefix_;

  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  int running_workers_ ABSL_GUARDED_BY(mu_) = 0;
  int busy_workers_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_INGEST_QUEUE_H_
