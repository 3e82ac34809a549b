#include "server/ingest/ingest_queue.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/ids.h"
#include "spdlog/spdlog.h"

namespace videoplatform::ingest {
namespace {

bool IsTransient(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

std::string Reason(const absl::Status& status) {
  if (!status.message().empty()) return std::string(status.message());
  return absl::StatusCodeToString(status.code());
}

}  // namespace

IngestQueue::IngestQueue(storage::RecordingStore& store,
                         const RecordingIngestor& ingestor,
                         RecordingAnnouncer& announcer, IngestMetrics& metrics,
                         IngestQueueOptions options)
    : store_(store),
      ingestor_(ingestor),
      announcer_(announcer),
      metrics_(metrics),
      options_(std::move(options)) {}

IngestQueue::~IngestQueue() { Stop(absl::InfiniteDuration()); }

absl::Status IngestQueue::Start() {
  if (options_.workers < 1 || options_.workers > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("ingest workers must be 1..64, got ", options_.workers));
  }
  if (options_.max_runs < 1) {
    return absl::InvalidArgumentError("ingest max_runs must be at least 1");
  }
  if (options_.recordings_dir.empty()) {
    return absl::InvalidArgumentError("recordings directory must be set");
  }
  if (!threads_.empty()) {
    return absl::FailedPreconditionError("ingest queue already started");
  }
  std::error_code error;
  std::filesystem::create_directories(options_.recordings_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create recordings directory \"",
                     options_.recordings_dir, "\": ", error.message()));
  }
  recordings_dir_ =
      std::filesystem::absolute(options_.recordings_dir, error).string();
  if (error) {
    return absl::FailedPreconditionError(absl::StrCat("recordings directory \"",
                                                      options_.recordings_dir,
                                                      "\": ", error.message()));
  }
  absl::StatusOr<int> recovered = store_.RecoverJobs(options_.clock());
  if (!recovered.ok()) return recovered.status();
  if (*recovered > 0) {
    spdlog::info("ingest: resuming {} job(s) interrupted by the last stop",
                 *recovered);
  }
  worker_prefix_ =
      absl::StrCat("ingest-", getpid(), "-", NewUuid().substr(0, 8));
  {
    absl::MutexLock lock(&mu_);
    stopping_ = false;
    running_workers_ = options_.workers;
  }
  for (int i = 0; i < options_.workers; ++i) {
    threads_.emplace_back([this, i] { WorkerLoop(i); });
  }
  return absl::OkStatus();
}

void IngestQueue::Notify() {
  absl::MutexLock lock(&mu_);
  ++generation_;
}

int IngestQueue::Stop(absl::Duration grace) {
  if (threads_.empty()) return 0;
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  auto all_stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return running_workers_ == 0;
  };
  if (grace == absl::InfiniteDuration()) {
    mu_.Await(absl::Condition(&all_stopped));
  } else {
    mu_.AwaitWithTimeout(absl::Condition(&all_stopped), grace);
  }
  if (running_workers_ > 0) return running_workers_;
  mu_.Unlock();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  mu_.Lock();
  return 0;
}

void IngestQueue::WaitForWork(uint64_t seen, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto woken = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || generation_ != seen;
  };
  mu_.AwaitWithDeadline(absl::Condition(&woken), deadline);
}

void IngestQueue::WorkerLoop(int index) {
  const std::string worker = absl::StrCat(worker_prefix_, "/", index);
  while (true) {
    uint64_t seen = 0;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
      seen = generation_;
      ++busy_workers_;
    }
    const absl::Time now = options_.clock();
    absl::StatusOr<std::optional<storage::ClaimedJob>> job =
        store_.ClaimJob(worker, now, options_.lease);
    bool stopping = false;
    if (job.ok() && job->has_value()) {
      {
        absl::MutexLock lock(&mu_);
        stopping = stopping_;
      }
      const storage::ClaimedJob& claimed = **job;
      if (stopping) {
        // Stop() came between the check and the claim: hand it back.
        (void)store_.ReleaseJob(claimed.recording.recording_id, worker,
                                "stopped", now, now);
      } else if (claimed.phase == storage::JobPhase::kAnnounce) {
        RunAnnounce(worker, claimed.recording);
      } else {
        RunDownload(worker, claimed);
      }
    }
    {
      absl::MutexLock lock(&mu_);
      --busy_workers_;
    }
    if (stopping) break;
    if (!job.ok()) {
      spdlog::warn("ingest: cannot claim a job: {}", job.status().ToString());
      WaitForWork(seen, absl::Now() + absl::Seconds(1));
      continue;
    }
    if (job->has_value()) continue;
    // Nothing due: sleep until the next job falls due or one is added.
    absl::Duration wait = options_.idle_poll;
    absl::StatusOr<std::optional<absl::Time>> due = store_.NextDueTime();
    if (due.ok() && due->has_value()) {
      wait = std::min(wait, **due - options_.clock());
    }
    if (wait > absl::ZeroDuration()) WaitForWork(seen, absl::Now() + wait);
  }
  absl::MutexLock lock(&mu_);
  --running_workers_;
}

absl::Duration IngestQueue::RetryDelay(int runs) const {
  absl::Duration delay = options_.initial_retry_delay;
  for (int i = 1; i < runs && delay < options_.max_retry_delay; ++i) {
    delay *= 2;
  }
  return std::min(delay, options_.max_retry_delay);
}

void IngestQueue::RunDownload(const std::string& worker,
                              const storage::ClaimedJob& job) {
  const storage::RecordingRecord& recording = job.recording;
  const std::string& id = recording.recording_id;
  const std::string destination =
      (std::filesystem::path(recordings_dir_) / RecordingFileName(recording))
          .string();
  DownloadOptions download = options_.download;
  download.deadline = options_.clock() + options_.max_run_time;
  spdlog::info("ingest: recording {} run {} from {}", id, job.runs,
               DescribeRecordingSource(recording));

  absl::Time last_write = absl::InfinitePast();
  int64_t last_done = -1;
  int64_t last_total = -1;
  bool lease_lost = false;
  const ProgressCallback progress = [&](int64_t done, int64_t total) {
    const absl::Time now = options_.clock();
    // Always written: the first report, the first bytes (a stall may follow
    // them) and the end; in between at most once per progress_interval.
    const bool notable = last_done <= 0 || (total > 0 && done >= total);
    if (lease_lost || (done == last_done && total == last_total) ||
        (!notable && now - last_write < options_.progress_interval)) {
      return;
    }
    last_write = now;
    last_done = done;
    last_total = total;
    const absl::Status status = store_.UpdateProgress(
        id, worker, done, total, now, now + options_.lease);
    if (absl::IsAborted(status)) {
      lease_lost = true;
      spdlog::warn("ingest: recording {}: {}", id, status.ToString());
    } else if (!status.ok()) {
      spdlog::warn("ingest: recording {}: progress not saved: {}", id,
                   status.ToString());
    }
  };
  absl::StatusOr<DownloadResult> result =
      ingestor_.Ingest(recording, destination, download, progress);
  const absl::Time now = options_.clock();

  if (result.ok()) {
    storage::IngestedFile file;
    file.local_path = result->path.empty() ? destination : result->path;
    file.size_bytes = result->size_bytes;
    file.sha256 = result->sha256_hex;
    file.media_container = result->media.container;
    file.media_duration_seconds = result->media.duration_seconds;
    file.media_has_audio = result->media.has_audio;
    file.media_has_video = result->media.has_video;
    absl::StatusOr<storage::RecordingRecord> ready =
        store_.CompleteJob(id, worker, file, now);
    if (!ready.ok()) {
      // The lease moved on, or the database failed: whoever holds the job
      // next finds the finished file and completes it.
      spdlog::warn("ingest: recording {} downloaded but not recorded: {}", id,
                   ready.status().ToString());
      return;
    }
    metrics_.DownloadReady(ready->size_bytes);
    spdlog::info("ingest: recording {} ready: {} bytes, sha256 {}", id,
                 ready->size_bytes, ready->sha256);
    RunAnnounce(worker, *ready);
    return;
  }

  const absl::Status& status = result.status();
  if (IsTransient(status.code()) && job.runs < options_.max_runs) {
    metrics_.DownloadRetried(status.code());
    const absl::Time due = now + RetryDelay(job.runs);
    spdlog::warn("ingest: recording {} run {} failed ({}); retrying at {}", id,
                 job.runs, status.ToString(), absl::FormatTime(due));
    const absl::Status released =
        store_.ReleaseJob(id, worker, status.ToString(), due, now);
    if (!released.ok()) {
      spdlog::warn("ingest: recording {}: {}", id, released.ToString());
    }
    return;
  }
  metrics_.DownloadFailed(status.code());
  absl::StatusOr<storage::RecordingRecord> failed =
      store_.FailJob(id, worker, Reason(status), now);
  if (!failed.ok()) {
    spdlog::warn("ingest: recording {} failed ({}) but not recorded: {}", id,
                 status.ToString(), failed.status().ToString());
    return;
  }
  spdlog::warn("ingest: recording {} failed: {}", id, status.ToString());
  RunAnnounce(worker, *failed);
}

void IngestQueue::RunAnnounce(const std::string& worker,
                              const storage::RecordingRecord& recording) {
  const std::string& id = recording.recording_id;
  const absl::Status announced = announcer_.Announce(RecordingEvent(recording));
  const absl::Time now = options_.clock();
  if (announced.ok()) {
    const absl::Status done = store_.MarkAnnounced(id, worker, now);
    if (!done.ok()) {
      spdlog::warn("ingest: recording {} announced but not marked: {}", id,
                   done.ToString());
    }
    return;
  }
  spdlog::warn("ingest: announcing recording {} failed: {}", id,
               announced.ToString());
  const absl::Status released =
      store_.ReleaseJob(id, worker, announced.ToString(),
                        now + options_.initial_retry_delay, now);
  if (!released.ok()) {
    spdlog::warn("ingest: recording {}: {}", id, released.ToString());
  }
}

}  // namespace videoplatform::ingest
