// RecordingStore on the shared connection: every method holds the
// connection's mutex for its whole run; writes run in one BEGIN IMMEDIATE
// transaction (see storage/sqlite.h).
#include "storage/recording_store.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "server/common/status_macros.h"
#include "storage/page_token.h"
#include "storage/sqlite.h"

namespace videoplatform::storage {
namespace {

constexpr int kMaxPageSize = 1000;
constexpr absl::string_view kRecordingTokenKind = "recordings.v1";
// Longest job error kept for diagnostics.
constexpr size_t kMaxErrorLength = 2000;

// Column order read by ReadRecording() and written by Register().
constexpr absl::string_view kRecordingColumns =
    "id, platform, provider_recording_id, source_kind, s3_bucket, s3_key, "
    "s3_region, download_url, source_recording_id, meeting_id, unmatched, "
    "room_name, start_time_us, kind, tracks_json, state, bytes_done, "
    "bytes_total, attempts, local_path, size_bytes, sha256, "
    "media_container, media_duration_us, media_has_audio, media_has_video, "
    "failure_reason, create_time_us, update_time_us";

int64_t ToMicros(absl::Time time) { return absl::ToUnixMicros(time); }
absl::Time FromMicros(int64_t micros) { return absl::FromUnixMicros(micros); }

absl::string_view SourceKindString(RecordingSourceKind kind) {
  switch (kind) {
    case RecordingSourceKind::kS3:
      return "s3";
    case RecordingSourceKind::kUrl:
      return "url";
    case RecordingSourceKind::kDailyRecordingId:
      return "daily-recording-id";
  }
  return "s3";
}

absl::StatusOr<RecordingSourceKind> SourceKindFromString(
    absl::string_view text) {
  if (text == "s3") return RecordingSourceKind::kS3;
  if (text == "url") return RecordingSourceKind::kUrl;
  if (text == "daily-recording-id") {
    return RecordingSourceKind::kDailyRecordingId;
  }
  return absl::InternalError(
      absl::StrCat("stored source_kind \"", text, "\" is unknown"));
}

std::optional<absl::string_view> KindString(v1::RecordingKind kind) {
  switch (kind) {
    case v1::RECORDING_KIND_CLOUD:
      return "cloud";
    case v1::RECORDING_KIND_CLOUD_AUDIO_ONLY:
      return "cloud-audio-only";
    case v1::RECORDING_KIND_RAW_TRACKS:
      return "raw-tracks";
    default:
      return std::nullopt;
  }
}

absl::StatusOr<v1::RecordingKind> KindFromString(absl::string_view text) {
  if (text == "cloud") return v1::RECORDING_KIND_CLOUD;
  if (text == "cloud-audio-only") return v1::RECORDING_KIND_CLOUD_AUDIO_ONLY;
  if (text == "raw-tracks") return v1::RECORDING_KIND_RAW_TRACKS;
  return absl::InternalError(
      absl::StrCat("stored recording kind \"", text, "\" is unknown"));
}

std::optional<absl::string_view> StateString(v1::RecordingState state) {
  switch (state) {
    case v1::RECORDING_STATE_PENDING:
      return "pending";
    case v1::RECORDING_STATE_DOWNLOADING:
      return "downloading";
    case v1::RECORDING_STATE_READY:
      return "ready";
    case v1::RECORDING_STATE_FAILED:
      return "failed";
    default:
      return std::nullopt;
  }
}

absl::StatusOr<v1::RecordingState> StateFromString(absl::string_view text) {
  if (text == "pending") return v1::RECORDING_STATE_PENDING;
  if (text == "downloading") return v1::RECORDING_STATE_DOWNLOADING;
  if (text == "ready") return v1::RECORDING_STATE_READY;
  if (text == "failed") return v1::RECORDING_STATE_FAILED;
  return absl::InternalError(
      absl::StrCat("stored recording state \"", text, "\" is unknown"));
}

std::string TracksToJson(const std::vector<RecordingTrackRecord>& tracks) {
  nlohmann::json array = nlohmann::json::array();
  for (const RecordingTrackRecord& track : tracks) {
    array.push_back({{"type", track.type},
                     {"s3_key", track.s3_key},
                     {"size_bytes", track.size_bytes}});
  }
  return array.dump();
}

absl::StatusOr<std::vector<RecordingTrackRecord>> TracksFromJson(
    const std::string& text) {
  const nlohmann::json array = nlohmann::json::parse(text, nullptr, false);
  if (!array.is_array()) {
    return absl::InternalError("stored tracks_json is not a JSON array");
  }
  std::vector<RecordingTrackRecord> tracks;
  for (const nlohmann::json& item : array) {
    if (!item.is_object() ||
        !item.value("type", nlohmann::json()).is_string() ||
        !item.value("s3_key", nlohmann::json()).is_string() ||
        !item.value("size_bytes", nlohmann::json()).is_number_integer()) {
      return absl::InternalError("stored tracks_json has a malformed track");
    }
    tracks.push_back({item["type"].get<std::string>(),
                      item["s3_key"].get<std::string>(),
                      item["size_bytes"].get<int64_t>()});
  }
  return tracks;
}

absl::StatusOr<RecordingRecord> ReadRecording(const Statement& row) {
  RecordingRecord r;
  r.recording_id = row.ColumnText(0);
  r.platform = row.ColumnText(1);
  r.provider_recording_id = row.ColumnText(2);
  ASSIGN_OR_RETURN(r.source_kind, SourceKindFromString(row.ColumnText(3)));
  r.s3_bucket = row.ColumnText(4);
  r.s3_key = row.ColumnText(5);
  r.s3_region = row.ColumnText(6);
  r.download_url = row.ColumnText(7);
  r.source_recording_id = row.ColumnText(8);
  r.meeting_id = row.ColumnText(9);
  r.unmatched = row.ColumnBool(10);
  r.room_name = row.ColumnText(11);
  if (!row.ColumnIsNull(12)) r.start_time = FromMicros(row.ColumnInt64(12));
  ASSIGN_OR_RETURN(r.kind, KindFromString(row.ColumnText(13)));
  ASSIGN_OR_RETURN(r.tracks, TracksFromJson(row.ColumnText(14)));
  ASSIGN_OR_RETURN(r.state, StateFromString(row.ColumnText(15)));
  r.bytes_done = row.ColumnInt64(16);
  r.bytes_total = row.ColumnInt64(17);
  r.attempts = static_cast<int>(row.ColumnInt64(18));
  r.local_path = row.ColumnText(19);
  r.size_bytes = row.ColumnInt64(20);
  r.sha256 = row.ColumnText(21);
  r.media_container = row.ColumnText(22);
  r.media_duration_seconds = static_cast<double>(row.ColumnInt64(23)) / 1e6;
  r.media_has_audio = row.ColumnBool(24);
  r.media_has_video = row.ColumnBool(25);
  r.failure_reason = row.ColumnText(26);
  r.create_time = FromMicros(row.ColumnInt64(27));
  r.update_time = FromMicros(row.ColumnInt64(28));
  return r;
}

absl::StatusOr<std::optional<RecordingRecord>> QueryOne(
    Database& db, absl::string_view where,
    const std::vector<std::string>& args) {
  ASSIGN_OR_RETURN(
      Statement select,
      db.Prepare(absl::StrCat("SELECT ", kRecordingColumns,
                              " FROM recordings WHERE ", where, " LIMIT 1")));
  for (size_t i = 0; i < args.size(); ++i) {
    RETURN_IF_ERROR(select.BindText(static_cast<int>(i) + 1, args[i]));
  }
  ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::optional<RecordingRecord>();
  ASSIGN_OR_RETURN(RecordingRecord recording, ReadRecording(select));
  return std::optional<RecordingRecord>(std::move(recording));
}

absl::StatusOr<RecordingRecord> GetLocked(Database& db,
                                          absl::string_view recording_id) {
  ASSIGN_OR_RETURN(std::optional<RecordingRecord> recording,
                   QueryOne(db, "id = ?1", {std::string(recording_id)}));
  if (!recording.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("recording \"", recording_id, "\" not found"));
  }
  return *std::move(recording);
}

std::string Truncated(absl::string_view text) {
  return std::string(text.substr(0, kMaxErrorLength));
}

// Fails with ABORTED unless `worker` holds the running job.
absl::StatusOr<std::string> RequireLease(Database& db,
                                         absl::string_view recording_id,
                                         absl::string_view worker) {
  ASSIGN_OR_RETURN(Statement select,
                   db.Prepare("SELECT phase FROM ingest_jobs WHERE "
                              "recording_id = ?1 AND state = 'running' AND "
                              "lease_owner = ?2"));
  RETURN_IF_ERROR(select.BindAll(recording_id, worker));
  ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) {
    return absl::AbortedError(absl::StrCat("worker ", worker,
                                           " no longer holds the job of "
                                           "recording ",
                                           recording_id));
  }
  return select.ColumnText(0);
}

absl::Status RequireNonEmpty(absl::string_view value, absl::string_view name) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name, " must not be empty"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> DecodeCursor(
    const RecordingFilter& filter, absl::string_view state) {
  ASSIGN_OR_RETURN(
      std::vector<std::string> fields,
      DecodePageToken(filter.after_cursor, kRecordingTokenKind, 4));
  int64_t micros = 0;
  if (!absl::SimpleAtoi(fields[0], &micros) || fields[1].empty()) {
    return absl::InvalidArgumentError(
        "page_token: malformed; pass the next_page_token of a previous page");
  }
  if (fields[2] != filter.meeting_id || fields[3] != state) {
    return absl::InvalidArgumentError(
        "page_token: issued for a different meeting_id or state filter");
  }
  return fields;
}

}  // namespace

absl::StatusOr<RecordingStore::RegisterResult> RecordingStore::Register(
    const RecordingRecord& r, absl::Time now) {
  RETURN_IF_ERROR(RequireNonEmpty(r.recording_id, "recording_id"));
  RETURN_IF_ERROR(RequireNonEmpty(r.platform, "platform"));
  std::optional<absl::string_view> kind = KindString(r.kind);
  if (!kind.has_value()) {
    return absl::InvalidArgumentError("kind must be a specified value");
  }
  switch (r.source_kind) {
    case RecordingSourceKind::kS3:
      RETURN_IF_ERROR(RequireNonEmpty(r.s3_bucket, "s3_bucket"));
      RETURN_IF_ERROR(RequireNonEmpty(r.s3_key, "s3_key"));
      break;
    case RecordingSourceKind::kUrl:
      RETURN_IF_ERROR(RequireNonEmpty(r.download_url, "download_url"));
      break;
    case RecordingSourceKind::kDailyRecordingId:
      RETURN_IF_ERROR(
          RequireNonEmpty(r.source_recording_id, "source_recording_id"));
      break;
  }
  if (r.unmatched != r.meeting_id.empty()) {
    return absl::InvalidArgumentError(
        "a recording is unmatched exactly when it has no meeting_id");
  }

  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  std::optional<RecordingRecord> existing;
  if (!r.provider_recording_id.empty()) {
    // The `<> ''` term lets SQLite use the partial unique index.
    ASSIGN_OR_RETURN(existing,
                     QueryOne(db_,
                              "platform = ?1 AND provider_recording_id = ?2 "
                              "AND provider_recording_id <> ''",
                              {r.platform, r.provider_recording_id}));
  }
  if (!existing.has_value() && r.source_kind == RecordingSourceKind::kS3) {
    ASSIGN_OR_RETURN(existing, QueryOne(db_,
                                        "s3_bucket = ?1 AND s3_key = ?2 AND "
                                        "s3_bucket <> ''",
                                        {r.s3_bucket, r.s3_key}));
  }
  if (existing.has_value()) return RegisterResult{*std::move(existing), false};

  const bool is_s3 = r.source_kind == RecordingSourceKind::kS3;
  ASSIGN_OR_RETURN(
      Statement insert,
      db_.Prepare(absl::StrCat(
          "INSERT INTO recordings (", kRecordingColumns,
          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
          "?14, ?15, 'pending', 0, 0, 0, '', 0, '', '', 0, 0, 0, '', ?16, "
          "?16)")));
  RETURN_IF_ERROR(insert.BindAll(
      r.recording_id, r.platform, r.provider_recording_id,
      SourceKindString(r.source_kind), is_s3 ? r.s3_bucket : "",
      is_s3 ? r.s3_key : "", is_s3 ? r.s3_region : "",
      r.source_kind == RecordingSourceKind::kUrl ? r.download_url : "",
      r.source_kind == RecordingSourceKind::kDailyRecordingId
          ? r.source_recording_id
          : "",
      r.meeting_id, r.unmatched, r.room_name));
  RETURN_IF_ERROR(r.start_time.has_value()
                      ? insert.BindInt64(13, ToMicros(*r.start_time))
                      : insert.BindNull(13));
  RETURN_IF_ERROR(insert.BindText(14, *kind));
  RETURN_IF_ERROR(insert.BindText(15, TracksToJson(r.tracks)));
  RETURN_IF_ERROR(insert.BindInt64(16, ToMicros(now)));
  RETURN_IF_ERROR(insert.Run());

  ASSIGN_OR_RETURN(
      Statement job,
      db_.Prepare("INSERT INTO ingest_jobs (recording_id, state, phase, "
                  "due_us, create_time_us, update_time_us) VALUES "
                  "(?1, 'queued', 'download', ?2, ?2, ?2)"));
  RETURN_IF_ERROR(job.BindAll(r.recording_id, ToMicros(now)));
  RETURN_IF_ERROR(job.Run());

  ASSIGN_OR_RETURN(RecordingRecord created, GetLocked(db_, r.recording_id));
  RETURN_IF_ERROR(transaction.Commit());
  return RegisterResult{std::move(created), true};
}

absl::StatusOr<RecordingRecord> RecordingStore::Get(
    absl::string_view recording_id) {
  absl::MutexLock lock(&db_.mutex());
  return GetLocked(db_, recording_id);
}

absl::StatusOr<RecordingPage> RecordingStore::List(
    const RecordingFilter& filter) {
  if (filter.limit <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page size must be positive, got ", filter.limit));
  }
  const int page_size = std::min(filter.limit, kMaxPageSize);
  std::string state;
  if (filter.state != v1::RECORDING_STATE_UNSPECIFIED) {
    std::optional<absl::string_view> text = StateString(filter.state);
    if (!text.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "state must be a known value, got ", static_cast<int>(filter.state)));
    }
    state = std::string(*text);
  }
  std::optional<std::vector<std::string>> cursor;
  if (!filter.after_cursor.empty()) {
    ASSIGN_OR_RETURN(cursor, DecodeCursor(filter, state));
  }

  std::string sql =
      absl::StrCat("SELECT ", kRecordingColumns, " FROM recordings WHERE 1");
  if (!filter.meeting_id.empty()) absl::StrAppend(&sql, " AND meeting_id = ?");
  if (!state.empty()) absl::StrAppend(&sql, " AND state = ?");
  if (cursor.has_value()) {
    absl::StrAppend(&sql, " AND (create_time_us, id) < (?, ?)");
  }
  absl::StrAppend(&sql, " ORDER BY create_time_us DESC, id DESC LIMIT ?");

  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(Statement select, db_.Prepare(sql));
  int index = 0;
  if (!filter.meeting_id.empty()) {
    RETURN_IF_ERROR(select.BindText(++index, filter.meeting_id));
  }
  if (!state.empty()) RETURN_IF_ERROR(select.BindText(++index, state));
  if (cursor.has_value()) {
    int64_t micros = 0;
    (void)absl::SimpleAtoi((*cursor)[0], &micros);
    RETURN_IF_ERROR(select.BindInt64(++index, micros));
    RETURN_IF_ERROR(select.BindText(++index, (*cursor)[1]));
  }
  // One extra row tells whether another page follows.
  RETURN_IF_ERROR(select.BindInt64(++index, page_size + 1));
  RecordingPage page;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    if (static_cast<int>(page.recordings.size()) == page_size) {
      const RecordingRecord& last = page.recordings.back();
      page.next_cursor = EncodePageToken(
          kRecordingTokenKind, {absl::StrCat(ToMicros(last.create_time)),
                                last.recording_id, filter.meeting_id, state});
      break;
    }
    ASSIGN_OR_RETURN(RecordingRecord recording, ReadRecording(select));
    page.recordings.push_back(std::move(recording));
  }
  return page;
}

absl::StatusOr<RecordingStore::StateCounts> RecordingStore::CountByState() {
  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(
      Statement select,
      db_.Prepare("SELECT state, COUNT(*), MIN(create_time_us) FROM recordings "
                  "GROUP BY state"));
  StateCounts counts;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    const std::string state = select.ColumnText(0);
    counts.by_state[state] = select.ColumnInt64(1);
    if (state == "pending") {
      counts.oldest_pending = absl::FromUnixMicros(select.ColumnInt64(2));
    }
  }
  return counts;
}

absl::StatusOr<std::optional<ClaimedJob>> RecordingStore::ClaimJob(
    absl::string_view worker, absl::Time now, absl::Duration lease) {
  RETURN_IF_ERROR(RequireNonEmpty(worker, "worker"));
  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  std::string recording_id;
  std::string phase;
  int runs = 0;
  // Due queued jobs first (oldest due first), then expired leases.
  for (absl::string_view sql :
       {"SELECT recording_id, phase, runs FROM ingest_jobs WHERE "
        "state = 'queued' AND due_us <= ?1 ORDER BY due_us LIMIT 1",
        "SELECT recording_id, phase, runs FROM ingest_jobs WHERE "
        "state = 'running' AND lease_expires_us <= ?1 "
        "ORDER BY lease_expires_us LIMIT 1"}) {
    ASSIGN_OR_RETURN(Statement select, db_.Prepare(sql));
    RETURN_IF_ERROR(select.BindInt64(1, ToMicros(now)));
    ASSIGN_OR_RETURN(const bool row, select.Step());
    if (row) {
      recording_id = select.ColumnText(0);
      phase = select.ColumnText(1);
      runs = static_cast<int>(select.ColumnInt64(2));
      break;
    }
  }
  if (recording_id.empty()) return std::optional<ClaimedJob>();

  const bool download = phase == "download";
  if (download) ++runs;
  ASSIGN_OR_RETURN(
      Statement update,
      db_.Prepare("UPDATE ingest_jobs SET state = 'running', "
                  "lease_owner = ?2, lease_expires_us = ?3, runs = ?4, "
                  "update_time_us = ?5 WHERE recording_id = ?1"));
  RETURN_IF_ERROR(update.BindAll(recording_id, worker, ToMicros(now + lease),
                                 runs, ToMicros(now)));
  RETURN_IF_ERROR(update.Run());
  if (download) {
    ASSIGN_OR_RETURN(
        Statement recording,
        db_.Prepare("UPDATE recordings SET state = 'downloading', "
                    "attempts = ?2, failure_reason = '', update_time_us = ?3 "
                    "WHERE id = ?1"));
    RETURN_IF_ERROR(recording.BindAll(recording_id, runs, ToMicros(now)));
    RETURN_IF_ERROR(recording.Run());
  }
  ClaimedJob job;
  ASSIGN_OR_RETURN(job.recording, GetLocked(db_, recording_id));
  job.phase = download ? JobPhase::kDownload : JobPhase::kAnnounce;
  job.runs = runs;
  RETURN_IF_ERROR(transaction.Commit());
  return std::optional<ClaimedJob>(std::move(job));
}

absl::StatusOr<std::optional<absl::Time>> RecordingStore::NextDueTime() {
  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(Statement select,
                   db_.Prepare("SELECT MIN(due_us) FROM ingest_jobs WHERE "
                               "state = 'queued'"));
  ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row || select.ColumnIsNull(0)) return std::optional<absl::Time>();
  return std::optional<absl::Time>(FromMicros(select.ColumnInt64(0)));
}

absl::Status RecordingStore::UpdateProgress(absl::string_view recording_id,
                                            absl::string_view worker,
                                            int64_t bytes_done,
                                            int64_t bytes_total, absl::Time now,
                                            absl::Time lease_until) {
  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  ASSIGN_OR_RETURN(const std::string phase,
                   RequireLease(db_, recording_id, worker));
  ASSIGN_OR_RETURN(Statement job,
                   db_.Prepare("UPDATE ingest_jobs SET lease_expires_us = ?2, "
                               "update_time_us = ?3 WHERE recording_id = ?1"));
  RETURN_IF_ERROR(
      job.BindAll(recording_id, ToMicros(lease_until), ToMicros(now)));
  RETURN_IF_ERROR(job.Run());
  if (phase == "download") {
    ASSIGN_OR_RETURN(
        Statement recording,
        db_.Prepare("UPDATE recordings SET bytes_done = ?2, bytes_total = ?3, "
                    "update_time_us = ?4 WHERE id = ?1"));
    RETURN_IF_ERROR(
        recording.BindAll(recording_id, std::max<int64_t>(0, bytes_done),
                          std::max<int64_t>(0, bytes_total), ToMicros(now)));
    RETURN_IF_ERROR(recording.Run());
  }
  return transaction.Commit();
}

absl::StatusOr<RecordingRecord> RecordingStore::CompleteJob(
    absl::string_view recording_id, absl::string_view worker,
    const IngestedFile& file, absl::Time now) {
  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  RETURN_IF_ERROR(RequireLease(db_, recording_id, worker).status());
  ASSIGN_OR_RETURN(
      Statement recording,
      db_.Prepare("UPDATE recordings SET state = 'ready', bytes_done = ?2, "
                  "bytes_total = ?2, size_bytes = ?2, local_path = ?3, "
                  "sha256 = ?4, media_container = ?5, media_duration_us = ?6, "
                  "media_has_audio = ?7, media_has_video = ?8, "
                  "failure_reason = '', update_time_us = ?9 WHERE id = ?1"));
  const double duration = std::isfinite(file.media_duration_seconds)
                              ? std::max(0.0, file.media_duration_seconds)
                              : 0.0;
  RETURN_IF_ERROR(recording.BindAll(
      recording_id, file.size_bytes, file.local_path, file.sha256,
      file.media_container, static_cast<int64_t>(std::llround(duration * 1e6)),
      file.media_has_audio, file.media_has_video, ToMicros(now)));
  RETURN_IF_ERROR(recording.Run());
  ASSIGN_OR_RETURN(Statement job,
                   db_.Prepare("UPDATE ingest_jobs SET phase = 'announce', "
                               "last_error = '', update_time_us = ?2 "
                               "WHERE recording_id = ?1"));
  RETURN_IF_ERROR(job.BindAll(recording_id, ToMicros(now)));
  RETURN_IF_ERROR(job.Run());
  ASSIGN_OR_RETURN(RecordingRecord updated, GetLocked(db_, recording_id));
  RETURN_IF_ERROR(transaction.Commit());
  return updated;
}

absl::StatusOr<RecordingRecord> RecordingStore::FailJob(
    absl::string_view recording_id, absl::string_view worker,
    absl::string_view reason, absl::Time now) {
  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  RETURN_IF_ERROR(RequireLease(db_, recording_id, worker).status());
  ASSIGN_OR_RETURN(
      Statement recording,
      db_.Prepare("UPDATE recordings SET state = 'failed', "
                  "failure_reason = ?2, update_time_us = ?3 WHERE id = ?1"));
  RETURN_IF_ERROR(
      recording.BindAll(recording_id, Truncated(reason), ToMicros(now)));
  RETURN_IF_ERROR(recording.Run());
  ASSIGN_OR_RETURN(Statement job,
                   db_.Prepare("UPDATE ingest_jobs SET phase = 'announce', "
                               "last_error = ?2, update_time_us = ?3 "
                               "WHERE recording_id = ?1"));
  RETURN_IF_ERROR(job.BindAll(recording_id, Truncated(reason), ToMicros(now)));
  RETURN_IF_ERROR(job.Run());
  ASSIGN_OR_RETURN(RecordingRecord updated, GetLocked(db_, recording_id));
  RETURN_IF_ERROR(transaction.Commit());
  return updated;
}

absl::Status RecordingStore::ReleaseJob(absl::string_view recording_id,
                                        absl::string_view worker,
                                        absl::string_view error, absl::Time due,
                                        absl::Time now) {
  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  ASSIGN_OR_RETURN(const std::string phase,
                   RequireLease(db_, recording_id, worker));
  ASSIGN_OR_RETURN(
      Statement job,
      db_.Prepare("UPDATE ingest_jobs SET state = 'queued', lease_owner = '', "
                  "lease_expires_us = 0, due_us = ?2, last_error = ?3, "
                  "update_time_us = ?4 WHERE recording_id = ?1"));
  RETURN_IF_ERROR(job.BindAll(recording_id, ToMicros(due), Truncated(error),
                              ToMicros(now)));
  RETURN_IF_ERROR(job.Run());
  if (phase == "download") {
    ASSIGN_OR_RETURN(Statement recording,
                     db_.Prepare("UPDATE recordings SET state = 'pending', "
                                 "update_time_us = ?2 WHERE id = ?1"));
    RETURN_IF_ERROR(recording.BindAll(recording_id, ToMicros(now)));
    RETURN_IF_ERROR(recording.Run());
  }
  return transaction.Commit();
}

absl::Status RecordingStore::MarkAnnounced(absl::string_view recording_id,
                                           absl::string_view worker,
                                           absl::Time now) {
  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  ASSIGN_OR_RETURN(const std::string phase,
                   RequireLease(db_, recording_id, worker));
  if (phase != "announce") {
    return absl::FailedPreconditionError(absl::StrCat(
        "recording ", recording_id, " has not finished downloading"));
  }
  ASSIGN_OR_RETURN(
      Statement job,
      db_.Prepare("UPDATE ingest_jobs SET state = 'done', lease_owner = '', "
                  "lease_expires_us = 0, update_time_us = ?2 "
                  "WHERE recording_id = ?1"));
  RETURN_IF_ERROR(job.BindAll(recording_id, ToMicros(now)));
  RETURN_IF_ERROR(job.Run());
  return transaction.Commit();
}

absl::StatusOr<int> RecordingStore::RecoverJobs(absl::Time now) {
  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  ASSIGN_OR_RETURN(
      Statement recordings,
      db_.Prepare("UPDATE recordings SET state = 'pending', "
                  "update_time_us = ?1 WHERE state = 'downloading' AND id IN "
                  "(SELECT recording_id FROM ingest_jobs WHERE "
                  "state = 'running' AND phase = 'download')"));
  RETURN_IF_ERROR(recordings.BindInt64(1, ToMicros(now)));
  RETURN_IF_ERROR(recordings.Run());
  ASSIGN_OR_RETURN(
      Statement jobs,
      db_.Prepare("UPDATE ingest_jobs SET state = 'queued', lease_owner = '', "
                  "lease_expires_us = 0, due_us = ?1, "
                  "last_error = 'interrupted', update_time_us = ?1 "
                  "WHERE state = 'running'"));
  RETURN_IF_ERROR(jobs.BindInt64(1, ToMicros(now)));
  RETURN_IF_ERROR(jobs.Run());
  const int recovered = static_cast<int>(db_.Changes());
  RETURN_IF_ERROR(transaction.Commit());
  return recovered;
}

absl::StatusOr<std::vector<RecordingStore::MeetingCandidate>>
RecordingStore::FindMeetingsByRoomName(absl::string_view platform,
                                       absl::string_view room_name) {
  std::vector<MeetingCandidate> candidates;
  if (room_name.empty()) return candidates;
  absl::MutexLock lock(&db_.mutex());
  ASSIGN_OR_RETURN(
      Statement select,
      db_.Prepare("SELECT id, start_time_us FROM meetings WHERE "
                  "platform = ?1 AND room_name = ?2 "
                  "ORDER BY start_time_us DESC, id DESC LIMIT 100"));
  RETURN_IF_ERROR(select.BindAll(platform, room_name));
  while (true) {
    ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    candidates.push_back(
        {select.ColumnText(0), FromMicros(select.ColumnInt64(1))});
  }
  return candidates;
}

}  // namespace videoplatform::storage
