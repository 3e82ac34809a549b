// Recordings and their ingestion jobs, in the service's SQLite file (the
// tables of migration "recordings and ingestion jobs").
//
// A recording is registered once (idempotent on the provider's recording
// id, else on its S3 bucket and key) together with one durable job. The
// job is a small state machine that workers drive:
//
//   queued --ClaimJob--> running --CompleteJob/FailJob--> running (announce
//   phase) --MarkAnnounced--> done
//   running --RetryJob/ReleaseJob/RecoverJobs--> queued
//
// A claim is a lease: it names the worker and expires; every write for a
// running job names the worker and fails with ABORTED once the lease is
// gone, so a stale worker cannot overwrite a newer one. A job whose lease
// expired is claimable again, and RecoverJobs() (called once at start, by
// the only process serving the file) makes every running job claimable at
// once: nothing is lost when the process dies mid-download.
//
// Thread safety: every method may be called concurrently; each holds the
// connection's mutex for its whole run and writes in one transaction (see
// storage/sqlite.h). Errors: as storage::Store (NOT_FOUND, ALREADY_EXISTS,
// UNAVAILABLE, INTERNAL, INVALID_ARGUMENT naming the bad input).
#ifndef VIDEOPLATFORM_STORAGE_RECORDING_STORE_H_
#define VIDEOPLATFORM_STORAGE_RECORDING_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::storage {

class Database;

// Where a recording is fetched from.
enum class RecordingSourceKind {
  kS3,                // s3_bucket / s3_key (/ s3_region).
  kUrl,               // download_url.
  kDailyRecordingId,  // source_recording_id, resolved to a link per run.
};

struct RecordingTrackRecord {
  std::string type;  // "audio" or "video".
  std::string s3_key;
  int64_t size_bytes = 0;
};

// One recording; field meanings as in v1.Recording.
struct RecordingRecord {
  std::string recording_id;
  std::string platform;
  std::string provider_recording_id;  // "" when the caller gave none.

  RecordingSourceKind source_kind = RecordingSourceKind::kS3;
  std::string s3_bucket;
  std::string s3_key;
  std::string s3_region;            // "" for the platform's default.
  std::string download_url;         // May carry a signature: never shown.
  std::string source_recording_id;  // kDailyRecordingId.

  std::string meeting_id;  // "" when unmatched.
  bool unmatched = true;
  std::string room_name;
  std::optional<absl::Time> start_time;
  v1::RecordingKind kind = v1::RECORDING_KIND_CLOUD;
  std::vector<RecordingTrackRecord> tracks;

  v1::RecordingState state = v1::RECORDING_STATE_PENDING;
  int64_t bytes_done = 0;
  int64_t bytes_total = 0;
  int attempts = 0;
  std::string local_path;
  int64_t size_bytes = 0;
  std::string sha256;
  std::string media_container;
  double media_duration_seconds = 0;
  bool media_has_audio = false;
  bool media_has_video = false;
  std::string failure_reason;
  absl::Time create_time;
  absl::Time update_time;
};

// What a worker reports for a verified download.
struct IngestedFile {
  std::string local_path;
  int64_t size_bytes = 0;
  std::string sha256;
  std::string media_container;
  double media_duration_seconds = 0;
  bool media_has_audio = false;
  bool media_has_video = false;
};

enum class JobPhase {
  kDownload,  // Fetch and verify the file.
  kAnnounce,  // The recording is READY or FAILED; tell the event log.
};

// A job a worker holds the lease of.
struct ClaimedJob {
  RecordingRecord recording;  // As it is after the claim.
  JobPhase phase = JobPhase::kDownload;
  int runs = 0;  // Download runs started, including this one.
};

struct RecordingFilter {
  std::string meeting_id;                                      // Empty: any.
  v1::RecordingState state = v1::RECORDING_STATE_UNSPECIFIED;  // Any.
  int limit = 100;
  std::string after_cursor;  // From RecordingPage; empty for the first.
};

struct RecordingPage {
  std::vector<RecordingRecord> recordings;  // Newest first.
  std::string next_cursor;                  // Empty on the last page.
};

class RecordingStore {
 public:
  // `db` (a migrated connection, e.g. Store::database()) must outlive this.
  explicit RecordingStore(Database& db) : db_(db) {}

  struct RegisterResult {
    RecordingRecord recording;
    bool created = false;
  };
  // Inserts `recording` (state PENDING, counters zero, create/update time
  // `now`; recording_id must be set) and its queued job, due at `now`.
  // When a recording with the same platform and non-empty
  // provider_recording_id exists, or (for S3 sources) one with the same
  // bucket and key, returns that one with created=false instead.
  absl::StatusOr<RegisterResult> Register(const RecordingRecord& recording,
                                          absl::Time now);

  // NOT_FOUND when absent.
  absl::StatusOr<RecordingRecord> Get(absl::string_view recording_id);
  // At most filter.limit (capped at 1000). A cursor only continues the
  // listing (meeting_id, state) it came from; else INVALID_ARGUMENT naming
  // page_token.
  absl::StatusOr<RecordingPage> List(const RecordingFilter& filter);

  // How many recordings are in each state ("pending", "downloading",
  // "ready", "failed"; states with none are absent), and when the oldest
  // pending one was registered (nullopt when none is pending). For metrics.
  struct StateCounts {
    std::map<std::string, int64_t> by_state;
    std::optional<absl::Time> oldest_pending;
  };
  absl::StatusOr<StateCounts> CountByState();

  // --- Jobs (for the ingest queue) ---

  // Leases the job that is due first (queued and due by `now`, or running
  // with its lease expired) to `worker` until `now + lease`; a download
  // claim counts a run and sets the recording DOWNLOADING. nullopt when
  // nothing is due.
  absl::StatusOr<std::optional<ClaimedJob>> ClaimJob(absl::string_view worker,
                                                     absl::Time now,
                                                     absl::Duration lease);
  // When the next queued job falls due (maybe in the past); nullopt when
  // no job is queued. Running jobs are not considered.
  absl::StatusOr<std::optional<absl::Time>> NextDueTime();

  // Records download progress and extends the lease to `lease_until`.
  // ABORTED when `worker` no longer holds the job.
  absl::Status UpdateProgress(absl::string_view recording_id,
                              absl::string_view worker, int64_t bytes_done,
                              int64_t bytes_total, absl::Time now,
                              absl::Time lease_until);
  // The download succeeded: the recording becomes READY with `file`'s
  // facts, and the job moves to its announce phase (still leased).
  absl::StatusOr<RecordingRecord> CompleteJob(absl::string_view recording_id,
                                              absl::string_view worker,
                                              const IngestedFile& file,
                                              absl::Time now);
  // The download failed for good: the recording becomes FAILED with
  // `reason`, and the job moves to its announce phase (still leased).
  absl::StatusOr<RecordingRecord> FailJob(absl::string_view recording_id,
                                          absl::string_view worker,
                                          absl::string_view reason,
                                          absl::Time now);
  // Hands the job back, due at `due` (a retry after a transient error, a
  // download abandoned at shutdown, or an announcement that failed). A
  // download job's recording goes back to PENDING; `error` is kept on the
  // job for diagnostics.
  absl::Status ReleaseJob(absl::string_view recording_id,
                          absl::string_view worker, absl::string_view error,
                          absl::Time due, absl::Time now);
  // The announcement is durably made: the job is done.
  absl::Status MarkAnnounced(absl::string_view recording_id,
                             absl::string_view worker, absl::Time now);
  // At start: every running job becomes queued and due at `now` (a
  // DOWNLOADING recording goes back to PENDING). Returns how many.
  absl::StatusOr<int> RecoverJobs(absl::Time now);

  // --- Matching ---

  struct MeetingCandidate {
    std::string meeting_id;
    absl::Time start_time;
  };
  // Meetings of `platform` whose provider room name is `room_name`, newest
  // first (at most 100).
  absl::StatusOr<std::vector<MeetingCandidate>> FindMeetingsByRoomName(
      absl::string_view platform, absl::string_view room_name);

 private:
  Database& db_;
};

}  // namespace videoplatform::storage

#endif  // VIDEOPLATFORM_STORAGE_RECORDING_STORE_H_
