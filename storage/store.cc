// Store on one SQLite writer connection plus a pool of read-only ones.
// Writes hold the writer's mutex for their whole run and take SQLite's
// write lock (BEGIN IMMEDIATE or a single autocommit statement), which
// serialises them against other processes using the same file. Reads lease
// a read connection (Database::Read()) and see the last commit without
// waiting for the writer or for each other.
#include "storage/store.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/status_macros.h"
#include "storage/enum_strings.h"
#include "storage/group_commit.h"
#include "storage/migrations.h"
#include "storage/page_token.h"
#include "storage/sqlite.h"

namespace videoplatform::storage {
namespace {

// Read-only connections for reads (WAL: they never wait for the writer).
// Reads are short; a few per core keep the gRPC threads from queueing.
constexpr int kReadConnections = 4;

// Larger page requests are cut to this; the cursor covers the rest.
constexpr int kMaxPageSize = 1000;

constexpr absl::string_view kMeetingTokenKind = "meetings.v1";
constexpr absl::string_view kRoomPlatformTokenKind = "room_platforms.v1";

// Column order read by ReadMeeting() and written by InsertMeeting().
constexpr absl::string_view kMeetingColumns =
    "id, platform, provider_meeting_id, room_id, room_name, room_url, "
    "host_room_url, start_time_us, end_time_us, is_locked, room_mode, "
    "recording_type, recording_trigger, num_clients, is_active, "
    "idempotency_key";

// Times are stored as microseconds since the Unix epoch.
int64_t ToMicros(absl::Time time) { return absl::ToUnixMicros(time); }
absl::Time FromMicros(int64_t micros) { return absl::FromUnixMicros(micros); }
// What a time reads back as after storing it.
absl::Time Stored(absl::Time time) { return FromMicros(ToMicros(time)); }

absl::Status WithContext(const absl::Status& status,
                         absl::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(context, ": ", status.message()));
}

absl::StatusOr<int> PageSize(int limit) {
  if (limit <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page size must be positive, got ", limit));
  }
  return std::min(limit, kMaxPageSize);
}

absl::Status RequireNonEmpty(absl::string_view value, absl::string_view name) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name, " must not be empty"));
  }
  return absl::OkStatus();
}

template <typename Enum>
absl::StatusOr<absl::string_view> EnumToString(Enum value,
                                               absl::string_view field) {
  std::optional<absl::string_view> text = ToBackendString(value);
  if (!text.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be a specified value, got ", static_cast<int>(value)));
  }
  return *text;
}

template <typename Enum>
absl::Status EnumFromString(absl::string_view text, absl::string_view field,
                            Enum* value) {
  if (!FromBackendString(text, value)) {
    return absl::InternalError(
        absl::StrCat("stored ", field, " \"", text, "\" is unknown"));
  }
  return absl::OkStatus();
}

absl::StatusOr<MeetingRecord> ReadMeeting(const Statement& row) {
  MeetingRecord meeting;
  meeting.meeting_id = row.ColumnText(0);
  meeting.platform = row.ColumnText(1);
  meeting.provider_meeting_id = row.ColumnText(2);
  meeting.room_id = row.ColumnText(3);
  meeting.room_name = row.ColumnText(4);
  meeting.room_url = row.ColumnText(5);
  meeting.host_room_url = row.ColumnText(6);
  meeting.start_time = FromMicros(row.ColumnInt64(7));
  meeting.end_time = FromMicros(row.ColumnInt64(8));
  meeting.is_locked = row.ColumnBool(9);
  RETURN_IF_ERROR(
      EnumFromString(row.ColumnText(10), "room_mode", &meeting.room_mode));
  RETURN_IF_ERROR(EnumFromString(row.ColumnText(11), "recording_type",
                                 &meeting.recording_type));
  RETURN_IF_ERROR(EnumFromString(row.ColumnText(12), "recording_trigger",
                                 &meeting.recording_trigger));
  meeting.num_clients = static_cast<int>(row.ColumnInt64(13));
  meeting.is_active = row.ColumnBool(14);
  meeting.idempotency_key = row.ColumnText(15);
  return meeting;
}

absl::StatusOr<std::optional<MeetingRecord>> QueryOneMeeting(
    Database& db, absl::string_view where, absl::string_view arg) {
  ASSIGN_OR_RETURN(Statement statement, db.PrepareCached(absl::StrCat(
                                            "SELECT ", kMeetingColumns,
                                            " FROM meetings WHERE ", where)));
  RETURN_IF_ERROR(statement.BindText(1, arg));
  ASSIGN_OR_RETURN(const bool row, statement.Step());
  if (!row) return std::optional<MeetingRecord>();
  ASSIGN_OR_RETURN(MeetingRecord meeting, ReadMeeting(statement));
  return std::optional<MeetingRecord>(std::move(meeting));
}

absl::StatusOr<MeetingRecord> GetMeetingLocked(Database& db,
                                               absl::string_view meeting_id) {
  ASSIGN_OR_RETURN(std::optional<MeetingRecord> meeting,
                   QueryOneMeeting(db, "id = ?1", meeting_id));
  if (!meeting.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("meeting \"", meeting_id, "\" not found"));
  }
  return *std::move(meeting);
}

absl::StatusOr<GlobalFlags> ReadFlags(Database& db) {
  ASSIGN_OR_RETURN(
      Statement statement,
      db.PrepareCached("SELECT daily_migration_enabled, "
                       "default_platform, update_time_us, updated_by "
                       "FROM global_flags WHERE id = 1"));
  ASSIGN_OR_RETURN(const bool row, statement.Step());
  if (!row) return absl::InternalError("the global_flags row is missing");
  GlobalFlags flags;
  flags.daily_migration_enabled = statement.ColumnBool(0);
  flags.default_platform = statement.ColumnText(1);
  flags.update_time = FromMicros(statement.ColumnInt64(2));
  flags.updated_by = statement.ColumnText(3);
  return flags;
}

RoomPlatform ReadRoomPlatform(const Statement& row) {
  RoomPlatform room;
  room.room_id = row.ColumnText(0);
  room.platform = row.ColumnText(1);
  room.updated_by = row.ColumnText(2);
  room.update_time = FromMicros(row.ColumnInt64(3));
  return room;
}

// The position of the last meeting on a page, and the filter it was for.
struct MeetingCursor {
  int64_t start_time_us = 0;
  std::string meeting_id;
};

std::string EncodeMeetingCursor(const MeetingFilter& filter,
                                const MeetingRecord& last) {
  return EncodePageToken(
      kMeetingTokenKind,
      {absl::StrCat(ToMicros(last.start_time)), last.meeting_id, filter.room_id,
       filter.active_only ? "1" : "0"});
}

absl::StatusOr<MeetingCursor> DecodeMeetingCursor(const MeetingFilter& filter) {
  ASSIGN_OR_RETURN(std::vector<std::string> fields,
                   DecodePageToken(filter.after_cursor, kMeetingTokenKind, 4));
  MeetingCursor cursor;
  if (!absl::SimpleAtoi(fields[0], &cursor.start_time_us) ||
      fields[1].empty() || (fields[3] != "0" && fields[3] != "1")) {
    return absl::InvalidArgumentError(
        "page_token: malformed; pass the next_page_token of a previous page");
  }
  cursor.meeting_id = std::move(fields[1]);
  if (fields[2] != filter.room_id || (fields[3] == "1") != filter.active_only) {
    return absl::InvalidArgumentError(
        "page_token was issued for a different room_id or active_only filter");
  }
  return cursor;
}

}  // namespace

Store::Store(std::unique_ptr<Database> db)
    : db_(std::move(db)), committer_(std::make_unique<GroupCommitter>(*db_)) {
  // EventStores over this connection join its batches.
  db_->set_group_committer(committer_.get());
}

Store::~Store() {
  committer_.reset();  // Drains the writes in flight first.
  db_->set_group_committer(nullptr);
}

absl::Status Store::Write(const GroupCommitter::Work& work) {
  return committer_->Run(work);
}

namespace {

absl::StatusOr<std::unique_ptr<Database>> OpenAndMigrate(
    const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(path));
  {
    absl::MutexLock lock(&db->mutex());
    RETURN_IF_ERROR(Migrate(*db));
  }
  // After the migration, so that readers never see an older schema.
  RETURN_IF_ERROR(db->OpenReadPool(kReadConnections));
  return db;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  // SQLite answers SQLITE_BUSY at once, without waiting out the busy
  // timeout, where waiting could deadlock: e.g. while another connection
  // turns a new file to WAL or upgrades its lock. Starting over is the
  // remedy; give concurrent openers (several processes starting on one
  // file) up to the busy timeout.
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  absl::Duration backoff = absl::Milliseconds(5);
  while (true) {
    absl::StatusOr<std::unique_ptr<Database>> db = OpenAndMigrate(path);
    if (db.ok()) return std::unique_ptr<Store>(new Store(*std::move(db)));
    if (!absl::IsUnavailable(db.status()) || absl::Now() + backoff > give_up) {
      return db.status();
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(200));
  }
}

absl::StatusOr<int> Store::SchemaVersion() {
  absl::MutexLock lock(&db_->mutex());
  return ReadSchemaVersion(*db_);
}

// --- Global flags ---

absl::StatusOr<GlobalFlags> Store::GetFlags() {
  ReadLease reader = db_->Read();
  Database& db = reader.db();
  return ReadFlags(db);
}

absl::StatusOr<GlobalFlags> Store::UpdateFlags(
    std::optional<bool> daily_migration_enabled,
    std::optional<std::string> default_platform, absl::string_view updated_by,
    absl::Time now) {
  if (default_platform.has_value()) {
    RETURN_IF_ERROR(RequireNonEmpty(*default_platform, "default_platform"));
  }
  // Nothing to change: keep update_time and updated_by as they are.
  if (!daily_migration_enabled.has_value() && !default_platform.has_value()) {
    return GetFlags();
  }
  GlobalFlags flags;
  RETURN_IF_ERROR(Write([&](Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement update,
        db.PrepareCached("UPDATE global_flags SET "
                         "daily_migration_enabled = "
                         "COALESCE(?1, daily_migration_enabled), "
                         "default_platform = COALESCE(?2, default_platform), "
                         "update_time_us = ?3, updated_by = ?4 WHERE id = 1"));
    RETURN_IF_ERROR(daily_migration_enabled.has_value()
                        ? update.BindBool(1, *daily_migration_enabled)
                        : update.BindNull(1));
    RETURN_IF_ERROR(default_platform.has_value()
                        ? update.BindText(2, *default_platform)
                        : update.BindNull(2));
    RETURN_IF_ERROR(update.BindInt64(3, ToMicros(now)));
    RETURN_IF_ERROR(update.BindText(4, updated_by));
    RETURN_IF_ERROR(update.Run());
    if (db.Changes() != 1) {
      return absl::InternalError("the global_flags row is missing");
    }
    ASSIGN_OR_RETURN(flags, ReadFlags(db));
    return absl::OkStatus();
  }));
  return flags;
}

// --- Per-room platform overrides ---

absl::StatusOr<RoomPlatform> Store::SetRoomPlatform(
    absl::string_view room_id, absl::string_view platform,
    absl::string_view updated_by, absl::Time now) {
  RETURN_IF_ERROR(RequireNonEmpty(room_id, "room_id"));
  RETURN_IF_ERROR(RequireNonEmpty(platform, "platform"));
  RETURN_IF_ERROR(Write([&](Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement upsert,
        db.PrepareCached(
            "INSERT INTO room_platforms "
            "(room_id, platform, updated_by, update_time_us) "
            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (room_id) DO UPDATE "
            "SET platform = excluded.platform, "
            "updated_by = excluded.updated_by, "
            "update_time_us = excluded.update_time_us"));
    RETURN_IF_ERROR(
        upsert.BindAll(room_id, platform, updated_by, ToMicros(now)));
    return upsert.Run();
  }));
  return RoomPlatform{std::string(room_id), std::string(platform),
                      std::string(updated_by), Stored(now)};
}

absl::StatusOr<bool> Store::ClearRoomPlatform(absl::string_view room_id) {
  bool removed = false;
  RETURN_IF_ERROR(Write([&](Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement remove,
        db.PrepareCached("DELETE FROM room_platforms WHERE room_id = ?1"));
    RETURN_IF_ERROR(remove.BindText(1, room_id));
    RETURN_IF_ERROR(remove.Run());
    removed = db.Changes() > 0;
    return absl::OkStatus();
  }));
  return removed;
}

absl::StatusOr<std::optional<RoomPlatform>> Store::GetRoomPlatform(
    absl::string_view room_id) {
  ReadLease reader = db_->Read();
  Database& db = reader.db();
  ASSIGN_OR_RETURN(Statement select,
                   db.PrepareCached("SELECT room_id, platform, updated_by, "
                                    "update_time_us FROM room_platforms "
                                    "WHERE room_id = ?1"));
  RETURN_IF_ERROR(select.BindText(1, room_id));
  ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::optional<RoomPlatform>();
  return std::optional<RoomPlatform>(ReadRoomPlatform(select));
}

absl::StatusOr<RoomPlatformPage> Store::ListRoomPlatforms(
    int limit, absl::string_view after_cursor) {
  ASSIGN_OR_RETURN(const int page_size, PageSize(limit));
  // Room ids are never empty, so "" starts before the first.
  std::string after_room_id;
  if (!after_cursor.empty()) {
    ASSIGN_OR_RETURN(std::vector<std::string> fields,
                     DecodePageToken(after_cursor, kRoomPlatformTokenKind, 1));
    after_room_id = std::move(fields[0]);
  }
  ReadLease reader = db_->Read();
  Database& db = reader.db();
  ASSIGN_OR_RETURN(Statement select,
                   db.PrepareCached("SELECT room_id, platform, updated_by, "
                                    "update_time_us FROM room_platforms "
                                    "WHERE room_id > ?1 ORDER BY room_id "
                                    "LIMIT ?2"));
  // One extra row tells whether another page follows.
  RETURN_IF_ERROR(select.BindAll(after_room_id, page_size + 1));
  RoomPlatformPage page;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    if (static_cast<int>(page.room_platforms.size()) == page_size) {
      page.next_cursor = EncodePageToken(kRoomPlatformTokenKind,
                                         {page.room_platforms.back().room_id});
      break;
    }
    page.room_platforms.push_back(ReadRoomPlatform(select));
  }
  return page;
}

absl::Status Store::ReplaceRoomPlatformsFromSource(
    absl::string_view source, const std::vector<std::string>& room_ids,
    absl::string_view platform, absl::Time now) {
  RETURN_IF_ERROR(RequireNonEmpty(source, "source"));
  RETURN_IF_ERROR(RequireNonEmpty(platform, "platform"));
  return Write([&](Database& db) -> absl::Status {
    // Rows that already say the same keep their update_time, so applying the
    // same list again (e.g. at every start) changes nothing.
    ASSIGN_OR_RETURN(
        Statement upsert,
        db.PrepareCached(
            "INSERT INTO room_platforms "
            "(room_id, platform, updated_by, update_time_us) "
            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (room_id) DO UPDATE "
            "SET platform = excluded.platform, "
            "updated_by = excluded.updated_by, "
            "update_time_us = excluded.update_time_us "
            "WHERE room_platforms.platform <> excluded.platform "
            "OR room_platforms.updated_by <> excluded.updated_by"));
    std::set<std::string, std::less<>> listed;
    for (const std::string& room_id : room_ids) {
      // An error here fails the unit: nothing of this call stays.
      RETURN_IF_ERROR(RequireNonEmpty(room_id, "room id"));
      if (!listed.insert(room_id).second) continue;
      upsert.Reset();
      RETURN_IF_ERROR(upsert.BindAll(room_id, platform, source, ToMicros(now)));
      RETURN_IF_ERROR(
          WithContext(upsert.Run(), absl::StrCat("setting room ", room_id)));
    }

    std::vector<std::string> unlisted;
    {
      ASSIGN_OR_RETURN(Statement select,
                       db.PrepareCached("SELECT room_id FROM room_platforms "
                                        "WHERE updated_by = ?1"));
      RETURN_IF_ERROR(select.BindText(1, source));
      while (true) {
        ASSIGN_OR_RETURN(const bool row, select.Step());
        if (!row) break;
        std::string room_id = select.ColumnText(0);
        if (listed.find(room_id) == listed.end()) {
          unlisted.push_back(std::move(room_id));
        }
      }
    }
    ASSIGN_OR_RETURN(
        Statement remove,
        db.PrepareCached("DELETE FROM room_platforms "
                         "WHERE room_id = ?1 AND updated_by = ?2"));
    for (const std::string& room_id : unlisted) {
      remove.Reset();
      RETURN_IF_ERROR(remove.BindAll(room_id, source));
      RETURN_IF_ERROR(
          WithContext(remove.Run(), absl::StrCat("clearing room ", room_id)));
    }
    return absl::OkStatus();
  });
}

// --- Meetings ---

absl::Status Store::InsertMeeting(const MeetingRecord& meeting) {
  RETURN_IF_ERROR(RequireNonEmpty(meeting.meeting_id, "meeting_id"));
  RETURN_IF_ERROR(RequireNonEmpty(meeting.platform, "platform"));
  ASSIGN_OR_RETURN(const absl::string_view room_mode,
                   EnumToString(meeting.room_mode, "room_mode"));
  ASSIGN_OR_RETURN(const absl::string_view recording_type,
                   EnumToString(meeting.recording_type, "recording_type"));
  ASSIGN_OR_RETURN(
      const absl::string_view recording_trigger,
      EnumToString(meeting.recording_trigger, "recording_trigger"));
  if (meeting.start_time == absl::InfinitePast() ||
      meeting.start_time == absl::InfiniteFuture() ||
      meeting.end_time == absl::InfinitePast() ||
      meeting.end_time == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("start_time and end_time must be finite");
  }
  if (meeting.num_clients < 0) {
    return absl::InvalidArgumentError("num_clients must not be negative");
  }

  return Write([&](Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement insert,
        db.PrepareCached(absl::StrCat(
            "INSERT INTO meetings (", kMeetingColumns,
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
            "?14, ?15, ?16)")));
    RETURN_IF_ERROR(insert.BindAll(
        meeting.meeting_id, meeting.platform, meeting.provider_meeting_id,
        meeting.room_id, meeting.room_name, meeting.room_url,
        meeting.host_room_url, ToMicros(meeting.start_time),
        ToMicros(meeting.end_time), meeting.is_locked, room_mode,
        recording_type, recording_trigger, meeting.num_clients,
        meeting.is_active, meeting.idempotency_key));
    // ALREADY_EXISTS names the clashing column or index.
    RETURN_IF_ERROR(WithContext(
        insert.Run(),
        absl::StrCat("inserting meeting \"", meeting.meeting_id, "\"")));
    if (!meeting.idempotency_key.empty()) {
      ASSIGN_OR_RETURN(Statement release,
                       db.PrepareCached("DELETE FROM idempotency_reservations "
                                        "WHERE idempotency_key = ?1"));
      RETURN_IF_ERROR(release.BindAll(meeting.idempotency_key));
      RETURN_IF_ERROR(WithContext(release.Run(), "releasing idempotency key"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<KeyReservation> Store::ReserveIdempotencyKey(
    absl::string_view key, absl::string_view room_id, absl::string_view holder,
    absl::Time now, absl::Time stale_before) {
  RETURN_IF_ERROR(RequireNonEmpty(key, "idempotency key"));
  RETURN_IF_ERROR(RequireNonEmpty(holder, "holder"));
  KeyReservation result;
  RETURN_IF_ERROR(Write([&](Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        result.meeting,
        QueryOneMeeting(db, "idempotency_key = ?1 AND idempotency_key <> ''",
                        key));
    if (result.meeting.has_value()) {
      result.state = KeyReservation::State::kMeetingExists;
      return absl::OkStatus();  // Nothing written.
    }
    ASSIGN_OR_RETURN(
        Statement held,
        db.PrepareCached("SELECT holder, room_id, reserved_at_us FROM "
                         "idempotency_reservations WHERE "
                         "idempotency_key = ?1"));
    RETURN_IF_ERROR(held.BindAll(key));
    ASSIGN_OR_RETURN(const bool row, held.Step());
    if (row) {
      result.holder = held.ColumnText(0);
      result.room_id = held.ColumnText(1);
      result.reserved_at = FromMicros(held.ColumnInt64(2));
      if (result.holder != holder &&
          result.reserved_at >= Stored(stale_before)) {
        result.state = KeyReservation::State::kHeld;
        return absl::OkStatus();
      }
    }
    ASSIGN_OR_RETURN(
        Statement reserve,
        db.PrepareCached(
            "INSERT INTO idempotency_reservations (idempotency_key, "
            "room_id, holder, reserved_at_us) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT (idempotency_key) DO UPDATE SET "
            "room_id = excluded.room_id, holder = excluded.holder, "
            "reserved_at_us = excluded.reserved_at_us"));
    RETURN_IF_ERROR(reserve.BindAll(key, room_id, holder, ToMicros(now)));
    RETURN_IF_ERROR(WithContext(reserve.Run(), "reserving idempotency key"));
    result = KeyReservation();
    result.state = KeyReservation::State::kReserved;
    result.holder = std::string(holder);
    result.room_id = std::string(room_id);
    result.reserved_at = Stored(now);
    return absl::OkStatus();
  }));
  return result;
}

absl::Status Store::ReleaseIdempotencyKey(absl::string_view key,
                                          absl::string_view holder) {
  return Write([&](Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement release,
        db.PrepareCached("DELETE FROM idempotency_reservations WHERE "
                         "idempotency_key = ?1 AND holder = ?2"));
    RETURN_IF_ERROR(release.BindAll(key, holder));
    return WithContext(release.Run(), "releasing idempotency key");
  });
}

absl::StatusOr<MeetingRecord> Store::GetMeeting(absl::string_view meeting_id) {
  ReadLease reader = db_->Read();
  Database& db = reader.db();
  return GetMeetingLocked(db, meeting_id);
}

absl::StatusOr<std::optional<MeetingRecord>> Store::FindMeetingByIdempotencyKey(
    absl::string_view idempotency_key) {
  // "" means "no key" and matches nothing.
  if (idempotency_key.empty()) return std::optional<MeetingRecord>();
  ReadLease reader = db_->Read();
  Database& db = reader.db();
  // The `<> ''` term lets SQLite use the partial unique index.
  return QueryOneMeeting(db, "idempotency_key = ?1 AND idempotency_key <> ''",
                         idempotency_key);
}

absl::StatusOr<MeetingPage> Store::ListMeetings(const MeetingFilter& filter) {
  ASSIGN_OR_RETURN(const int page_size, PageSize(filter.limit));
  std::optional<MeetingCursor> cursor;
  if (!filter.after_cursor.empty()) {
    ASSIGN_OR_RETURN(cursor, DecodeMeetingCursor(filter));
  }

  // Newest first; ties on start time broken by id, so the order is total
  // and the keyset cursor neither repeats nor skips rows.
  std::string sql =
      absl::StrCat("SELECT ", kMeetingColumns, " FROM meetings WHERE 1");
  if (!filter.room_id.empty()) absl::StrAppend(&sql, " AND room_id = ?");
  // A literal, so that SQLite can use the partial index on active meetings.
  if (filter.active_only) absl::StrAppend(&sql, " AND is_active = 1");
  if (cursor.has_value()) {
    absl::StrAppend(&sql, " AND (start_time_us, id) < (?, ?)");
  }
  absl::StrAppend(&sql, " ORDER BY start_time_us DESC, id DESC LIMIT ?");

  ReadLease reader = db_->Read();
  Database& db = reader.db();
  ASSIGN_OR_RETURN(Statement select, db.PrepareCached(sql));
  int index = 0;
  if (!filter.room_id.empty()) {
    RETURN_IF_ERROR(select.BindText(++index, filter.room_id));
  }
  if (cursor.has_value()) {
    RETURN_IF_ERROR(select.BindInt64(++index, cursor->start_time_us));
    RETURN_IF_ERROR(select.BindText(++index, cursor->meeting_id));
  }
  // One extra row tells whether another page follows.
  RETURN_IF_ERROR(select.BindInt64(++index, page_size + 1));

  MeetingPage page;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    if (static_cast<int>(page.meetings.size()) == page_size) {
      page.next_cursor = EncodeMeetingCursor(filter, page.meetings.back());
      break;
    }
    ASSIGN_OR_RETURN(MeetingRecord meeting, ReadMeeting(select));
    page.meetings.push_back(std::move(meeting));
  }
  return page;
}

absl::StatusOr<Store::EndResult> Store::EndMeeting(
    absl::string_view meeting_id) {
  EndResult result;
  RETURN_IF_ERROR(Write([&](Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(MeetingRecord meeting, GetMeetingLocked(db, meeting_id));
    result.was_active = meeting.is_active;
    if (meeting.is_active || meeting.num_clients != 0) {
      ASSIGN_OR_RETURN(Statement update,
                       db.PrepareCached("UPDATE meetings SET is_active = 0, "
                                        "num_clients = 0 WHERE id = ?1"));
      RETURN_IF_ERROR(update.BindText(1, meeting_id));
      RETURN_IF_ERROR(update.Run());
    }
    meeting.is_active = false;
    meeting.num_clients = 0;
    result.meeting = std::move(meeting);
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace videoplatform::storage
