#include "storage/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "storage/migrations.h"
#include "storage/sqlite.h"
#include "storage/test_util.h"

namespace videoplatform::storage {

// For readable failure messages.
void PrintTo(const MeetingRecord& m, std::ostream* os) {
  *os << "{" << m.meeting_id << " " << m.platform << " "
      << m.provider_meeting_id << " room=" << m.room_id << " " << m.room_name
      << " " << m.room_url << " " << m.host_room_url
      << " start=" << absl::FormatTime(m.start_time)
      << " end=" << absl::FormatTime(m.end_time) << " locked=" << m.is_locked
      << " mode=" << m.room_mode << " rec=" << m.recording_type
      << " trig=" << m.recording_trigger << " clients=" << m.num_clients
      << " active=" << m.is_active << " key=" << m.idempotency_key << "}";
}

void PrintTo(const RoomPlatform& r, std::ostream* os) {
  *os << "{" << r.room_id << " " << r.platform << " by " << r.updated_by
      << " at " << absl::FormatTime(r.update_time) << "}";
}

bool operator==(const MeetingRecord& a, const MeetingRecord& b) {
  return a.meeting_id == b.meeting_id && a.platform == b.platform &&
         a.provider_meeting_id == b.provider_meeting_id &&
         a.room_id == b.room_id && a.room_name == b.room_name &&
         a.room_url == b.room_url && a.host_room_url == b.host_room_url &&
         a.start_time == b.start_time && a.end_time == b.end_time &&
         a.is_locked == b.is_locked && a.room_mode == b.room_mode &&
         a.recording_type == b.recording_type &&
         a.recording_trigger == b.recording_trigger &&
         a.num_clients == b.num_clients && a.is_active == b.is_active &&
         a.idempotency_key == b.idempotency_key;
}

bool operator==(const RoomPlatform& a, const RoomPlatform& b) {
  return a.room_id == b.room_id && a.platform == b.platform &&
         a.updated_by == b.updated_by && a.update_time == b.update_time;
}

namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::Eq;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Optional;
using ::testing::UnorderedElementsAre;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

MATCHER_P(IsOkAndHolds, matcher, "") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

const absl::Time kT0 = absl::FromUnixMicros(1700000000123456);

std::unique_ptr<Store> OpenStore(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path);
  EXPECT_THAT(store, IsOk());
  return store.ok() ? *std::move(store) : nullptr;
}

// A meeting with every field set to something other than its default.
MeetingRecord MakeMeeting(const std::string& id, const std::string& room_id,
                          absl::Time start) {
  MeetingRecord m;
  m.meeting_id = id;
  m.platform = "daily";
  m.provider_meeting_id = "provider-" + id;
  m.room_id = room_id;
  m.room_name = "/" + room_id + "-" + id;
  m.room_url = "https://example.daily.co/" + id;
  m.host_room_url = "https://example.daily.co/" + id + "?t=host";
  m.start_time = start;
  m.end_time = start + absl::Hours(8);
  m.is_locked = true;
  m.room_mode = v1::ROOM_MODE_GROUP;
  m.recording_type = v1::RECORDING_TYPE_LOCAL;
  m.recording_trigger = v1::RECORDING_TRIGGER_PROMPT;
  m.num_clients = 3;
  m.is_active = true;
  return m;
}

std::vector<std::string> Ids(const std::vector<MeetingRecord>& meetings) {
  std::vector<std::string> ids;
  for (const MeetingRecord& m : meetings) ids.push_back(m.meeting_id);
  return ids;
}

// Every page of ListMeetings for `filter`, following the cursors.
std::vector<MeetingRecord> ListAllMeetings(Store& store, MeetingFilter filter,
                                           int* pages = nullptr) {
  std::vector<MeetingRecord> all;
  filter.after_cursor.clear();
  for (int page_count = 1; page_count < 10000; ++page_count) {
    absl::StatusOr<MeetingPage> page = store.ListMeetings(filter);
    EXPECT_THAT(page, IsOk());
    if (!page.ok()) break;
    EXPECT_LE(static_cast<int>(page->meetings.size()), filter.limit);
    all.insert(all.end(), page->meetings.begin(), page->meetings.end());
    if (page->next_cursor.empty()) {
      if (pages != nullptr) *pages = page_count;
      break;
    }
    EXPECT_EQ(static_cast<int>(page->meetings.size()), filter.limit)
        << "only the last page may be short";
    filter.after_cursor = page->next_cursor;
  }
  return all;
}

std::vector<std::string> ListAllRoomIds(Store& store, int limit,
                                        int* pages = nullptr) {
  std::vector<std::string> ids;
  std::string cursor;
  for (int page_count = 1; page_count < 10000; ++page_count) {
    absl::StatusOr<RoomPlatformPage> page =
        store.ListRoomPlatforms(limit, cursor);
    EXPECT_THAT(page, IsOk());
    if (!page.ok()) break;
    EXPECT_LE(static_cast<int>(page->room_platforms.size()), limit);
    for (const RoomPlatform& room : page->room_platforms) {
      ids.push_back(room.room_id);
    }
    if (page->next_cursor.empty()) {
      if (pages != nullptr) *pages = page_count;
      break;
    }
    cursor = page->next_cursor;
  }
  return ids;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::TempDbPath();
    store_ = OpenStore(path_);
    ASSERT_NE(store_, nullptr);
  }

  // Runs `sql` on a second connection to the same file, e.g. to inject a
  // fault the store cannot see coming.
  void ExecOnSideConnection(const std::string& sql) {
    absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(path_);
    ASSERT_THAT(db, IsOk());
    ASSERT_THAT((*db)->Exec(sql), IsOk());
  }

  std::string path_;
  std::unique_ptr<Store> store_;
};

// The store's own connection commits power-safely: a write it acknowledged
// survives power loss (synchronous=FULL in WAL mode).
TEST_F(StoreTest, ConnectionCommitsWithSynchronousFull) {
  Database& db = store_->database();
  absl::MutexLock lock(&db.mutex());
  absl::StatusOr<Statement> pragma = db.Prepare("PRAGMA synchronous");
  ASSERT_THAT(pragma, IsOk());
  absl::StatusOr<bool> row = pragma->Step();
  ASSERT_THAT(row, IsOk());
  ASSERT_TRUE(*row);
  EXPECT_EQ(pragma->ColumnInt64(0), 2);  // 2 = FULL
}

// Reads go to the read pool: they complete while the writer connection is
// busy (its mutex held, as during a long group commit).
TEST_F(StoreTest, ReadsDoNotWaitForTheWriterConnection) {
  MeetingRecord meeting;
  meeting.meeting_id = "m-read";
  meeting.room_id = "r-read";
  meeting.start_time = absl::FromUnixSeconds(1700000000);
  meeting.end_time = meeting.start_time + absl::Hours(1);
  ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
  store_->database().mutex().Lock();
  absl::Notification done;
  std::thread reader([&] {
    EXPECT_THAT(store_->GetMeeting("m-read"), IsOk());
    EXPECT_THAT(store_->GetFlags(), IsOk());
    EXPECT_THAT(store_->GetRoomPlatform("r-read"), IsOk());
    absl::StatusOr<MeetingPage> page = store_->ListMeetings(MeetingFilter());
    EXPECT_THAT(page, IsOk());
    if (page.ok()) {
      EXPECT_EQ(page->meetings.size(), 1u);
    }
    done.Notify();
  });
  const bool finished = done.WaitForNotificationWithTimeout(absl::Seconds(20));
  store_->database().mutex().Unlock();
  reader.join();
  EXPECT_TRUE(finished) << "a read waited for the writer's mutex";
}

// Writes of the store and webhook applies share the connection's writer:
// concurrent writes commit together, each with its own result.
TEST_F(StoreTest, ConcurrentWritesShareTheConnectionsGroupCommit) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures] {
      for (int i = 0; i < kPerThread; ++i) {
        MeetingRecord meeting;
        meeting.meeting_id = absl::StrCat("m-", t, "-", i);
        meeting.room_id = absl::StrCat("r-", t);
        meeting.start_time = absl::FromUnixSeconds(1700000000 + i);
        meeting.end_time = meeting.start_time + absl::Hours(1);
        if (!store_->InsertMeeting(meeting).ok()) ++failures;
        // The same id again: this caller alone gets ALREADY_EXISTS.
        if (!absl::IsAlreadyExists(store_->InsertMeeting(meeting))) ++failures;
        if (!store_
                 ->SetRoomPlatform(meeting.room_id, "daily", "test",
                                   meeting.start_time)
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  MeetingFilter all;
  all.limit = 1000;
  absl::StatusOr<MeetingPage> page = store_->ListMeetings(all);
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->meetings.size(), static_cast<size_t>(kThreads * kPerThread));
  const GroupCommitter::Stats stats = store_->committer().stats();
  EXPECT_EQ(stats.units, 2 * kThreads * kPerThread);  // Failed ones excluded.
  EXPECT_EQ(store_->database().group_committer(), &store_->committer());
}

// --- Global flags ---

TEST_F(StoreTest, FlagsStartWithReflectorsDefaults) {
  absl::StatusOr<GlobalFlags> flags = store_->GetFlags();
  ASSERT_THAT(flags, IsOk());
  EXPECT_FALSE(flags->daily_migration_enabled);
  EXPECT_EQ(flags->default_platform, "whereby");
  EXPECT_EQ(flags->update_time, absl::UnixEpoch());
  EXPECT_EQ(flags->updated_by, "");
}

TEST_F(StoreTest, UpdateFlagsChangesOnlyTheFieldsSet) {
  absl::StatusOr<GlobalFlags> after =
      store_->UpdateFlags(true, std::nullopt, "alice", kT0);
  ASSERT_THAT(after, IsOk());
  EXPECT_TRUE(after->daily_migration_enabled);
  EXPECT_EQ(after->default_platform, "whereby");
  EXPECT_EQ(after->update_time, kT0);
  EXPECT_EQ(after->updated_by, "alice");

  const absl::Time t1 = kT0 + absl::Seconds(5);
  after = store_->UpdateFlags(std::nullopt, "daily", "bob", t1);
  ASSERT_THAT(after, IsOk());
  EXPECT_TRUE(after->daily_migration_enabled);  // Kept.
  EXPECT_EQ(after->default_platform, "daily");
  EXPECT_EQ(after->update_time, t1);
  EXPECT_EQ(after->updated_by, "bob");

  absl::StatusOr<GlobalFlags> read = store_->GetFlags();
  ASSERT_THAT(read, IsOk());
  EXPECT_TRUE(read->daily_migration_enabled);
  EXPECT_EQ(read->default_platform, "daily");
  EXPECT_EQ(read->update_time, t1);
  EXPECT_EQ(read->updated_by, "bob");

  after = store_->UpdateFlags(false, "whereby", "carol", t1 + absl::Seconds(1));
  ASSERT_THAT(after, IsOk());
  EXPECT_FALSE(after->daily_migration_enabled);
  EXPECT_EQ(after->default_platform, "whereby");
}

TEST_F(StoreTest, UpdateFlagsWithNothingSetChangesNothing) {
  ASSERT_THAT(store_->UpdateFlags(true, std::nullopt, "alice", kT0), IsOk());
  absl::StatusOr<GlobalFlags> after = store_->UpdateFlags(
      std::nullopt, std::nullopt, "bob", kT0 + absl::Hours(1));
  ASSERT_THAT(after, IsOk());
  EXPECT_TRUE(after->daily_migration_enabled);
  EXPECT_EQ(after->update_time, kT0);
  EXPECT_EQ(after->updated_by, "alice");
}

TEST_F(StoreTest, UpdateFlagsRejectsEmptyDefaultPlatform) {
  EXPECT_THAT(store_->UpdateFlags(true, "", "alice", kT0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("default_platform")));
  absl::StatusOr<GlobalFlags> flags = store_->GetFlags();
  ASSERT_THAT(flags, IsOk());
  EXPECT_FALSE(flags->daily_migration_enabled);  // Nothing written.
}

TEST_F(StoreTest, TimesKeepMicrosecondPrecision) {
  const absl::Time with_nanos = kT0 + absl::Nanoseconds(789);
  absl::StatusOr<GlobalFlags> flags =
      store_->UpdateFlags(true, std::nullopt, "a", with_nanos);
  ASSERT_THAT(flags, IsOk());
  EXPECT_EQ(flags->update_time, kT0);
  absl::StatusOr<RoomPlatform> room =
      store_->SetRoomPlatform("r", "daily", "a", with_nanos);
  ASSERT_THAT(room, IsOk());
  EXPECT_EQ(room->update_time, kT0);  // Same as what reads back.
  EXPECT_THAT(store_->GetRoomPlatform("r"),
              IsOkAndHolds(Optional(Field(&RoomPlatform::update_time, kT0))));
  const absl::Time before_epoch = absl::FromUnixMicros(-1234567);
  MeetingRecord meeting = MakeMeeting("m", "r", before_epoch);
  ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
  EXPECT_THAT(store_->GetMeeting("m"), IsOkAndHolds(meeting));
}

// --- Per-room platform overrides ---

TEST_F(StoreTest, SetGetAndClearRoomPlatform) {
  EXPECT_THAT(store_->GetRoomPlatform("room-1"), IsOkAndHolds(std::nullopt));

  const RoomPlatform set{"room-1", "daily", "alice", kT0};
  EXPECT_THAT(store_->SetRoomPlatform("room-1", "daily", "alice", kT0),
              IsOkAndHolds(set));
  EXPECT_THAT(store_->GetRoomPlatform("room-1"), IsOkAndHolds(Optional(set)));
  EXPECT_THAT(store_->GetRoomPlatform("room-2"), IsOkAndHolds(std::nullopt));

  // Setting again replaces the override.
  const RoomPlatform replaced{"room-1", "whereby", "bob",
                              kT0 + absl::Minutes(1)};
  EXPECT_THAT(store_->SetRoomPlatform("room-1", "whereby", "bob",
                                      kT0 + absl::Minutes(1)),
              IsOkAndHolds(replaced));
  EXPECT_THAT(store_->GetRoomPlatform("room-1"),
              IsOkAndHolds(Optional(replaced)));

  EXPECT_THAT(store_->ClearRoomPlatform("room-1"), IsOkAndHolds(true));
  EXPECT_THAT(store_->GetRoomPlatform("room-1"), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(store_->ClearRoomPlatform("room-1"), IsOkAndHolds(false));
  EXPECT_THAT(store_->ClearRoomPlatform("never-set"), IsOkAndHolds(false));
}

TEST_F(StoreTest, SetRoomPlatformRejectsEmptyFields) {
  EXPECT_THAT(store_->SetRoomPlatform("", "daily", "a", kT0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("room")));
  EXPECT_THAT(
      store_->SetRoomPlatform("r", "", "a", kT0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("platform")));
  EXPECT_THAT(ListAllRoomIds(*store_, 10), IsEmpty());
}

TEST_F(StoreTest, ListRoomPlatformsPagesInRoomIdOrder) {
  EXPECT_THAT(ListAllRoomIds(*store_, 10), IsEmpty());
  std::vector<std::string> expected;
  // Inserted out of order.
  for (int i = 0; i < 25; ++i) {
    const std::string id = absl::StrCat("room-", (i * 7) % 25 + 100);
    ASSERT_THAT(store_->SetRoomPlatform(id, "daily", "a", kT0), IsOk());
    expected.push_back(id);
  }
  std::sort(expected.begin(), expected.end());

  int pages = 0;
  EXPECT_THAT(ListAllRoomIds(*store_, 10, &pages), ElementsAreArray(expected));
  EXPECT_EQ(pages, 3);
  // An exact multiple of the page size ends without an empty extra page.
  EXPECT_THAT(ListAllRoomIds(*store_, 5, &pages), ElementsAreArray(expected));
  EXPECT_EQ(pages, 5);
  EXPECT_THAT(ListAllRoomIds(*store_, 25, &pages), ElementsAreArray(expected));
  EXPECT_EQ(pages, 1);
  EXPECT_THAT(ListAllRoomIds(*store_, 1000000, &pages),
              ElementsAreArray(expected));
  EXPECT_EQ(pages, 1);

  absl::StatusOr<RoomPlatformPage> first = store_->ListRoomPlatforms(3, "");
  ASSERT_THAT(first, IsOk());
  ASSERT_EQ(first->room_platforms.size(), 3u);
  EXPECT_EQ(first->room_platforms[0],
            (RoomPlatform{expected[0], "daily", "a", kT0}));
  // Keyset: a room added before the cursor is not seen, one after it is.
  ASSERT_THAT(store_->SetRoomPlatform("room-000", "daily", "a", kT0), IsOk());
  ASSERT_THAT(store_->SetRoomPlatform("room-999", "daily", "a", kT0), IsOk());
  std::vector<std::string> rest;
  std::string cursor = first->next_cursor;
  while (!cursor.empty()) {
    absl::StatusOr<RoomPlatformPage> page =
        store_->ListRoomPlatforms(4, cursor);
    ASSERT_THAT(page, IsOk());
    for (const RoomPlatform& room : page->room_platforms) {
      rest.push_back(room.room_id);
    }
    cursor = page->next_cursor;
  }
  std::vector<std::string> expected_rest(expected.begin() + 3, expected.end());
  expected_rest.push_back("room-999");
  EXPECT_THAT(rest, ElementsAreArray(expected_rest));
}

TEST_F(StoreTest, ListRoomPlatformsRejectsBadInput) {
  EXPECT_THAT(
      store_->ListRoomPlatforms(10, "garbage!"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  ASSERT_THAT(store_->InsertMeeting(MakeMeeting("m1", "r", kT0)), IsOk());
  ASSERT_THAT(store_->InsertMeeting(MakeMeeting("m2", "r", kT0)), IsOk());
  MeetingFilter filter;
  filter.limit = 1;
  absl::StatusOr<MeetingPage> meetings = store_->ListMeetings(filter);
  ASSERT_THAT(meetings, IsOk());
  ASSERT_FALSE(meetings->next_cursor.empty());
  EXPECT_THAT(
      store_->ListRoomPlatforms(10, meetings->next_cursor),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_THAT(store_->ListRoomPlatforms(0, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("size")));
  EXPECT_THAT(store_->ListRoomPlatforms(-1, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("size")));
}

TEST_F(StoreTest, ReplaceRoomPlatformsFromSourceSetsAndClearsOnlyItsOwn) {
  const absl::Time t1 = kT0 + absl::Minutes(1);
  const absl::Time t2 = kT0 + absl::Minutes(2);
  const absl::Time t3 = kT0 + absl::Minutes(3);
  ASSERT_THAT(store_->SetRoomPlatform("admin-x", "whereby", "admin", kT0),
              IsOk());
  ASSERT_THAT(store_->SetRoomPlatform("admin-y", "whereby", "admin", kT0),
              IsOk());
  ASSERT_THAT(store_->SetRoomPlatform("other-z", "daily", "other-src", kT0),
              IsOk());

  ASSERT_THAT(
      store_->ReplaceRoomPlatformsFromSource("env", {"a", "b"}, "daily", t1),
      IsOk());
  EXPECT_THAT(ListAllRoomIds(*store_, 100),
              ElementsAre("a", "admin-x", "admin-y", "b", "other-z"));
  EXPECT_THAT(store_->GetRoomPlatform("a"),
              IsOkAndHolds(Optional(RoomPlatform{"a", "daily", "env", t1})));

  // "a" dropped, "b" kept (its row untouched), "c" added, and "admin-x"
  // taken over by the list.
  ASSERT_THAT(store_->ReplaceRoomPlatformsFromSource(
                  "env", {"b", "c", "admin-x", "c"}, "daily", t2),
              IsOk());
  EXPECT_THAT(ListAllRoomIds(*store_, 100),
              ElementsAre("admin-x", "admin-y", "b", "c", "other-z"));
  EXPECT_THAT(store_->GetRoomPlatform("b"),
              IsOkAndHolds(Optional(RoomPlatform{"b", "daily", "env", t1})));
  EXPECT_THAT(store_->GetRoomPlatform("c"),
              IsOkAndHolds(Optional(RoomPlatform{"c", "daily", "env", t2})));
  EXPECT_THAT(
      store_->GetRoomPlatform("admin-x"),
      IsOkAndHolds(Optional(RoomPlatform{"admin-x", "daily", "env", t2})));
  EXPECT_THAT(
      store_->GetRoomPlatform("admin-y"),
      IsOkAndHolds(Optional(RoomPlatform{"admin-y", "whereby", "admin", kT0})));

  // An empty list clears everything the source set, nothing else.
  ASSERT_THAT(store_->ReplaceRoomPlatformsFromSource("env", {}, "daily", t3),
              IsOk());
  EXPECT_THAT(ListAllRoomIds(*store_, 100), ElementsAre("admin-y", "other-z"));
  EXPECT_THAT(store_->GetRoomPlatform("other-z"),
              IsOkAndHolds(Optional(
                  RoomPlatform{"other-z", "daily", "other-src", kT0})));
}

TEST_F(StoreTest, ReplaceRoomPlatformsFromSourceRejectsEmptyNames) {
  EXPECT_THAT(
      store_->ReplaceRoomPlatformsFromSource("", {"a"}, "daily", kT0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("source")));
  EXPECT_THAT(
      store_->ReplaceRoomPlatformsFromSource("env", {"a"}, "", kT0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("platform")));
  EXPECT_THAT(ListAllRoomIds(*store_, 100), IsEmpty());
}

TEST_F(StoreTest, FailedReplaceMidwayLeavesEverythingAsItWas) {
  ASSERT_THAT(
      store_->ReplaceRoomPlatformsFromSource("env", {"old"}, "daily", kT0),
      IsOk());
  // "a" and "b" are written before the empty id fails the call.
  EXPECT_THAT(store_->ReplaceRoomPlatformsFromSource("env", {"a", "b", ""},
                                                     "daily", kT0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("room")));
  EXPECT_THAT(ListAllRoomIds(*store_, 100), ElementsAre("old"));

  // The same with a failure inside SQLite, injected by a trigger.
  ExecOnSideConnection(
      "CREATE TRIGGER poison BEFORE INSERT ON room_platforms "
      "WHEN NEW.room_id = 'poison' "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
  EXPECT_THAT(
      store_->ReplaceRoomPlatformsFromSource("env", {"a", "b", "poison"},
                                             "daily", kT0),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("injected failure")));
  EXPECT_THAT(ListAllRoomIds(*store_, 100), ElementsAre("old"));
  EXPECT_THAT(store_->GetRoomPlatform("old"),
              IsOkAndHolds(Optional(RoomPlatform{"old", "daily", "env", kT0})));
  // The store is still usable afterwards.
  EXPECT_THAT(
      store_->ReplaceRoomPlatformsFromSource("env", {"a"}, "daily", kT0),
      IsOk());
  EXPECT_THAT(ListAllRoomIds(*store_, 100), ElementsAre("a"));
}

// --- Meetings ---

TEST_F(StoreTest, InsertAndGetMeetingRoundTripsEveryField) {
  const MeetingRecord meeting = MakeMeeting("m1", "room-1", kT0);
  ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
  EXPECT_THAT(store_->GetMeeting("m1"), IsOkAndHolds(meeting));

  MeetingRecord defaults;  // The struct's defaults, e.g. platform "whereby".
  defaults.meeting_id = "m2";
  defaults.start_time = kT0;
  defaults.end_time = kT0;
  defaults.idempotency_key = "key-2";
  ASSERT_THAT(store_->InsertMeeting(defaults), IsOk());
  EXPECT_THAT(store_->GetMeeting("m2"), IsOkAndHolds(defaults));
}

TEST_F(StoreTest, EveryEnumValueRoundTrips) {
  int n = 0;
  for (const v1::RoomMode mode : {v1::ROOM_MODE_NORMAL, v1::ROOM_MODE_GROUP}) {
    for (const v1::RecordingType type :
         {v1::RECORDING_TYPE_NONE, v1::RECORDING_TYPE_LOCAL,
          v1::RECORDING_TYPE_CLOUD}) {
      for (const v1::RecordingTrigger trigger :
           {v1::RECORDING_TRIGGER_NONE, v1::RECORDING_TRIGGER_PROMPT,
            v1::RECORDING_TRIGGER_AUTOMATIC,
            v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT}) {
        MeetingRecord meeting = MakeMeeting(absl::StrCat("m", ++n), "r", kT0);
        meeting.room_mode = mode;
        meeting.recording_type = type;
        meeting.recording_trigger = trigger;
        ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
        EXPECT_THAT(store_->GetMeeting(meeting.meeting_id),
                    IsOkAndHolds(meeting));
      }
    }
  }
}

TEST_F(StoreTest, EnumsAreStoredAsBackendStrings) {
  MeetingRecord meeting = MakeMeeting("m1", "r", kT0);
  meeting.recording_trigger = v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT;
  ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(path_);
  ASSERT_THAT(db, IsOk());
  absl::StatusOr<Statement> select = (*db)->Prepare(
      "SELECT room_mode, recording_type, recording_trigger, platform, "
      "start_time_us FROM meetings WHERE id = 'm1'");
  ASSERT_THAT(select, IsOk());
  ASSERT_THAT(select->Step(), IsOkAndHolds(true));
  EXPECT_EQ(select->ColumnText(0), "group");
  EXPECT_EQ(select->ColumnText(1), "local");
  EXPECT_EQ(select->ColumnText(2), "automatic-2nd-participant");
  EXPECT_EQ(select->ColumnText(3), "daily");
  EXPECT_EQ(select->ColumnInt64(4), 1700000000123456);
}

TEST_F(StoreTest, UnknownStoredEnumIsInternal) {
  ASSERT_THAT(store_->InsertMeeting(MakeMeeting("m1", "r", kT0)), IsOk());
  // Written by hand, as a newer or broken writer might.
  ExecOnSideConnection(
      "PRAGMA ignore_check_constraints = ON;"
      "UPDATE meetings SET room_mode = 'huge' WHERE id = 'm1'");
  EXPECT_THAT(store_->GetMeeting("m1"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("huge")));
}

TEST_F(StoreTest, GetMissingMeetingIsNotFound) {
  EXPECT_THAT(store_->GetMeeting("nope"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST_F(StoreTest, InsertRejectsInvalidMeetingsAndWritesNothing) {
  std::vector<MeetingRecord> invalid(7, MakeMeeting("m1", "r", kT0));
  invalid[0].meeting_id = "";
  invalid[1].platform = "";
  invalid[2].room_mode = v1::ROOM_MODE_UNSPECIFIED;
  invalid[3].recording_type = v1::RECORDING_TYPE_UNSPECIFIED;
  invalid[4].recording_trigger = static_cast<v1::RecordingTrigger>(42);
  invalid[5].end_time = absl::InfiniteFuture();
  invalid[6].num_clients = -1;
  for (const MeetingRecord& meeting : invalid) {
    EXPECT_THAT(store_->InsertMeeting(meeting),
                StatusIs(absl::StatusCode::kInvalidArgument, Not(IsEmpty())))
        << ::testing::PrintToString(meeting);
  }
  EXPECT_THAT(ListAllMeetings(*store_, MeetingFilter()), IsEmpty());
}

TEST_F(StoreTest, DuplicateMeetingIdIsAlreadyExists) {
  const MeetingRecord first = MakeMeeting("m1", "room-1", kT0);
  ASSERT_THAT(store_->InsertMeeting(first), IsOk());
  MeetingRecord second = MakeMeeting("m1", "room-2", kT0 + absl::Hours(1));
  EXPECT_THAT(store_->InsertMeeting(second),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("m1")));
  EXPECT_THAT(store_->GetMeeting("m1"), IsOkAndHolds(first));
  EXPECT_THAT(Ids(ListAllMeetings(*store_, MeetingFilter())),
              ElementsAre("m1"));
}

TEST_F(StoreTest, IdempotencyKeyIsUniqueWhenSet) {
  MeetingRecord first = MakeMeeting("m1", "room-1", kT0);
  first.idempotency_key = "key-1";
  ASSERT_THAT(store_->InsertMeeting(first), IsOk());

  MeetingRecord second = MakeMeeting("m2", "room-1", kT0 + absl::Seconds(1));
  second.idempotency_key = "key-1";
  EXPECT_THAT(
      store_->InsertMeeting(second),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("idempotency_key")));
  EXPECT_THAT(store_->GetMeeting("m2"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("m2")));
  EXPECT_THAT(store_->FindMeetingByIdempotencyKey("key-1"),
              IsOkAndHolds(Optional(first)));
  EXPECT_THAT(store_->FindMeetingByIdempotencyKey("key-2"),
              IsOkAndHolds(std::nullopt));

  // Any number of meetings may have no key, and "" finds none of them.
  for (const char* id : {"n1", "n2", "n3"}) {
    ASSERT_THAT(store_->InsertMeeting(MakeMeeting(id, "room-1", kT0)), IsOk());
  }
  EXPECT_THAT(store_->FindMeetingByIdempotencyKey(""),
              IsOkAndHolds(std::nullopt));
  EXPECT_EQ(ListAllMeetings(*store_, MeetingFilter()).size(), 4u);
}

TEST_F(StoreTest, IdempotencyKeyReservationsHoldUntilStoredOrReleased) {
  using State = KeyReservation::State;
  const absl::Time stale = kT0 - absl::Minutes(5);
  auto first =
      store_->ReserveIdempotencyKey("key-1", "room-1", "call-a", kT0, stale);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->state, State::kReserved);

  // Another call meanwhile: told who holds it, for which room, since when.
  auto second = store_->ReserveIdempotencyKey("key-1", "room-1", "call-b",
                                              kT0 + absl::Seconds(1), stale);
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->state, State::kHeld);
  EXPECT_EQ(second->holder, "call-a");
  EXPECT_EQ(second->room_id, "room-1");
  EXPECT_EQ(second->reserved_at, kT0);

  // Only the holder releases it.
  ASSERT_THAT(store_->ReleaseIdempotencyKey("key-1", "call-b"), IsOk());
  EXPECT_EQ(
      store_->ReserveIdempotencyKey("key-1", "room-1", "call-b", kT0, stale)
          ->state,
      State::kHeld);
  ASSERT_THAT(store_->ReleaseIdempotencyKey("key-1", "call-a"), IsOk());
  EXPECT_EQ(
      store_->ReserveIdempotencyKey("key-1", "room-1", "call-b", kT0, stale)
          ->state,
      State::kReserved);

  // Storing the meeting ends the reservation; the key then finds it.
  MeetingRecord meeting = MakeMeeting("m1", "room-1", kT0);
  meeting.idempotency_key = "key-1";
  ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
  auto replay = store_->ReserveIdempotencyKey("key-1", "room-1", "call-c",
                                              kT0 + absl::Seconds(2), stale);
  ASSERT_THAT(replay, IsOk());
  EXPECT_EQ(replay->state, State::kMeetingExists);
  EXPECT_THAT(replay->meeting, Optional(meeting));

  EXPECT_THAT(store_->ReserveIdempotencyKey("", "room-1", "call-a", kT0, stale),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_THAT(store_->ReserveIdempotencyKey("k", "room-1", "", kT0, stale),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST_F(StoreTest, StaleIdempotencyKeyReservationIsTakenOver) {
  using State = KeyReservation::State;
  ASSERT_THAT(store_->ReserveIdempotencyKey("key-1", "room-1", "dead-call", kT0,
                                            kT0 - absl::Minutes(5)),
              IsOk());
  const absl::Time later = kT0 + absl::Minutes(6);
  auto taken = store_->ReserveIdempotencyKey("key-1", "room-1", "new-call",
                                             later, later - absl::Minutes(5));
  ASSERT_THAT(taken, IsOk());
  EXPECT_EQ(taken->state, State::kReserved);
  auto held = store_->ReserveIdempotencyKey("key-1", "room-1", "dead-call",
                                            later, later - absl::Minutes(5));
  ASSERT_THAT(held, IsOk());
  EXPECT_EQ(held->state, State::kHeld);
  EXPECT_EQ(held->holder, "new-call");
}

TEST_F(StoreTest, FailedInsertInsideSqliteWritesNothing) {
  ExecOnSideConnection(
      "CREATE TRIGGER poison AFTER INSERT ON meetings "
      "WHEN NEW.room_id = 'poison' "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
  EXPECT_THAT(
      store_->InsertMeeting(MakeMeeting("m1", "poison", kT0)),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("injected failure")));
  EXPECT_THAT(store_->GetMeeting("m1"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("m1")));
  EXPECT_THAT(store_->InsertMeeting(MakeMeeting("m1", "fine", kT0)), IsOk());
}

TEST_F(StoreTest, ListMeetingsNewestFirstWithFilters) {
  // start offsets in minutes; room; active.
  struct Row {
    const char* id;
    int minutes;
    const char* room;
    bool active;
  };
  const Row rows[] = {
      {"a", 10, "r1", true}, {"b", 30, "r2", true},  {"c", 20, "r1", false},
      {"d", 40, "r1", true}, {"e", 50, "r2", false}, {"f", 5, "r1", true},
  };
  for (const Row& row : rows) {
    MeetingRecord meeting =
        MakeMeeting(row.id, row.room, kT0 + absl::Minutes(row.minutes));
    meeting.is_active = row.active;
    ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
  }
  MeetingFilter filter;
  EXPECT_THAT(Ids(ListAllMeetings(*store_, filter)),
              ElementsAre("e", "d", "b", "c", "a", "f"));
  filter.room_id = "r1";
  EXPECT_THAT(Ids(ListAllMeetings(*store_, filter)),
              ElementsAre("d", "c", "a", "f"));
  filter.active_only = true;
  EXPECT_THAT(Ids(ListAllMeetings(*store_, filter)),
              ElementsAre("d", "a", "f"));
  filter.room_id = "";
  EXPECT_THAT(Ids(ListAllMeetings(*store_, filter)),
              ElementsAre("d", "b", "a", "f"));
  filter.room_id = "no-such-room";
  absl::StatusOr<MeetingPage> empty = store_->ListMeetings(filter);
  ASSERT_THAT(empty, IsOk());
  EXPECT_THAT(empty->meetings, IsEmpty());
  EXPECT_EQ(empty->next_cursor, "");
}

TEST_F(StoreTest, ListMeetingsPaginatesWithoutDuplicatesOrMisses) {
  // 57 meetings in 3 rooms; many share a start time, so the order relies
  // on the tie-break.
  std::vector<MeetingRecord> all;
  for (int i = 0; i < 57; ++i) {
    MeetingRecord meeting =
        MakeMeeting(absl::StrCat("m", 1000 + (i * 31) % 57),
                    absl::StrCat("room-", i % 3), kT0 + absl::Minutes(i / 4));
    meeting.is_active = i % 5 != 0;
    ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
    all.push_back(meeting);
  }
  auto newest_first = [](const MeetingRecord& a, const MeetingRecord& b) {
    if (a.start_time != b.start_time) return a.start_time > b.start_time;
    return a.meeting_id > b.meeting_id;
  };
  std::sort(all.begin(), all.end(), newest_first);

  for (const int limit : {1, 7, 10, 19, 57, 100}) {
    MeetingFilter filter;
    filter.limit = limit;
    int pages = 0;
    const std::vector<MeetingRecord> listed =
        ListAllMeetings(*store_, filter, &pages);
    EXPECT_THAT(listed, ElementsAreArray(all)) << "limit " << limit;
    EXPECT_EQ(pages, std::max(1, (57 + limit - 1) / limit))
        << "limit " << limit;
  }

  std::vector<MeetingRecord> room_active;
  for (const MeetingRecord& meeting : all) {
    if (meeting.room_id == "room-1" && meeting.is_active) {
      room_active.push_back(meeting);
    }
  }
  ASSERT_GT(room_active.size(), 10u);
  MeetingFilter filter;
  filter.room_id = "room-1";
  filter.active_only = true;
  filter.limit = 4;
  EXPECT_THAT(ListAllMeetings(*store_, filter), ElementsAreArray(room_active));
}

TEST_F(StoreTest, ListMeetingsCursorIsStableUnderConcurrentInserts) {
  for (int i = 0; i < 6; ++i) {
    ASSERT_THAT(store_->InsertMeeting(MakeMeeting(absl::StrCat("m", i), "r",
                                                  kT0 + absl::Minutes(i))),
                IsOk());
  }
  MeetingFilter filter;
  filter.limit = 3;
  absl::StatusOr<MeetingPage> first = store_->ListMeetings(filter);
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(Ids(first->meetings), ElementsAre("m5", "m4", "m3"));
  // A newer meeting and one older than the cursor arrive between pages.
  ASSERT_THAT(
      store_->InsertMeeting(MakeMeeting("newest", "r", kT0 + absl::Hours(1))),
      IsOk());
  ASSERT_THAT(
      store_->InsertMeeting(MakeMeeting("oldest", "r", kT0 - absl::Hours(1))),
      IsOk());
  filter.after_cursor = first->next_cursor;
  absl::StatusOr<MeetingPage> second = store_->ListMeetings(filter);
  ASSERT_THAT(second, IsOk());
  EXPECT_THAT(Ids(second->meetings), ElementsAre("m2", "m1", "m0"));
  filter.after_cursor = second->next_cursor;
  ASSERT_FALSE(filter.after_cursor.empty());
  absl::StatusOr<MeetingPage> third = store_->ListMeetings(filter);
  ASSERT_THAT(third, IsOk());
  EXPECT_THAT(Ids(third->meetings), ElementsAre("oldest"));
  EXPECT_EQ(third->next_cursor, "");
}

TEST_F(StoreTest, ListMeetingsRejectsBadCursorsAndSizes) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(store_->InsertMeeting(MakeMeeting(absl::StrCat("m", i), "r",
                                                  kT0 + absl::Minutes(i))),
                IsOk());
  }
  MeetingFilter filter;
  filter.room_id = "r";
  filter.limit = 1;
  absl::StatusOr<MeetingPage> page = store_->ListMeetings(filter);
  ASSERT_THAT(page, IsOk());
  const std::string good = page->next_cursor;
  ASSERT_FALSE(good.empty());

  absl::StatusOr<RoomPlatformPage> rooms;
  ASSERT_THAT(store_->SetRoomPlatform("a", "daily", "x", kT0), IsOk());
  ASSERT_THAT(store_->SetRoomPlatform("b", "daily", "x", kT0), IsOk());
  rooms = store_->ListRoomPlatforms(1, "");
  ASSERT_THAT(rooms, IsOk());
  ASSERT_FALSE(rooms->next_cursor.empty());

  for (const std::string& cursor :
       {std::string("not a token"), std::string("AAAA"), good.substr(1),
        good + "x", rooms->next_cursor}) {
    filter.after_cursor = cursor;
    EXPECT_THAT(
        store_->ListMeetings(filter),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")))
        << cursor;
  }
  // A cursor only continues the listing it came from.
  filter.after_cursor = good;
  filter.room_id = "other";
  EXPECT_THAT(
      store_->ListMeetings(filter),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  filter.room_id = "r";
  filter.active_only = true;
  EXPECT_THAT(
      store_->ListMeetings(filter),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  filter.active_only = false;
  EXPECT_THAT(store_->ListMeetings(filter), IsOk());

  filter.after_cursor.clear();
  filter.limit = 0;
  EXPECT_THAT(store_->ListMeetings(filter),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("size")));
}

TEST_F(StoreTest, EndMeetingIsIdempotent) {
  const MeetingRecord meeting = MakeMeeting("m1", "r", kT0);
  ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
  ASSERT_THAT(store_->InsertMeeting(MakeMeeting("m2", "r", kT0)), IsOk());

  MeetingRecord ended = meeting;
  ended.is_active = false;
  ended.num_clients = 0;
  absl::StatusOr<Store::EndResult> first = store_->EndMeeting("m1");
  ASSERT_THAT(first, IsOk());
  EXPECT_TRUE(first->was_active);
  EXPECT_EQ(first->meeting, ended);
  EXPECT_THAT(store_->GetMeeting("m1"), IsOkAndHolds(ended));

  absl::StatusOr<Store::EndResult> second = store_->EndMeeting("m1");
  ASSERT_THAT(second, IsOk());
  EXPECT_FALSE(second->was_active);
  EXPECT_EQ(second->meeting, ended);
  EXPECT_THAT(store_->GetMeeting("m1"), IsOkAndHolds(ended));

  // Only that meeting changed.
  EXPECT_THAT(store_->GetMeeting("m2"),
              IsOkAndHolds(Field(&MeetingRecord::is_active, true)));
  MeetingFilter active;
  active.active_only = true;
  EXPECT_THAT(Ids(ListAllMeetings(*store_, active)), ElementsAre("m2"));

  EXPECT_THAT(store_->EndMeeting("missing"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
}

// --- Durability ---

TEST(StorePersistenceTest, DataSurvivesClosingAndReopening) {
  const std::string path = testing::TempDbPath();
  const MeetingRecord m1 = MakeMeeting("m1", "r1", kT0);
  MeetingRecord m2 = MakeMeeting("m2", "r2", kT0 + absl::Minutes(1));
  m2.idempotency_key = "k2";
  {
    std::unique_ptr<Store> store = OpenStore(path);
    ASSERT_NE(store, nullptr);
    ASSERT_THAT(store->UpdateFlags(true, "daily", "alice", kT0), IsOk());
    ASSERT_THAT(store->SetRoomPlatform("r1", "whereby", "bob", kT0), IsOk());
    ASSERT_THAT(store->InsertMeeting(m1), IsOk());
    ASSERT_THAT(store->InsertMeeting(m2), IsOk());
    ASSERT_THAT(store->EndMeeting("m1"), IsOk());
  }
  std::unique_ptr<Store> store = OpenStore(path);
  ASSERT_NE(store, nullptr);
  absl::StatusOr<GlobalFlags> flags = store->GetFlags();
  ASSERT_THAT(flags, IsOk());
  EXPECT_TRUE(flags->daily_migration_enabled);
  EXPECT_EQ(flags->default_platform, "daily");
  EXPECT_EQ(flags->update_time, kT0);
  EXPECT_EQ(flags->updated_by, "alice");
  EXPECT_THAT(
      store->GetRoomPlatform("r1"),
      IsOkAndHolds(Optional(RoomPlatform{"r1", "whereby", "bob", kT0})));
  MeetingRecord ended = m1;
  ended.is_active = false;
  ended.num_clients = 0;
  EXPECT_THAT(store->GetMeeting("m1"), IsOkAndHolds(ended));
  EXPECT_THAT(store->FindMeetingByIdempotencyKey("k2"),
              IsOkAndHolds(Optional(m2)));
}

TEST(StorePersistenceTest, InMemoryStoreWorks) {
  std::unique_ptr<Store> store = OpenStore(":memory:");
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(store->SchemaVersion(), IsOkAndHolds(LatestSchemaVersion()));
  ASSERT_THAT(store->InsertMeeting(MakeMeeting("m1", "r", kT0)), IsOk());
  EXPECT_THAT(store->GetMeeting("m1"), IsOk());
}

// --- Concurrency ---

TEST(StoreConcurrencyTest, ParallelWritersAndReadersLoseNothing) {
  std::unique_ptr<Store> store = OpenStore(testing::TempDbPath());
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  absl::Mutex mu;
  std::vector<std::string> errors;
  auto record_error = [&](const std::string& what, const absl::Status& s) {
    absl::MutexLock lock(&mu);
    errors.push_back(what + ": " + s.ToString());
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        MeetingRecord meeting =
            MakeMeeting(absl::StrCat("t", t, "-", i), absl::StrCat("room-", t),
                        kT0 + absl::Microseconds(i));
        meeting.idempotency_key = absl::StrCat("key-", t, "-", i);
        absl::Status inserted = store->InsertMeeting(meeting);
        if (!inserted.ok()) record_error("insert", inserted);
        absl::StatusOr<MeetingRecord> read =
            store->GetMeeting(meeting.meeting_id);
        if (!read.ok()) {
          record_error("get", read.status());
        } else if (!(*read == meeting)) {
          record_error("get", absl::InternalError("different meeting"));
        }
        MeetingFilter filter;
        filter.room_id = absl::StrCat("room-", t);
        filter.limit = 20;
        absl::StatusOr<MeetingPage> page = store->ListMeetings(filter);
        if (!page.ok()) {
          record_error("list", page.status());
        } else if (static_cast<int>(page->meetings.size()) !=
                   std::min(i + 1, 20)) {
          record_error("list", absl::InternalError(absl::StrCat(
                                   "own room has ", page->meetings.size())));
        }
        absl::StatusOr<GlobalFlags> flags = store->GetFlags();
        if (!flags.ok()) record_error("flags", flags.status());
        if (i % 10 == 0) {
          absl::Status set = store
                                 ->SetRoomPlatform(absl::StrCat("room-", t),
                                                   "daily", "thread", kT0)
                                 .status();
          if (!set.ok()) record_error("set room", set);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(errors, IsEmpty());

  MeetingFilter filter;
  filter.limit = 37;
  const std::vector<MeetingRecord> all = ListAllMeetings(*store, filter);
  std::set<std::string> ids;
  for (const MeetingRecord& meeting : all) ids.insert(meeting.meeting_id);
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(ListAllRoomIds(*store, 100).size(), static_cast<size_t>(kThreads));
}

TEST(StoreConcurrencyTest, TwoStoresOnOneFileSerialiseWrites) {
  // Two connections (as two processes would have): SQLite's locks and the
  // busy timeout keep their writes apart.
  const std::string path = testing::TempDbPath();
  std::unique_ptr<Store> first = OpenStore(path);
  std::unique_ptr<Store> second = OpenStore(path);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *first : *second;
      for (int i = 0; i < 25; ++i) {
        const std::string room = absl::StrCat("room-", t, "-", i);
        if (!store.InsertMeeting(MakeMeeting(room, room, kT0)).ok()) ++failures;
        if (!store
                 .ReplaceRoomPlatformsFromSource(absl::StrCat("src-", t),
                                                 {room}, "daily", kT0)
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ListAllMeetings(*first, MeetingFilter()).size(), 100u);
  // Each source kept only its last room.
  EXPECT_THAT(
      ListAllRoomIds(*second, 100),
      UnorderedElementsAre("room-0-24", "room-1-24", "room-2-24", "room-3-24"));
}

TEST(StoreConcurrencyTest, ConcurrentEndsReportOneTransition) {
  std::unique_ptr<Store> store = OpenStore(testing::TempDbPath());
  ASSERT_NE(store, nullptr);
  ASSERT_THAT(store->InsertMeeting(MakeMeeting("m1", "r", kT0)), IsOk());
  std::atomic<int> was_active{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      absl::StatusOr<Store::EndResult> result = store->EndMeeting("m1");
      if (!result.ok()) {
        ++failures;
      } else if (result->was_active) {
        ++was_active;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(was_active.load(), 1);
}

TEST(StoreConcurrencyTest, ConcurrentInsertsWithOneKeyKeepOne) {
  std::unique_ptr<Store> store = OpenStore(testing::TempDbPath());
  ASSERT_NE(store, nullptr);
  std::atomic<int> inserted{0};
  std::atomic<int> already_exists{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      MeetingRecord meeting = MakeMeeting(absl::StrCat("m", t), "r", kT0);
      meeting.idempotency_key = "shared";
      const absl::Status status = store->InsertMeeting(meeting);
      if (status.ok()) ++inserted;
      if (absl::IsAlreadyExists(status)) ++already_exists;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(inserted.load(), 1);
  EXPECT_EQ(already_exists.load(), 7);
  EXPECT_EQ(ListAllMeetings(*store, MeetingFilter()).size(), 1u);
}

}  // namespace
}  // namespace videoplatform::storage
