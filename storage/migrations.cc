#include "storage/migrations.h"

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace videoplatform::storage {
namespace {

// Times are integer microseconds since the Unix epoch (UTC). Enums are the
// backend's lower-case strings, as in Reflector's tables.
constexpr Migration kMigrations[] = {
    {1, "meetings table (Reflector's shape, before platforms)",
     R"sql(
CREATE TABLE meetings (
  id TEXT NOT NULL PRIMARY KEY CHECK (id <> ''),
  provider_meeting_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  room_name TEXT NOT NULL,
  room_url TEXT NOT NULL,
  host_room_url TEXT NOT NULL,
  start_time_us INTEGER NOT NULL,
  end_time_us INTEGER NOT NULL,
  is_locked INTEGER NOT NULL DEFAULT 0 CHECK (is_locked IN (0, 1)),
  room_mode TEXT NOT NULL DEFAULT 'normal'
    CHECK (room_mode IN ('normal', 'group')),
  recording_type TEXT NOT NULL DEFAULT 'cloud'
    CHECK (recording_type IN ('none', 'local', 'cloud')),
  recording_trigger TEXT NOT NULL DEFAULT 'automatic-2nd-participant'
    CHECK (recording_trigger IN
           ('none', 'prompt', 'automatic', 'automatic-2nd-participant')),
  num_clients INTEGER NOT NULL DEFAULT 0 CHECK (num_clients >= 0),
  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1))
);
)sql"},
    {2,
     "platforms: meetings.platform, idempotency keys, listing indexes, "
     "global_flags, room_platforms",
     R"sql(
-- Rows from before platforms existed ran on Whereby.
ALTER TABLE meetings ADD COLUMN platform TEXT NOT NULL DEFAULT 'whereby'
  CHECK (platform <> '');
-- '' when the meeting was created without a key; unique otherwise.
ALTER TABLE meetings ADD COLUMN idempotency_key TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX meetings_by_idempotency_key ON meetings (idempotency_key)
  WHERE idempotency_key <> '';
-- ListMeetings: newest first, keyset (start_time_us, id).
CREATE INDEX meetings_by_start ON meetings (start_time_us, id);
CREATE INDEX meetings_by_room_start ON meetings (room_id, start_time_us, id);
CREATE INDEX meetings_active_by_start ON meetings (start_time_us, id)
  WHERE is_active = 1;

-- Exactly one row.
CREATE TABLE global_flags (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  daily_migration_enabled INTEGER NOT NULL
    CHECK (daily_migration_enabled IN (0, 1)),
  default_platform TEXT NOT NULL CHECK (default_platform <> ''),
  update_time_us INTEGER NOT NULL,
  updated_by TEXT NOT NULL
);
-- Reflector's defaults: migration off, Whereby.
INSERT INTO global_flags
  (id, daily_migration_enabled, default_platform, update_time_us, updated_by)
  VALUES (1, 0, 'whereby', 0, '');

CREATE TABLE room_platforms (
  room_id TEXT NOT NULL PRIMARY KEY CHECK (room_id <> ''),
  platform TEXT NOT NULL CHECK (platform <> ''),
  updated_by TEXT NOT NULL,
  update_time_us INTEGER NOT NULL
) WITHOUT ROWID;
-- ReplaceRoomPlatformsFromSource finds a source's rows.
CREATE INDEX room_platforms_by_updated_by ON room_platforms (updated_by);
)sql"},
    {3,
     "webhooks: received webhooks, the event log, participant presence, "
     "meeting lookup by provider id and room name",
     R"sql(
-- The event log that WatchEvents streams. AUTOINCREMENT: a sequence is
-- never reused, even after the newest rows are deleted. `event` is the
-- binary v1.Event with sequence 0 (the column is the truth).
CREATE TABLE events (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL CHECK (type <> ''),
  platform TEXT NOT NULL,
  meeting_id TEXT NOT NULL DEFAULT '',
  create_time_us INTEGER NOT NULL,
  event BLOB NOT NULL
);
CREATE INDEX events_by_meeting ON events (meeting_id, sequence)
  WHERE meeting_id <> '';

-- Genuine webhooks as received, one row per provider event id (the
-- de-duplication key). provider_event_id is NULL for bodies without one
-- (Daily's test ping); those are never duplicates. event_sequence is the
-- event the webhook appended (NULL when ignored).
CREATE TABLE webhooks (
  id INTEGER NOT NULL PRIMARY KEY,
  platform TEXT NOT NULL CHECK (platform <> ''),
  provider_event_id TEXT CHECK (provider_event_id <> ''),
  provider_event_type TEXT NOT NULL,
  received_time_us INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'ignored')),
  detail TEXT NOT NULL DEFAULT '',
  meeting_id TEXT NOT NULL DEFAULT '',
  event_sequence INTEGER REFERENCES events (sequence),
  body BLOB NOT NULL,
  UNIQUE (platform, provider_event_id)
);

-- Participants of providers that report joins and leaves but no count
-- (Daily), by the provider's per-join session id: present or not as of the
-- newest event applied (event_time_us), so repeated and out-of-order events
-- change nothing.
CREATE TABLE participant_presence (
  meeting_id TEXT NOT NULL REFERENCES meetings (id),
  participant_id TEXT NOT NULL CHECK (participant_id <> ''),
  present INTEGER NOT NULL CHECK (present IN (0, 1)),
  event_time_us INTEGER NOT NULL,
  PRIMARY KEY (meeting_id, participant_id)
) WITHOUT ROWID;

-- Event times of the newest participant count (Whereby's numClients) and
-- session start/end applied to a meeting; NULL before the first. Older
-- events arriving later do not overwrite newer state.
ALTER TABLE meetings ADD COLUMN participants_time_us INTEGER;
ALTER TABLE meetings ADD COLUMN session_time_us INTEGER;
-- Webhooks find their meeting by the provider's id, else by room name.
CREATE INDEX meetings_by_provider_id ON meetings (platform, provider_meeting_id);
CREATE INDEX meetings_by_room_name
  ON meetings (platform, room_name, start_time_us);
)sql"},
    {4, "recordings and their ingestion jobs",
     R"sql(
-- Recordings registered by IngestRecording (storage/recording_store.h).
-- Enums are lower-case strings; meeting_id is '' exactly when unmatched.
-- download_url may carry a signature and is never shown through the API.
CREATE TABLE recordings (
  id TEXT NOT NULL PRIMARY KEY CHECK (id <> ''),
  platform TEXT NOT NULL CHECK (platform <> ''),
  provider_recording_id TEXT NOT NULL DEFAULT '',
  source_kind TEXT NOT NULL
    CHECK (source_kind IN ('s3', 'url', 'daily-recording-id')),
  s3_bucket TEXT NOT NULL DEFAULT '',
  s3_key TEXT NOT NULL DEFAULT '',
  s3_region TEXT NOT NULL DEFAULT '',
  download_url TEXT NOT NULL DEFAULT '',
  source_recording_id TEXT NOT NULL DEFAULT '',
  meeting_id TEXT NOT NULL DEFAULT '',
  unmatched INTEGER NOT NULL CHECK (unmatched IN (0, 1)),
  room_name TEXT NOT NULL DEFAULT '',
  start_time_us INTEGER,
  kind TEXT NOT NULL CHECK (kind IN ('cloud', 'cloud-audio-only', 'raw-tracks')),
  tracks_json TEXT NOT NULL DEFAULT '[]',
  state TEXT NOT NULL
    CHECK (state IN ('pending', 'downloading', 'ready', 'failed')),
  bytes_done INTEGER NOT NULL DEFAULT 0 CHECK (bytes_done >= 0),
  bytes_total INTEGER NOT NULL DEFAULT 0 CHECK (bytes_total >= 0),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  local_path TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
  sha256 TEXT NOT NULL DEFAULT '',
  media_container TEXT NOT NULL DEFAULT '',
  media_duration_us INTEGER NOT NULL DEFAULT 0,
  media_has_audio INTEGER NOT NULL DEFAULT 0 CHECK (media_has_audio IN (0, 1)),
  media_has_video INTEGER NOT NULL DEFAULT 0 CHECK (media_has_video IN (0, 1)),
  failure_reason TEXT NOT NULL DEFAULT '',
  create_time_us INTEGER NOT NULL,
  update_time_us INTEGER NOT NULL,
  CHECK ((meeting_id = '') = (unmatched = 1))
);
-- Idempotency: one recording per provider recording id, and per object.
CREATE UNIQUE INDEX recordings_by_provider_id
  ON recordings (platform, provider_recording_id)
  WHERE provider_recording_id <> '';
CREATE UNIQUE INDEX recordings_by_object ON recordings (s3_bucket, s3_key)
  WHERE s3_bucket <> '';
-- ListRecordings: newest first, keyset (create_time_us, id).
CREATE INDEX recordings_by_create ON recordings (create_time_us, id);
CREATE INDEX recordings_by_meeting
  ON recordings (meeting_id, create_time_us, id);
CREATE INDEX recordings_by_state ON recordings (state, create_time_us, id);

-- One durable job per recording. `phase` download: fetch and verify;
-- announce: the recording is ready/failed and its event is still to be
-- appended. A running job is leased to `lease_owner` until
-- lease_expires_us; at start every running job is queued again.
CREATE TABLE ingest_jobs (
  recording_id TEXT NOT NULL PRIMARY KEY REFERENCES recordings (id),
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
  phase TEXT NOT NULL CHECK (phase IN ('download', 'announce')),
  due_us INTEGER NOT NULL,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_expires_us INTEGER NOT NULL DEFAULT 0,
  runs INTEGER NOT NULL DEFAULT 0 CHECK (runs >= 0),
  last_error TEXT NOT NULL DEFAULT '',
  create_time_us INTEGER NOT NULL,
  update_time_us INTEGER NOT NULL,
  CHECK ((state = 'running') = (lease_owner <> ''))
) WITHOUT ROWID;
CREATE INDEX ingest_jobs_queued ON ingest_jobs (due_us)
  WHERE state = 'queued';
CREATE INDEX ingest_jobs_running ON ingest_jobs (lease_expires_us)
  WHERE state = 'running';
)sql"},
    {5, "idempotency key reservations (CreateMeeting in progress)",
     R"sql(
-- A CreateMeeting with an idempotency key holds its key here while it calls
-- the provider; InsertMeeting removes the row with the meeting's insert.
CREATE TABLE idempotency_reservations (
  idempotency_key TEXT NOT NULL PRIMARY KEY CHECK (idempotency_key <> ''),
  room_id TEXT NOT NULL,
  holder TEXT NOT NULL CHECK (holder <> ''),
  reserved_at_us INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
};

absl::Status CheckNumbering(absl::Span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return absl::InternalError(absl::StrCat("migration #", i, " has version ",
                                              migrations[i].version,
                                              "; expected ", i + 1));
    }
  }
  return absl::OkStatus();
}

// Applies one step unless a concurrent opener of the same file already did.
absl::Status ApplyOne(Database& db, const Migration& migration) {
  ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db));
  // Re-read under the write lock: another process may have migrated.
  ASSIGN_OR_RETURN(const int version, ReadSchemaVersion(db));
  if (version >= migration.version) return absl::OkStatus();
  if (version != migration.version - 1) {
    return absl::InternalError(absl::StrCat("schema version ", version,
                                            " cannot take migration ",
                                            migration.version));
  }
  absl::Status status = db.Exec(migration.sql);
  if (!status.ok()) {
    return absl::Status(
        status.code(),
        absl::StrCat("migration ", migration.version, " (",
                     migration.description, ") failed: ", status.message()));
  }
  RETURN_IF_ERROR(
      db.Exec(absl::StrCat("PRAGMA user_version = ", migration.version)));
  return transaction.Commit();
}

}  // namespace

absl::Span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

absl::StatusOr<int> ReadSchemaVersion(Database& db) {
  ASSIGN_OR_RETURN(Statement statement, db.Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(const bool row, statement.Step());
  if (!row) return absl::InternalError("PRAGMA user_version returned no row");
  return static_cast<int>(statement.ColumnInt64(0));
}

absl::Status Migrate(Database& db) {
  return ApplyMigrations(db, Migrations(), LatestSchemaVersion());
}

absl::Status MigrateTo(Database& db, int target_version) {
  return ApplyMigrations(db, Migrations(), target_version);
}

absl::Status ApplyMigrations(Database& db,
                             absl::Span<const Migration> migrations,
                             int target_version) {
  RETURN_IF_ERROR(CheckNumbering(migrations));
  const int latest = static_cast<int>(migrations.size());
  if (target_version < 0 || target_version > latest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target schema version ", target_version, " is outside 0..", latest));
  }
  ASSIGN_OR_RETURN(const int version, ReadSchemaVersion(db));
  if (version > latest) {
    return absl::FailedPreconditionError(
        absl::StrCat("database \"", db.path(), "\" has schema version ",
                     version, ", newer than the latest this binary knows (",
                     latest, "); refusing to use it"));
  }
  if (version < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database \"", db.path(), "\" has invalid schema version ", version));
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= version) continue;
    if (migration.version > target_version) break;
    RETURN_IF_ERROR(ApplyOne(db, migration));
  }
  return absl::OkStatus();
}

}  // namespace videoplatform::storage
