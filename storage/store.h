// Durable state of the service in one SQLite file: global platform flags,
// per-room platform overrides and meetings.
//
// Thread safety: every method may be called concurrently. Writes are units
// of the connection's group committer (storage/group_commit.h): concurrent
// writes (and EventStore's webhook applies) share one transaction and one
// fsync, each under its own savepoint, and return after that commit; a
// failed write returns an error and leaves nothing behind. Reads (Get*, List*,
// Find*) run on a pool of read-only connections (WAL): they see the last commit
// and wait neither for writes nor for each other. Errors: NOT_FOUND for a
// missing row, ALREADY_EXISTS for a unique-key clash, UNAVAILABLE when the
// database stays busy past the busy timeout, INTERNAL for anything else SQLite
// reports (with SQLite's message), INVALID_ARGUMENT for bad input (an empty id
// or platform, an unspecified enum, a limit <= 0, a malformed cursor: that
// message names "page_token"). Times are stored with microsecond precision.
#ifndef VIDEOPLATFORM_STORAGE_STORE_H_
#define VIDEOPLATFORM_STORAGE_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/group_commit.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::storage {

class Database;

struct GlobalFlags {
  bool daily_migration_enabled = false;
  std::string default_platform = "whereby";
  absl::Time update_time = absl::UnixEpoch();
  std::string updated_by;
};

struct RoomPlatform {
  std::string room_id;
  std::string platform;
  std::string updated_by;
  absl::Time update_time;
};

// One meeting; field meanings as in v1.Meeting.
struct MeetingRecord {
  std::string meeting_id;
  std::string platform = "whereby";
  std::string provider_meeting_id;
  std::string room_id;
  std::string room_name;
  std::string room_url;
  std::string host_room_url;
  absl::Time start_time;
  absl::Time end_time;
  bool is_locked = false;
  v1::RoomMode room_mode = v1::ROOM_MODE_NORMAL;
  v1::RecordingType recording_type = v1::RECORDING_TYPE_CLOUD;
  v1::RecordingTrigger recording_trigger =
      v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT;
  int num_clients = 0;
  bool is_active = true;
  // Empty when the meeting was created without one.
  std::string idempotency_key;
};

// The outcome of Store::ReserveIdempotencyKey.
struct KeyReservation {
  enum class State {
    kReserved,       // The caller holds the key now.
    kMeetingExists,  // A meeting was stored under the key: `meeting`.
    kHeld,           // Another holder's live reservation: `holder`, since
                     // `reserved_at`, for `room_id`.
  };
  State state = State::kReserved;
  std::optional<MeetingRecord> meeting;
  std::string holder;
  std::string room_id;
  absl::Time reserved_at;
};

struct MeetingFilter {
  std::string room_id;  // Empty: all rooms.
  bool active_only = false;
  int limit = 100;
  // Keyset pagination: only meetings older (in list order) than this cursor.
  // Empty for the first page; otherwise a value from MeetingPage.
  std::string after_cursor;
};

struct MeetingPage {
  std::vector<MeetingRecord> meetings;  // Newest first.
  std::string next_cursor;              // Empty on the last page.
};

struct RoomPlatformPage {
  std::vector<RoomPlatform> room_platforms;  // By room id.
  std::string next_cursor;                   // Empty on the last page.
};

class Store {
 public:
  // Opens (creating if needed) the database at `path` and applies pending
  // migrations. ":memory:" works for tests. FAILED_PRECONDITION when the
  // file's schema is newer than this code knows; the file is left as it is.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path);
  ~Store();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The connection, for stores of other tables in the same file (they
  // follow the locking rules of storage/sqlite.h).
  Database& database() { return *db_; }
  // The connection's group committer: every write of this Store is a unit
  // of it, and so are EventStore's writes over database().
  GroupCommitter& committer() { return *committer_; }

  // The schema version after migrations (for diagnostics and tests).
  absl::StatusOr<int> SchemaVersion();

  // --- Global flags ---
  absl::StatusOr<GlobalFlags> GetFlags();
  // Changes the fields that are set; returns the flags after the change.
  absl::StatusOr<GlobalFlags> UpdateFlags(
      std::optional<bool> daily_migration_enabled,
      std::optional<std::string> default_platform, absl::string_view updated_by,
      absl::Time now);

  // --- Per-room platform overrides ---
  absl::StatusOr<RoomPlatform> SetRoomPlatform(absl::string_view room_id,
                                               absl::string_view platform,
                                               absl::string_view updated_by,
                                               absl::Time now);
  // True when an override existed and was removed.
  absl::StatusOr<bool> ClearRoomPlatform(absl::string_view room_id);
  absl::StatusOr<std::optional<RoomPlatform>> GetRoomPlatform(
      absl::string_view room_id);
  // Rooms after `after_cursor` (empty: from the start), at most `limit`
  // (capped at 1000).
  absl::StatusOr<RoomPlatformPage> ListRoomPlatforms(
      int limit, absl::string_view after_cursor);
  // In one transaction: sets every room in `room_ids` to `platform` with
  // `updated_by` = `source`, and clears the rooms whose override was set by
  // `source` earlier but are no longer listed. Overrides set by anyone else
  // for rooms not in `room_ids` stay. Used for DAILY_MIGRATION_ROOM_IDS.
  // Rooms already set to `platform` by `source` keep their update_time, so
  // applying the same list again changes nothing.
  absl::Status ReplaceRoomPlatformsFromSource(
      absl::string_view source, const std::vector<std::string>& room_ids,
      absl::string_view platform, absl::Time now);

  // --- Idempotency key reservations ---
  // A CreateMeeting with a key reserves the key before it calls the
  // provider, so no other call with that key (in this or another process on
  // this file) creates a second provider room meanwhile.
  //
  // In one transaction: the meeting stored under `key` if there is one;
  // else the reservation of another holder if it was made at or after
  // `stale_before`; else (no reservation, or a stale one whose call died)
  // reserves `key` for `holder` (an id unique to the calling request) and
  // `room_id` at `now`. INVALID_ARGUMENT for an empty key or holder.
  absl::StatusOr<KeyReservation> ReserveIdempotencyKey(
      absl::string_view key, absl::string_view room_id,
      absl::string_view holder, absl::Time now, absl::Time stale_before);
  // Drops `holder`'s reservation of `key` (after a failed create, so a
  // retry may go ahead); nothing when someone else holds it.
  absl::Status ReleaseIdempotencyKey(absl::string_view key,
                                     absl::string_view holder);

  // --- Meetings ---
  // Inserts a new meeting. ALREADY_EXISTS when the meeting id or a non-empty
  // idempotency key is taken (nothing is written then). A non-empty key's
  // reservation (if any) is removed in the same transaction.
  absl::Status InsertMeeting(const MeetingRecord& meeting);
  // NOT_FOUND when absent.
  absl::StatusOr<MeetingRecord> GetMeeting(absl::string_view meeting_id);
  // An empty key finds nothing.
  absl::StatusOr<std::optional<MeetingRecord>> FindMeetingByIdempotencyKey(
      absl::string_view idempotency_key);
  // At most filter.limit (capped at 1000) meetings. A cursor only continues
  // the listing (room_id, active_only) it came from.
  absl::StatusOr<MeetingPage> ListMeetings(const MeetingFilter& filter);
  // Sets is_active = false and num_clients = 0. Returns the meeting after
  // the change and whether it was active before. NOT_FOUND when absent.
  struct EndResult {
    MeetingRecord meeting;
    bool was_active = false;
  };
  absl::StatusOr<EndResult> EndMeeting(absl::string_view meeting_id);

 private:
  explicit Store(std::unique_ptr<Database> db);
  // Runs `work` as one unit of the connection's group commit.
  absl::Status Write(const GroupCommitter::Work& work);

  std::unique_ptr<Database> db_;
  // The connection's single writer, shared with EventStores over it (see
  // Database::group_committer()). Destroyed first.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace videoplatform::storage

#endif  // VIDEOPLATFORM_STORAGE_STORE_H_
