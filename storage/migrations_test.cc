#include "storage/migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "storage/sqlite.h"
#include "storage/store.h"
#include "storage/test_util.h"

namespace videoplatform::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

std::unique_ptr<Database> OpenDb(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(path);
  EXPECT_THAT(db, IsOk());
  return db.ok() ? *std::move(db) : nullptr;
}

int Version(Database& db) {
  absl::StatusOr<int> version = ReadSchemaVersion(db);
  EXPECT_THAT(version, IsOk());
  return version.ok() ? *version : -1;
}

// Names of the tables and indexes (without SQLite's internal ones).
std::vector<std::string> SchemaNames(Database& db, absl::string_view type) {
  std::vector<std::string> names;
  absl::StatusOr<Statement> select = db.Prepare(
      "SELECT name FROM sqlite_master WHERE type = ?1 AND "
      "name NOT LIKE 'sqlite_%' ORDER BY name");
  EXPECT_THAT(select, IsOk());
  if (!select.ok()) return names;
  EXPECT_THAT(select->BindText(1, type), IsOk());
  while (true) {
    absl::StatusOr<bool> row = select->Step();
    EXPECT_THAT(row, IsOk());
    if (!row.ok() || !*row) break;
    names.push_back(select->ColumnText(0));
  }
  return names;
}

std::vector<std::string> Columns(Database& db, absl::string_view table) {
  std::vector<std::string> columns;
  absl::StatusOr<Statement> select = db.Prepare(absl::StrCat(
      "SELECT name FROM pragma_table_info('", table, "') ORDER BY cid"));
  EXPECT_THAT(select, IsOk());
  if (!select.ok()) return columns;
  while (true) {
    absl::StatusOr<bool> row = select->Step();
    EXPECT_THAT(row, IsOk());
    if (!row.ok() || !*row) break;
    columns.push_back(select->ColumnText(0));
  }
  return columns;
}

TEST(MigrationsTest, StepsAreNumberedFromOne) {
  ASSERT_EQ(LatestSchemaVersion(), 5);
  for (size_t i = 0; i < Migrations().size(); ++i) {
    EXPECT_EQ(Migrations()[i].version, static_cast<int>(i) + 1);
    EXPECT_STRNE(Migrations()[i].description, "");
  }
}

TEST(MigrationsTest, FreshDatabaseReachesLatestVersion) {
  std::unique_ptr<Database> db = OpenDb(testing::TempDbPath());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Version(*db), 0);
  ASSERT_THAT(Migrate(*db), IsOk());
  EXPECT_EQ(Version(*db), LatestSchemaVersion());
  // Later steps add more; these are the ones every step so far relies on.
  EXPECT_THAT(SchemaNames(*db, "table"),
              IsSupersetOf({"global_flags", "meetings", "room_platforms",
                            "events", "webhooks", "participant_presence"}));
  EXPECT_THAT(
      SchemaNames(*db, "index"),
      IsSupersetOf({"meetings_active_by_start", "meetings_by_idempotency_key",
                    "meetings_by_room_start", "meetings_by_start",
                    "room_platforms_by_updated_by", "events_by_meeting",
                    "meetings_by_provider_id", "meetings_by_room_name"}));
  // Reflector's defaults.
  absl::StatusOr<Statement> flags = db->Prepare(
      "SELECT daily_migration_enabled, default_platform, update_time_us, "
      "updated_by FROM global_flags");
  ASSERT_THAT(flags, IsOk());
  ASSERT_THAT(flags->Step(), IsOk());
  EXPECT_FALSE(flags->ColumnBool(0));
  EXPECT_EQ(flags->ColumnText(1), "whereby");
  EXPECT_EQ(flags->ColumnInt64(2), 0);
  EXPECT_EQ(flags->ColumnText(3), "");
}

TEST(MigrationsTest, VersionOneIsReflectorsMeetingsTableWithoutPlatform) {
  std::unique_ptr<Database> db = OpenDb(testing::TempDbPath());
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(MigrateTo(*db, 1), IsOk());
  EXPECT_EQ(Version(*db), 1);
  EXPECT_THAT(SchemaNames(*db, "table"), ElementsAre("meetings"));
  EXPECT_THAT(
      Columns(*db, "meetings"),
      ElementsAre("id", "provider_meeting_id", "room_id", "room_name",
                  "room_url", "host_room_url", "start_time_us", "end_time_us",
                  "is_locked", "room_mode", "recording_type",
                  "recording_trigger", "num_clients", "is_active"));
  ASSERT_THAT(Migrate(*db), IsOk());
  EXPECT_THAT(Columns(*db, "meetings"),
              IsSupersetOf({"platform", "idempotency_key"}));
}

TEST(MigrationsTest, VersionOneDatabaseWithAMeetingUpgradesWithoutLoss) {
  const std::string path = testing::TempDbPath();
  {
    std::unique_ptr<Database> db = OpenDb(path);
    ASSERT_NE(db, nullptr);
    ASSERT_THAT(MigrateTo(*db, 1), IsOk());
    // A row as the old release wrote it (no platform).
    ASSERT_THAT(
        db->Exec("INSERT INTO meetings (id, provider_meeting_id, room_id, "
                 "room_name, room_url, host_room_url, start_time_us, "
                 "end_time_us, is_locked, room_mode, recording_type, "
                 "recording_trigger, num_clients, is_active) VALUES "
                 "('m-old', '12345', 'room-1', '/abc-room', "
                 "'https://x.whereby.com/abc-room', "
                 "'https://x.whereby.com/abc-room?roomKey=k', "
                 "1700000000123456, 1700028800123456, 1, 'group', 'local', "
                 "'prompt', 2, 1)"),
        IsOk());
  }

  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path);
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT(
      (*store)->SchemaVersion(),
      ::testing::AllOf(IsOk(), ::testing::Property(&absl::StatusOr<int>::value,
                                                   LatestSchemaVersion())));
  absl::StatusOr<MeetingRecord> meeting = (*store)->GetMeeting("m-old");
  ASSERT_THAT(meeting, IsOk());
  EXPECT_EQ(meeting->platform, "whereby");
  EXPECT_EQ(meeting->idempotency_key, "");
  EXPECT_EQ(meeting->provider_meeting_id, "12345");
  EXPECT_EQ(meeting->room_id, "room-1");
  EXPECT_EQ(meeting->room_name, "/abc-room");
  EXPECT_EQ(meeting->room_url, "https://x.whereby.com/abc-room");
  EXPECT_EQ(meeting->host_room_url, "https://x.whereby.com/abc-room?roomKey=k");
  EXPECT_EQ(meeting->start_time, absl::FromUnixMicros(1700000000123456));
  EXPECT_EQ(meeting->end_time, absl::FromUnixMicros(1700028800123456));
  EXPECT_TRUE(meeting->is_locked);
  EXPECT_EQ(meeting->room_mode, v1::ROOM_MODE_GROUP);
  EXPECT_EQ(meeting->recording_type, v1::RECORDING_TYPE_LOCAL);
  EXPECT_EQ(meeting->recording_trigger, v1::RECORDING_TRIGGER_PROMPT);
  EXPECT_EQ(meeting->num_clients, 2);
  EXPECT_TRUE(meeting->is_active);

  MeetingFilter filter;
  filter.room_id = "room-1";
  absl::StatusOr<MeetingPage> page = (*store)->ListMeetings(filter);
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->meetings.size(), 1u);
  EXPECT_EQ(page->meetings[0].meeting_id, "m-old");
  // Tables added by version 2 are usable with their defaults.
  absl::StatusOr<GlobalFlags> flags = (*store)->GetFlags();
  ASSERT_THAT(flags, IsOk());
  EXPECT_FALSE(flags->daily_migration_enabled);
  EXPECT_EQ(flags->default_platform, "whereby");
}

TEST(MigrationsTest, VersionThreeAddsWebhookTablesAndKeepsMeetings) {
  std::unique_ptr<Database> db = OpenDb(testing::TempDbPath());
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(MigrateTo(*db, 2), IsOk());
  ASSERT_THAT(
      db->Exec("INSERT INTO meetings (id, provider_meeting_id, room_id, "
               "room_name, room_url, host_room_url, start_time_us, "
               "end_time_us, num_clients, platform) VALUES ('m', 'p', 'r', "
               "'room', 'u', 'u', 1, 2, 3, 'daily')"),
      IsOk());
  ASSERT_THAT(MigrateTo(*db, 3), IsOk());
  EXPECT_THAT(Columns(*db, "meetings"),
              IsSupersetOf({"participants_time_us", "session_time_us"}));
  absl::StatusOr<Statement> row = db->Prepare(
      "SELECT num_clients, participants_time_us IS NULL, "
      "session_time_us IS NULL FROM meetings WHERE id = 'm'");
  ASSERT_THAT(row, IsOk());
  ASSERT_THAT(row->Step(), IsOk());
  EXPECT_EQ(row->ColumnInt64(0), 3);
  EXPECT_TRUE(row->ColumnBool(1));
  EXPECT_TRUE(row->ColumnBool(2));
}

TEST(MigrationsTest, NewerDatabaseIsRefusedAndLeftUntouched) {
  const std::string path = testing::TempDbPath();
  const int future = LatestSchemaVersion() + 1;
  std::vector<std::string> tables;  // Of the latest version.
  {
    // As a newer release of this code would leave it.
    std::unique_ptr<Database> db = OpenDb(path);
    ASSERT_NE(db, nullptr);
    ASSERT_THAT(Migrate(*db), IsOk());
    tables = SchemaNames(*db, "table");
    ASSERT_THAT(db->Exec(absl::StrCat("CREATE TABLE from_the_future (x);"
                                      "INSERT INTO from_the_future VALUES (7);"
                                      "PRAGMA user_version = ",
                                      future)),
                IsOk());
  }
  const std::string before = testing::ReadFileBytes(path);
  ASSERT_FALSE(before.empty());

  EXPECT_THAT(Store::Open(path),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat("schema version ", future))));
  EXPECT_EQ(testing::ReadFileBytes(path), before);

  std::unique_ptr<Database> db = OpenDb(path);
  ASSERT_NE(db, nullptr);
  EXPECT_THAT(Migrate(*db), StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("newer")));
  EXPECT_THAT(MigrateTo(*db, 1),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("")));
  EXPECT_EQ(Version(*db), future);
  tables.push_back("from_the_future");
  EXPECT_THAT(SchemaNames(*db, "table"), UnorderedElementsAreArray(tables));
}

TEST(MigrationsTest, ReopeningAMigratedDatabaseIsANoOp) {
  const std::string path = testing::TempDbPath();
  MeetingRecord meeting;
  meeting.meeting_id = "m1";
  meeting.room_id = "r1";
  meeting.start_time = absl::FromUnixSeconds(1700000000);
  meeting.end_time = meeting.start_time + absl::Hours(8);
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->InsertMeeting(meeting), IsOk());
  }
  const std::string before = testing::ReadFileBytes(path);
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path);
    ASSERT_THAT(store, IsOk());
    EXPECT_THAT((*store)->GetMeeting("m1"), IsOk());
  }
  EXPECT_EQ(testing::ReadFileBytes(path), before);

  std::unique_ptr<Database> db = OpenDb(path);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Version(*db), LatestSchemaVersion());
  // Asking for an older version never downgrades.
  ASSERT_THAT(MigrateTo(*db, 1), IsOk());
  EXPECT_EQ(Version(*db), LatestSchemaVersion());
}

TEST(MigrationsTest, FailedStepLeavesThePreviousVersion) {
  static constexpr Migration kBroken[] = {
      {1, "a", "CREATE TABLE a (x INTEGER);"},
      {2, "b then a typo",
       "CREATE TABLE b (x INTEGER); INSERT INTO missing VALUES (1);"},
  };
  std::unique_ptr<Database> db = OpenDb(testing::TempDbPath());
  ASSERT_NE(db, nullptr);
  EXPECT_THAT(ApplyMigrations(*db, kBroken, 2),
              StatusIs(absl::StatusCode::kInternal,
                       ::testing::AllOf(HasSubstr("migration 2"),
                                        HasSubstr("no such table: missing"))));
  EXPECT_EQ(Version(*db), 1);
  EXPECT_FALSE(db->InTransaction());
  EXPECT_THAT(SchemaNames(*db, "table"), ElementsAre("a"));  // No "b".

  static constexpr Migration kFixed[] = {
      {1, "a", "CREATE TABLE a (x INTEGER);"},
      {2, "b", "CREATE TABLE b (x INTEGER);"},
  };
  ASSERT_THAT(ApplyMigrations(*db, kFixed, 2), IsOk());
  EXPECT_EQ(Version(*db), 2);
  EXPECT_THAT(SchemaNames(*db, "table"), ElementsAre("a", "b"));
}

TEST(MigrationsTest, RejectsBadNumberingAndTargets) {
  static constexpr Migration kGap[] = {
      {1, "a", "CREATE TABLE a (x);"},
      {3, "c", "CREATE TABLE c (x);"},
  };
  std::unique_ptr<Database> db = OpenDb(":memory:");
  ASSERT_NE(db, nullptr);
  EXPECT_THAT(ApplyMigrations(*db, kGap, 2),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("version 3")));
  EXPECT_EQ(Version(*db), 0);
  EXPECT_THAT(
      MigrateTo(*db, LatestSchemaVersion() + 1),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("target")));
  EXPECT_THAT(MigrateTo(*db, -1), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("target")));
  EXPECT_EQ(Version(*db), 0);
}

TEST(MigrationsTest, ConcurrentOpenersOfANewFileBothSucceed) {
  const std::string path = testing::TempDbPath();
  constexpr int kOpeners = 4;
  std::vector<absl::Status> results(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&path, &results, i] {
      absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path);
      results[i] = store.status();
      if (store.ok()) {
        absl::StatusOr<int> version = (*store)->SchemaVersion();
        if (!version.ok()) {
          results[i] = version.status();
        } else if (*version != LatestSchemaVersion()) {
          results[i] = absl::InternalError(absl::StrCat("version ", *version));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& result : results) EXPECT_THAT(result, IsOk());
}

}  // namespace
}  // namespace videoplatform::storage
