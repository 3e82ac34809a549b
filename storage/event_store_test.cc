#include "storage/event_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "storage/sqlite.h"
#include "storage/store.h"
#include "storage/test_util.h"

namespace videoplatform::storage {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

MATCHER_P(IsOkAndHolds, matcher, "") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  return timestamp;
}

MeetingRecord MakeMeeting(const std::string& id, const std::string& platform,
                          const std::string& provider_id,
                          const std::string& room_name) {
  MeetingRecord m;
  m.meeting_id = id;
  m.platform = platform;
  m.provider_meeting_id = provider_id;
  m.room_id = "room-" + id;
  m.room_name = room_name;
  m.room_url = "https://example.invalid/" + id;
  m.host_room_url = m.room_url;
  m.start_time = kNow - absl::Hours(1);
  m.end_time = kNow + absl::Hours(7);
  return m;
}

// A Whereby participant event: absolute count, found by meeting id.
WebhookInput Whereby(const std::string& id, v1::EventType type, int num_clients,
                     int64_t time_s,
                     const std::string& provider_meeting_id = "wb-1") {
  WebhookInput input;
  input.platform = "whereby";
  input.raw_body = absl::StrCat("{\"id\":\"", id, "\"}");
  input.event.set_type(type);
  input.event.set_platform("whereby");
  input.event.set_provider_event_id(id);
  input.event.set_provider_event_type("room.client.joined");
  input.event.set_provider_meeting_id(provider_meeting_id);
  input.event.set_room_name("/whereby-room");
  *input.event.mutable_event_time() = At(time_s);
  if (type == v1::EVENT_TYPE_PARTICIPANT_JOINED ||
      type == v1::EVENT_TYPE_PARTICIPANT_LEFT) {
    input.num_clients = num_clients;
    input.event.mutable_participant()->set_participant_id("p");
  }
  return input;
}

// A Daily event: counted by session, found by room name.
WebhookInput Daily(const std::string& id, v1::EventType type,
                   const std::string& session, int64_t time_s,
                   const std::string& room = "daily-room") {
  WebhookInput input;
  input.platform = "daily";
  input.raw_body = absl::StrCat("{\"id\":\"", id, "\"}");
  input.event.set_type(type);
  input.event.set_platform("daily");
  input.event.set_provider_event_id(id);
  input.event.set_provider_event_type("participant.joined");
  input.event.set_room_name(room);
  *input.event.mutable_event_time() = At(time_s);
  if (!session.empty()) {
    input.event.mutable_participant()->set_participant_id(session);
  }
  return input;
}

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::TempDbPath();
    Open();
    ASSERT_THAT(store_->InsertMeeting(
                    MakeMeeting("m-wb", "whereby", "wb-1", "/whereby-room")),
                IsOk());
    ASSERT_THAT(store_->InsertMeeting(
                    MakeMeeting("m-daily", "daily", "daily-id", "daily-room")),
                IsOk());
  }

  void Open() {
    events_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_THAT(store, IsOk());
    store_ = *std::move(store);
    events_ = std::make_unique<EventStore>(store_->database(),
                                           [this](int64_t sequence) {
                                             absl::MutexLock lock(&mu_);
                                             notified_.push_back(sequence);
                                           });
  }

  WebhookResult Apply(const WebhookInput& input) {
    absl::StatusOr<WebhookResult> result = events_->ApplyWebhook(input, kNow);
    EXPECT_THAT(result, IsOk());
    return result.ok() ? *result : WebhookResult();
  }

  MeetingRecord Meeting(const std::string& id) {
    absl::StatusOr<MeetingRecord> meeting = store_->GetMeeting(id);
    EXPECT_THAT(meeting, IsOk());
    return meeting.ok() ? *meeting : MeetingRecord();
  }

  std::vector<v1::Event> AllEvents() {
    absl::StatusOr<std::vector<v1::Event>> events =
        events_->ReadEvents(0, kMaxEventPage);
    EXPECT_THAT(events, IsOk());
    return events.ok() ? *events : std::vector<v1::Event>();
  }

  int64_t Count(const std::string& table) {
    absl::MutexLock lock(&store_->database().mutex());
    absl::StatusOr<Statement> count =
        store_->database().Prepare("SELECT COUNT(*) FROM " + table);
    EXPECT_THAT(count, IsOk());
    if (!count.ok()) return -1;
    absl::StatusOr<bool> row = count->Step();
    return row.ok() && *row ? count->ColumnInt64(0) : -1;
  }

  std::vector<int64_t> Notified() {
    absl::MutexLock lock(&mu_);
    return notified_;
  }

  std::string path_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EventStore> events_;
  absl::Mutex mu_;
  std::vector<int64_t> notified_ ABSL_GUARDED_BY(mu_);
};

TEST_F(EventStoreTest, AppliesWherebyCountAndAppendsTheEvent) {
  const WebhookResult result =
      Apply(Whereby("e1", v1::EVENT_TYPE_PARTICIPANT_JOINED, 2, 100));
  EXPECT_EQ(result.outcome, v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(result.detail, "");
  ASSERT_TRUE(result.event.has_value());
  EXPECT_EQ(result.event->sequence(), 1);
  EXPECT_EQ(result.event->meeting_id(), "m-wb");
  EXPECT_EQ(result.event->num_clients(), 2);
  EXPECT_EQ(result.event->provider_event_id(), "e1");
  EXPECT_EQ(Meeting("m-wb").num_clients, 2);
  ASSERT_THAT(AllEvents(), SizeIs(1));
  EXPECT_EQ(AllEvents()[0].SerializeAsString(),
            result.event->SerializeAsString());
  EXPECT_THAT(Notified(), ElementsAre(1));

  absl::StatusOr<std::optional<WebhookRecord>> stored =
      events_->GetWebhook("whereby", "e1");
  ASSERT_THAT(stored, IsOk());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->outcome, v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ((*stored)->meeting_id, "m-wb");
  EXPECT_EQ((*stored)->event_sequence, 1);
  EXPECT_EQ((*stored)->body, "{\"id\":\"e1\"}");
  EXPECT_EQ((*stored)->provider_event_type, "room.client.joined");
  EXPECT_EQ((*stored)->received_time, kNow);
}

TEST_F(EventStoreTest, DuplicateReturnsTheFirstEventAndChangesNothing) {
  const WebhookResult first =
      Apply(Whereby("e1", v1::EVENT_TYPE_PARTICIPANT_JOINED, 2, 100));
  // Same id, different content: still the same event.
  const WebhookResult again =
      Apply(Whereby("e1", v1::EVENT_TYPE_PARTICIPANT_JOINED, 5, 200));
  EXPECT_EQ(again.outcome, v1::WEBHOOK_OUTCOME_DUPLICATE);
  ASSERT_TRUE(again.event.has_value());
  EXPECT_EQ(again.event->SerializeAsString(), first.event->SerializeAsString());
  EXPECT_EQ(Meeting("m-wb").num_clients, 2);
  EXPECT_THAT(AllEvents(), SizeIs(1));
  EXPECT_EQ(Count("webhooks"), 1);
  EXPECT_THAT(Notified(), ElementsAre(1));
  // The same id from another platform is another event.
  WebhookInput daily = Daily("e1", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s", 1);
  EXPECT_EQ(Apply(daily).outcome, v1::WEBHOOK_OUTCOME_APPLIED);
}

TEST_F(EventStoreTest, OlderWherebyCountIsLoggedButNotApplied) {
  Apply(Whereby("e2", v1::EVENT_TYPE_PARTICIPANT_JOINED, 3, 200));
  const WebhookResult older =
      Apply(Whereby("e1", v1::EVENT_TYPE_PARTICIPANT_JOINED, 1, 100));
  EXPECT_EQ(older.outcome, v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_THAT(older.detail, HasSubstr("stale"));
  ASSERT_TRUE(older.event.has_value());
  EXPECT_EQ(older.event->num_clients(), 3);
  EXPECT_EQ(Meeting("m-wb").num_clients, 3);
  // Equal times: the later delivery wins.
  Apply(Whereby("e3", v1::EVENT_TYPE_PARTICIPANT_LEFT, 2, 200));
  EXPECT_EQ(Meeting("m-wb").num_clients, 2);
  Apply(Whereby("e4", v1::EVENT_TYPE_PARTICIPANT_LEFT, 0, 300));
  EXPECT_EQ(Meeting("m-wb").num_clients, 0);
  EXPECT_THAT(AllEvents(), SizeIs(4));
}

TEST_F(EventStoreTest, NegativeWherebyCountIsClampedToZero) {
  Apply(Whereby("e1", v1::EVENT_TYPE_PARTICIPANT_LEFT, -4, 100));
  EXPECT_EQ(Meeting("m-wb").num_clients, 0);
}

TEST_F(EventStoreTest, DailyPresenceIgnoresRepeatsAndOutOfOrderEvents) {
  // Two joins of one session (distinct event ids): counted once.
  Apply(Daily("j-a", v1::EVENT_TYPE_PARTICIPANT_JOINED, "a", 100));
  Apply(Daily("j-a2", v1::EVENT_TYPE_PARTICIPANT_JOINED, "a", 100));
  EXPECT_EQ(Meeting("m-daily").num_clients, 1);
  // B's leave arrives before its join: B is never counted.
  Apply(Daily("l-b", v1::EVENT_TYPE_PARTICIPANT_LEFT, "b", 150));
  const WebhookResult late_join =
      Apply(Daily("j-b", v1::EVENT_TYPE_PARTICIPANT_JOINED, "b", 110));
  EXPECT_EQ(late_join.outcome, v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_THAT(late_join.detail, HasSubstr("stale"));
  EXPECT_EQ(late_join.event->num_clients(), 1);
  EXPECT_EQ(Meeting("m-daily").num_clients, 1);
  // A leaves twice; a stranger leaves: never below zero.
  Apply(Daily("l-a", v1::EVENT_TYPE_PARTICIPANT_LEFT, "a", 200));
  Apply(Daily("l-a2", v1::EVENT_TYPE_PARTICIPANT_LEFT, "a", 201));
  Apply(Daily("l-x", v1::EVENT_TYPE_PARTICIPANT_LEFT, "x", 202));
  EXPECT_EQ(Meeting("m-daily").num_clients, 0);
  // A join and a leave with the same time: the leave wins in either order.
  Apply(Daily("j-c", v1::EVENT_TYPE_PARTICIPANT_JOINED, "c", 300));
  Apply(Daily("l-c", v1::EVENT_TYPE_PARTICIPANT_LEFT, "c", 300));
  Apply(Daily("l-d", v1::EVENT_TYPE_PARTICIPANT_LEFT, "d", 300));
  Apply(Daily("j-d", v1::EVENT_TYPE_PARTICIPANT_JOINED, "d", 300));
  EXPECT_EQ(Meeting("m-daily").num_clients, 0);
  // A session id seen again later (a rejoin) counts again.
  Apply(Daily("j-a3", v1::EVENT_TYPE_PARTICIPANT_JOINED, "a", 400));
  EXPECT_EQ(Meeting("m-daily").num_clients, 1);
  EXPECT_EQ(Meeting("m-wb").num_clients, 0);  // Other meetings untouched.
}

TEST_F(EventStoreTest, MeetingStartAndEndSetActiveState) {
  Apply(Daily("j-a", v1::EVENT_TYPE_PARTICIPANT_JOINED, "a", 100));
  Apply(Daily("j-b", v1::EVENT_TYPE_PARTICIPANT_JOINED, "b", 101));
  const WebhookResult ended =
      Apply(Daily("end", v1::EVENT_TYPE_MEETING_ENDED, "", 200));
  EXPECT_EQ(ended.outcome, v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(ended.event->num_clients(), 0);
  MeetingRecord meeting = Meeting("m-daily");
  EXPECT_FALSE(meeting.is_active);
  EXPECT_EQ(meeting.num_clients, 0);
  // A start from before the end, delivered late, does not reactivate.
  const WebhookResult stale =
      Apply(Daily("start", v1::EVENT_TYPE_MEETING_STARTED, "", 50));
  EXPECT_THAT(stale.detail, HasSubstr("stale"));
  EXPECT_FALSE(Meeting("m-daily").is_active);
  // Neither does a join from before the end, nor the leave of A.
  Apply(Daily("j-c", v1::EVENT_TYPE_PARTICIPANT_JOINED, "c", 150));
  Apply(Daily("l-a", v1::EVENT_TYPE_PARTICIPANT_LEFT, "a", 190));
  EXPECT_EQ(Meeting("m-daily").num_clients, 0);
  // A new session.
  Apply(Daily("start2", v1::EVENT_TYPE_MEETING_STARTED, "", 300));
  Apply(Daily("j-d", v1::EVENT_TYPE_PARTICIPANT_JOINED, "d", 301));
  meeting = Meeting("m-daily");
  EXPECT_TRUE(meeting.is_active);
  EXPECT_EQ(meeting.num_clients, 1);
}

TEST_F(EventStoreTest, WherebySessionEndVoidsOlderCounts) {
  Apply(Whereby("s", v1::EVENT_TYPE_MEETING_STARTED, 0, 100));
  Apply(Whereby("j", v1::EVENT_TYPE_PARTICIPANT_JOINED, 2, 110));
  Apply(Whereby("end", v1::EVENT_TYPE_MEETING_ENDED, 0, 200));
  EXPECT_FALSE(Meeting("m-wb").is_active);
  EXPECT_EQ(Meeting("m-wb").num_clients, 0);
  Apply(Whereby("late", v1::EVENT_TYPE_PARTICIPANT_JOINED, 1, 150));
  EXPECT_EQ(Meeting("m-wb").num_clients, 0);
  Apply(Whereby("s2", v1::EVENT_TYPE_MEETING_STARTED, 0, 300));
  Apply(Whereby("j2", v1::EVENT_TYPE_PARTICIPANT_JOINED, 1, 301));
  EXPECT_TRUE(Meeting("m-wb").is_active);
  EXPECT_EQ(Meeting("m-wb").num_clients, 1);
}

TEST_F(EventStoreTest, UnknownRoomsAndUninterestingEventsAreIgnored) {
  WebhookInput unknown =
      Daily("u1", v1::EVENT_TYPE_PARTICIPANT_JOINED, "a", 100, "other-room");
  WebhookResult result = Apply(unknown);
  EXPECT_EQ(result.outcome, v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_FALSE(result.event.has_value());
  EXPECT_THAT(result.detail, HasSubstr("other-room"));

  // A Whereby id on another platform's meeting matches nothing.
  WebhookInput wrong_platform =
      Whereby("u2", v1::EVENT_TYPE_PARTICIPANT_JOINED, 4, 100, "daily-id");
  EXPECT_EQ(Apply(wrong_platform).outcome, v1::WEBHOOK_OUTCOME_IGNORED);

  WebhookInput knocked;
  knocked.platform = "whereby";
  knocked.raw_body = "{}";
  knocked.event.set_provider_event_id("u3");
  knocked.event.set_provider_event_type("room.client.knocked");
  knocked.ignore_reason = "type room.client.knocked is not modelled";
  result = Apply(knocked);
  EXPECT_EQ(result.outcome, v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_EQ(result.detail, knocked.ignore_reason);

  // Bodies without an id (Daily's test ping) are stored each time.
  WebhookInput ping;
  ping.platform = "daily";
  ping.raw_body = "{\"test\":\"test\"}";
  ping.ignore_reason = "test ping";
  EXPECT_EQ(Apply(ping).outcome, v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_EQ(Apply(ping).outcome, v1::WEBHOOK_OUTCOME_IGNORED);

  // A repeated ignored webhook is a duplicate without an event.
  result = Apply(unknown);
  EXPECT_EQ(result.outcome, v1::WEBHOOK_OUTCOME_DUPLICATE);
  EXPECT_FALSE(result.event.has_value());
  EXPECT_THAT(result.detail, HasSubstr("ignored"));

  EXPECT_THAT(AllEvents(), IsEmpty());
  EXPECT_THAT(Notified(), IsEmpty());
  EXPECT_EQ(Count("webhooks"), 5);
  EXPECT_EQ(Count("participant_presence"), 0);
  EXPECT_EQ(Meeting("m-daily").num_clients, 0);
  absl::StatusOr<std::optional<WebhookRecord>> stored =
      events_->GetWebhook("daily", "u1");
  ASSERT_THAT(stored, IsOk());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->outcome, v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_EQ((*stored)->event_sequence, 0);
  EXPECT_EQ((*stored)->meeting_id, "");
}

TEST_F(EventStoreTest, RecordingEventsAreLoggedWithoutMeetingChanges) {
  WebhookInput ready = Daily("r1", v1::EVENT_TYPE_RECORDING_READY, "", 100);
  ready.event.clear_participant();
  ready.event.mutable_recording()->set_s3_key("bucket/key");
  ready.event.mutable_recording()->set_kind(v1::RECORDING_KIND_RAW_TRACKS);
  const WebhookResult result = Apply(ready);
  EXPECT_EQ(result.outcome, v1::WEBHOOK_OUTCOME_APPLIED);
  ASSERT_TRUE(result.event.has_value());
  EXPECT_EQ(result.event->recording().s3_key(), "bucket/key");
  EXPECT_EQ(result.event->meeting_id(), "m-daily");
  EXPECT_TRUE(Meeting("m-daily").is_active);
}

TEST_F(EventStoreTest, RejectsBadInputWithoutStoring) {
  WebhookInput no_platform =
      Whereby("e1", v1::EVENT_TYPE_PARTICIPANT_JOINED, 1, 1);
  no_platform.platform = "";
  EXPECT_THAT(
      events_->ApplyWebhook(no_platform, kNow),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("platform")));
  WebhookInput no_participant =
      Daily("e2", v1::EVENT_TYPE_PARTICIPANT_JOINED, "", 1);
  EXPECT_THAT(events_->ApplyWebhook(no_participant, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("participant_id")));
  WebhookInput bad_type =
      Daily("e3", v1::EVENT_TYPE_PARTICIPANT_JOINED, "a", 1);
  bad_type.event.set_type(static_cast<v1::EventType>(99));
  EXPECT_THAT(events_->ApplyWebhook(bad_type, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_EQ(Count("webhooks"), 0);
  EXPECT_EQ(Count("events"), 0);
}

TEST_F(EventStoreTest, AppendReadAndResume) {
  v1::Event ingested;
  ingested.set_type(v1::EVENT_TYPE_RECORDING_INGESTED);
  ingested.set_platform("daily");
  ingested.set_meeting_id("m-daily");
  ingested.mutable_recording()->set_recording_id("rec-1");
  ingested.set_sequence(77);  // Ignored.
  absl::StatusOr<v1::Event> appended = events_->AppendEvent(ingested, kNow);
  ASSERT_THAT(appended, IsOk());
  EXPECT_EQ(appended->sequence(), 1);
  EXPECT_EQ(appended->recording().recording_id(), "rec-1");
  for (int i = 0; i < 9; ++i) {
    Apply(Daily(absl::StrCat("j", i), v1::EVENT_TYPE_PARTICIPANT_JOINED,
                absl::StrCat("s", i), 100 + i));
  }
  EXPECT_THAT(events_->LastSequence(), IsOkAndHolds(10));
  // Pages of 4: 1-4, 5-8, 9-10, then nothing.
  std::vector<int64_t> seen;
  int64_t after = 0;
  while (true) {
    absl::StatusOr<std::vector<v1::Event>> page = events_->ReadEvents(after, 4);
    ASSERT_THAT(page, IsOk());
    if (page->empty()) break;
    EXPECT_LE(page->size(), 4u);
    for (const v1::Event& event : *page) seen.push_back(event.sequence());
    after = page->back().sequence();
  }
  EXPECT_THAT(seen, ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_EQ(Notified().size(), 10u);

  v1::Event unspecified;
  EXPECT_THAT(events_->AppendEvent(unspecified, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_THAT(events_->ReadEvents(-1, 10),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_THAT(events_->ReadEvents(0, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_THAT(events_->ReadEvents(0, kMaxEventPage + 1),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST_F(EventStoreTest, FindMeetingIdUsesProviderIdThenRoomName) {
  EXPECT_THAT(events_->FindMeetingId("whereby", "wb-1", ""),
              IsOkAndHolds(std::optional<std::string>("m-wb")));
  EXPECT_THAT(events_->FindMeetingId("daily", "", "daily-room"),
              IsOkAndHolds(std::optional<std::string>("m-daily")));
  EXPECT_THAT(events_->FindMeetingId("daily", "", "/whereby-room"),
              IsOkAndHolds(std::nullopt));
  EXPECT_THAT(events_->FindMeetingId("daily", "", ""),
              IsOkAndHolds(std::nullopt));
}

TEST_F(EventStoreTest, LogSurvivesReopenAndSequencesAreNeverReused) {
  Apply(Whereby("e1", v1::EVENT_TYPE_PARTICIPANT_JOINED, 1, 100));
  Apply(Whereby("e2", v1::EVENT_TYPE_PARTICIPANT_JOINED, 2, 101));
  Open();
  EXPECT_THAT(AllEvents(), SizeIs(2));
  EXPECT_EQ(Meeting("m-wb").num_clients, 2);
  EXPECT_EQ(
      Apply(Whereby("e2", v1::EVENT_TYPE_PARTICIPANT_JOINED, 2, 101)).outcome,
      v1::WEBHOOK_OUTCOME_DUPLICATE);
  {
    absl::MutexLock lock(&store_->database().mutex());
    ASSERT_THAT(
        store_->database().Exec("UPDATE webhooks SET event_sequence = NULL; "
                                "DELETE FROM events WHERE sequence = 2"),
        IsOk());
  }
  const WebhookResult next =
      Apply(Whereby("e3", v1::EVENT_TYPE_PARTICIPANT_LEFT, 1, 102));
  EXPECT_EQ(next.event->sequence(), 3);
}

// Many threads deliver many distinct events, each twice: every event is
// applied exactly once and nothing is lost.
TEST_F(EventStoreTest, ConcurrentDeliveriesLoseNoneAndApplyNoneTwice) {
  constexpr int kThreads = 4;
  constexpr int kSessions = 40;
  std::atomic<int> applied{0};
  std::atomic<int> duplicates{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Thread pairs deliver the same events; each event comes twice.
      const int half = t % 2;
      for (int i = half; i < kSessions; i += 2) {
        const std::string session = absl::StrCat("s", i);
        for (const bool join : {true, false}) {
          // Leaves only for the first half of sessions.
          if (!join && i >= kSessions / 2) continue;
          WebhookInput input = Daily(absl::StrCat(join ? "j" : "l", i),
                                     join ? v1::EVENT_TYPE_PARTICIPANT_JOINED
                                          : v1::EVENT_TYPE_PARTICIPANT_LEFT,
                                     session, join ? 100 + i : 1000 + i);
          absl::StatusOr<WebhookResult> result =
              events_->ApplyWebhook(input, kNow);
          if (!result.ok()) {
            ++errors;
          } else if (result->outcome == v1::WEBHOOK_OUTCOME_APPLIED) {
            ++applied;
          } else if (result->outcome == v1::WEBHOOK_OUTCOME_DUPLICATE) {
            ++duplicates;
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const int distinct = kSessions + kSessions / 2;
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(applied.load(), distinct);
  EXPECT_EQ(duplicates.load(), distinct);
  EXPECT_EQ(Meeting("m-daily").num_clients, kSessions / 2);
  const std::vector<v1::Event> events = AllEvents();
  ASSERT_THAT(events, SizeIs(distinct));
  std::map<std::string, int> ids;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence(), static_cast<int64_t>(i) + 1);
    ++ids[events[i].provider_event_id()];
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(distinct));
  EXPECT_EQ(Count("webhooks"), distinct);
  EXPECT_EQ(Notified().size(), static_cast<size_t>(distinct));
}

// Applies `inputs` concurrently as ONE batch of the group committer: while
// the test holds the connection's mutex, a first webhook occupies the
// writer and these queue behind it, in order.
std::vector<absl::StatusOr<WebhookResult>> ApplyAsOneBatch(
    EventStore& events, Database& db, const WebhookInput& blocker,
    const std::vector<WebhookInput>& inputs) {
  constexpr absl::Duration kPatience = absl::Seconds(20);
  std::vector<absl::StatusOr<WebhookResult>> results(
      inputs.size(), absl::UnknownError("not run"));
  GroupCommitter& committer = events.committer();
  const int64_t taken = committer.stats().taken;
  db.mutex().Lock();
  std::thread first([&] { (void)events.ApplyWebhook(blocker, kNow); });
  EXPECT_TRUE(committer.AwaitForTesting(0, taken + 1, kPatience));
  std::vector<std::thread> callers;
  for (size_t i = 0; i < inputs.size(); ++i) {
    callers.emplace_back(
        [&, i] { results[i] = events.ApplyWebhook(inputs[i], kNow); });
    EXPECT_TRUE(committer.AwaitForTesting(static_cast<int>(i) + 1, taken + 1,
                                          kPatience));
  }
  db.mutex().Unlock();
  first.join();
  for (std::thread& caller : callers) caller.join();
  return results;
}

TEST_F(EventStoreTest, TwoCopiesOfAnEventInOneBatchApplyOnce) {
  const GroupCommitter::Stats before = events_->committer().stats();
  const WebhookInput join =
      Daily("j1", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s1", 100);
  const std::vector<absl::StatusOr<WebhookResult>> results = ApplyAsOneBatch(
      *events_, store_->database(),
      Daily("j0", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s0", 100),
      {join, join, Daily("j2", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s2", 100)});
  ASSERT_THAT(results[0], IsOk());
  ASSERT_THAT(results[1], IsOk());
  ASSERT_THAT(results[2], IsOk());
  EXPECT_EQ(results[0]->outcome, v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(results[1]->outcome, v1::WEBHOOK_OUTCOME_DUPLICATE);
  EXPECT_EQ(results[2]->outcome, v1::WEBHOOK_OUTCOME_APPLIED);
  // The duplicate answers with the event its first copy appended.
  ASSERT_TRUE(results[1]->event.has_value());
  EXPECT_EQ(results[1]->event->sequence(), results[0]->event->sequence());
  const GroupCommitter::Stats after = events_->committer().stats();
  EXPECT_EQ(after.batches - before.batches, 2);  // j0, then the three.
  EXPECT_EQ(after.largest_batch, 3);
  EXPECT_EQ(Meeting("m-daily").num_clients, 3);
  EXPECT_THAT(AllEvents(), SizeIs(3));
  EXPECT_EQ(Count("webhooks"), 3);
  // Listeners hear of each applied event once, after the commit.
  EXPECT_THAT(Notified(), SizeIs(3));
}

TEST_F(EventStoreTest, AFailedWebhookInABatchFailsAloneWithItsOwnError) {
  WebhookInput bad = Daily("bad", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s9", 100);
  bad.raw_body = "poison";
  // Fails that one webhook's INSERT, whatever batch it is in.
  {
    absl::MutexLock lock(&store_->database().mutex());
    ASSERT_THAT(store_->database().Exec(
                    "CREATE TRIGGER poison BEFORE INSERT ON webhooks "
                    "WHEN NEW.body = CAST('poison' AS BLOB) BEGIN "
                    "SELECT RAISE(ABORT, 'poisoned webhook'); END"),
                IsOk());
  }
  const std::vector<absl::StatusOr<WebhookResult>> results = ApplyAsOneBatch(
      *events_, store_->database(),
      Daily("j0", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s0", 100),
      {Daily("j1", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s1", 100), bad,
       Daily("j2", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s2", 100)});
  ASSERT_THAT(results[0], IsOk());
  EXPECT_THAT(results[1], StatusIs(absl::StatusCode::kInternal,
                                   HasSubstr("poisoned webhook")));
  ASSERT_THAT(results[2], IsOk());
  // Its presence change and event were rolled back with it.
  EXPECT_EQ(Meeting("m-daily").num_clients, 3);
  EXPECT_THAT(AllEvents(), SizeIs(3));
  EXPECT_EQ(Count("webhooks"), 3);
  absl::StatusOr<std::optional<WebhookRecord>> stored =
      events_->GetWebhook("daily", "bad");
  ASSERT_THAT(stored, IsOk());
  EXPECT_FALSE(stored->has_value());
}

TEST_F(EventStoreTest, AFailedCommitAcknowledgesNoWebhookOfTheBatch) {
  // A deferred foreign key is checked at COMMIT only: a webhook "doom"
  // makes the commit of its whole batch fail.
  {
    absl::MutexLock lock(&store_->database().mutex());
    ASSERT_THAT(store_->database().Exec(
                    "CREATE TABLE doom_parent (id INTEGER PRIMARY KEY);"
                    "CREATE TABLE doom_child (parent_id INTEGER REFERENCES "
                    "doom_parent (id) DEFERRABLE INITIALLY DEFERRED);"
                    "CREATE TRIGGER doom AFTER INSERT ON webhooks "
                    "WHEN NEW.provider_event_id = 'doom' BEGIN "
                    "INSERT INTO doom_child (parent_id) VALUES (42); END"),
                IsOk());
  }
  const std::vector<absl::StatusOr<WebhookResult>> results = ApplyAsOneBatch(
      *events_, store_->database(),
      Daily("j0", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s0", 100),
      {Daily("j1", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s1", 100),
       Daily("doom", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s2", 100),
       Daily("j3", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s3", 100)});
  for (const auto& result : results) {
    EXPECT_THAT(result, StatusIs(absl::StatusCode::kInternal,
                                 HasSubstr("commit failed")));
  }
  // Only the blocker's batch committed; nobody else was told OK or notified.
  EXPECT_EQ(Meeting("m-daily").num_clients, 1);
  EXPECT_THAT(AllEvents(), SizeIs(1));
  EXPECT_EQ(Count("webhooks"), 1);
  EXPECT_THAT(Notified(), SizeIs(1));
  // The next delivery of the same events is applied normally.
  EXPECT_EQ(
      Apply(Daily("j1", v1::EVENT_TYPE_PARTICIPANT_JOINED, "s1", 100)).outcome,
      v1::WEBHOOK_OUTCOME_APPLIED);
}

}  // namespace
}  // namespace videoplatform::storage
