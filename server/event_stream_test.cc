#include "server/event_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "storage/event_store.h"
#include "storage/store.h"
#include "storage/test_util.h"

namespace videoplatform::server {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

// Generous: only reached when something is broken.
constexpr absl::Duration kPatience = absl::Seconds(20);

// Collects what a watcher receives; tests wait on it.
class Received {
 public:
  bool Add(const v1::WatchEventsResponse& response) {
    absl::MutexLock lock(&mu_);
    sequences_.push_back(response.event().sequence());
    return true;
  }
  // Waits until `n` events arrived; returns them.
  std::vector<int64_t> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return sequences_.size() >= n;
    };
    mu_.AwaitWithTimeout(absl::Condition(&enough), kPatience);
    return sequences_;
  }
  std::vector<int64_t> Get() {
    absl::MutexLock lock(&mu_);
    return sequences_;
  }

 private:
  absl::Mutex mu_;
  std::vector<int64_t> sequences_ ABSL_GUARDED_BY(mu_);
};

std::vector<int64_t> Range(int64_t first, int64_t last) {
  std::vector<int64_t> out;
  for (int64_t i = first; i <= last; ++i) out.push_back(i);
  return out;
}

class EventStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::Store::Open(storage::testing::TempDbPath());
    ASSERT_THAT(store, IsOk());
    store_ = *std::move(store);
    events_ = std::make_unique<storage::EventStore>(
        store_->database(),
        [this](int64_t sequence) { notifier_.Notify(sequence); });
    EventStreamOptions options;
    options.batch_size = 3;
    // Long, so that the tests show watchers are woken by notifications.
    options.cancel_check_interval = absl::Seconds(30);
    stream_ = std::make_unique<EventStream>(*events_, notifier_, options);
  }

  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      v1::Event event;
      event.set_type(v1::EVENT_TYPE_RECORDING_INGESTED);
      event.set_platform("mock");
      ASSERT_THAT(events_->AppendEvent(event, absl::Now()), IsOk());
    }
  }

  // Runs a watcher on its own thread until `stop` is notified or it ends.
  struct Watcher {
    Received received;
    absl::Notification stop;
    absl::Status status;
    std::thread thread;
  };
  std::unique_ptr<Watcher> StartWatcher(int64_t after) {
    auto watcher = std::make_unique<Watcher>();
    Watcher* w = watcher.get();
    watcher->thread = std::thread([this, w, after] {
      v1::WatchEventsRequest request;
      request.set_after_sequence(after);
      w->status = stream_->Watch(
          request,
          [w](const v1::WatchEventsResponse& r) { return w->received.Add(r); },
          [w] { return w->stop.HasBeenNotified(); });
    });
    return watcher;
  }

  EventNotifier notifier_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::EventStore> events_;
  std::unique_ptr<EventStream> stream_;
};

TEST(EventNotifierTest, WakesOnNewerSequencesShutdownOrDeadline) {
  EventNotifier notifier;
  EXPECT_EQ(notifier.WaitForNewerThan(0, absl::Now()),
            EventNotifier::Wake::kTimeout);
  notifier.Notify(5);
  notifier.Notify(3);  // Out of order: the newest stays.
  EXPECT_EQ(notifier.last_notified(), 5);
  EXPECT_EQ(notifier.WaitForNewerThan(4, absl::InfiniteFuture()),
            EventNotifier::Wake::kNewEvents);
  EXPECT_EQ(notifier.WaitForNewerThan(5, absl::Now()),
            EventNotifier::Wake::kTimeout);

  EventNotifier::Wake woke = EventNotifier::Wake::kTimeout;
  std::thread waiter(
      [&] { woke = notifier.WaitForNewerThan(5, absl::InfiniteFuture()); });
  notifier.Notify(6);
  waiter.join();
  EXPECT_EQ(woke, EventNotifier::Wake::kNewEvents);

  std::thread stopped(
      [&] { woke = notifier.WaitForNewerThan(100, absl::InfiniteFuture()); });
  notifier.Shutdown();
  stopped.join();
  EXPECT_EQ(woke, EventNotifier::Wake::kShutdown);
  EXPECT_TRUE(notifier.is_shut_down());
}

TEST_F(EventStreamTest, SendsStoredEventsThenLiveOnesInOrder) {
  Append(7);
  std::unique_ptr<Watcher> watcher = StartWatcher(2);
  EXPECT_EQ(watcher->received.WaitFor(5), Range(3, 7));
  Append(4);
  EXPECT_EQ(watcher->received.WaitFor(9), Range(3, 11));
  watcher->stop.Notify();
  notifier_.Notify(0);   // Not newer: the watcher keeps waiting.
  notifier_.Shutdown();  // Ends the wait now; cancellation came first.
  watcher->thread.join();
  EXPECT_THAT(watcher->status, StatusIs(absl::StatusCode::kCancelled, _));
}

TEST_F(EventStreamTest, ResumingFromTheLastSequenceMissesNothing) {
  Append(5);
  std::unique_ptr<Watcher> first = StartWatcher(0);
  const std::vector<int64_t> seen = first->received.WaitFor(5);
  first->stop.Notify();
  Append(1);  // Wakes it so it sees the cancellation.
  first->thread.join();
  Append(3);
  const int64_t last = first->received.Get().back();
  std::unique_ptr<Watcher> second = StartWatcher(last);
  std::vector<int64_t> all = first->received.Get();
  const std::vector<int64_t> rest = second->received.WaitFor(9 - all.size());
  all.insert(all.end(), rest.begin(), rest.end());
  EXPECT_EQ(all, Range(1, 9));
  notifier_.Shutdown();
  second->thread.join();
  EXPECT_THAT(second->status, StatusIs(absl::StatusCode::kUnavailable,
                                       HasSubstr("after_sequence = 9")));
}

TEST_F(EventStreamTest, SeveralWatchersEachGetEverything) {
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (int i = 0; i < 4; ++i) watchers.push_back(StartWatcher(0));
  std::vector<std::thread> writers;
  for (int i = 0; i < 3; ++i) writers.emplace_back([this] { Append(10); });
  for (std::thread& writer : writers) writer.join();
  for (auto& watcher : watchers) {
    EXPECT_EQ(watcher->received.WaitFor(30), Range(1, 30));
  }
  notifier_.Shutdown();
  for (auto& watcher : watchers) {
    watcher->thread.join();
    EXPECT_THAT(watcher->status, StatusIs(absl::StatusCode::kUnavailable, _));
  }
}

TEST_F(EventStreamTest, ASlowWatcherDoesNotBlockWriters) {
  absl::Notification release;
  std::atomic<int> written{0};
  absl::Status status;
  std::thread slow([&] {
    v1::WatchEventsRequest request;
    status = stream_->Watch(
        request,
        [&](const v1::WatchEventsResponse&) {
          ++written;
          // Stuck on its first event, like a client that stopped reading.
          release.WaitForNotificationWithTimeout(kPatience);
          return true;
        },
        [] { return false; });
  });
  Append(1);
  // While the watcher is stuck, 50 more events commit.
  Append(50);
  EXPECT_THAT(events_->LastSequence(),
              ::testing::Property(&absl::StatusOr<int64_t>::value, 51));
  EXPECT_LE(written.load(), 1);
  release.Notify();
  notifier_.Shutdown();
  slow.join();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, _));
}

TEST_F(EventStreamTest, RejectsANegativeSequenceAndStopsWhenTheClientGoes) {
  v1::WatchEventsRequest request;
  request.set_after_sequence(-1);
  EXPECT_THAT(stream_->Watch(
                  request, [](const v1::WatchEventsResponse&) { return true; },
                  [] { return false; }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("after_sequence: ")));
  Append(2);
  request.set_after_sequence(0);
  int calls = 0;
  EXPECT_THAT(stream_->Watch(
                  request,
                  [&](const v1::WatchEventsResponse&) {
                    ++calls;
                    return false;
                  },
                  [] { return false; }),
              StatusIs(absl::StatusCode::kCancelled, _));
  EXPECT_EQ(calls, 1);
}

TEST_F(EventStreamTest, IdleWatchersReadNothingUntilACommitIsNotified) {
  EventStreamOptions options;
  options.batch_size = 10;
  options.cancel_check_interval = absl::Milliseconds(2);
  EventStream stream(*events_, notifier_, options);
  storage::EventStore silent(store_->database());  // Notifies nobody.
  Append(2);
  Received received;
  absl::Notification stop;
  absl::Status status;
  std::thread watcher([&] {
    status = stream.Watch(
        v1::WatchEventsRequest(),
        [&](const v1::WatchEventsResponse& r) { return received.Add(r); },
        [&] { return stop.HasBeenNotified(); });
  });
  EXPECT_EQ(received.WaitFor(2), Range(1, 2));
  const int64_t reads = stream.store_reads();
  EXPECT_EQ(reads, 1);  // The catch-up read.
  // Idle for ~50 cancellation checks, and an event of a writer that does
  // not notify: no read, so it is not seen yet.
  v1::Event event;
  event.set_type(v1::EVENT_TYPE_RECORDING_INGEST_FAILED);
  ASSERT_THAT(silent.AppendEvent(event, absl::Now()), IsOk());
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(stream.store_reads(), reads);
  EXPECT_EQ(received.Get(), Range(1, 2));
  // A notified commit wakes it; one read brings both.
  Append(1);
  EXPECT_EQ(received.WaitFor(4), Range(1, 4));
  EXPECT_EQ(stream.store_reads(), reads + 1);
  // Cancellation is still noticed while idle.
  stop.Notify();
  watcher.join();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kCancelled, _));
}

}  // namespace
}  // namespace videoplatform::server
