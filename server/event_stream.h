// WatchEvents: streams the durable event log (storage::EventStore) to any
// number of watchers, first what is already stored, then new events as they
// commit.
//
// Writers (webhook intake, recording ingestion) only call
// EventNotifier::Notify after their commit, which records a number and
// wakes waiters; they never wait for a watcher. A watcher reads the store
// when it starts and then only after a commit was notified (never on a
// timer), at its own pace and in batches on the read pool, so idle
// watchers cost no database work and a slow watcher slows nobody but
// itself.
#ifndef VIDEOPLATFORM_SERVER_EVENT_STREAM_H_
#define VIDEOPLATFORM_SERVER_EVENT_STREAM_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/event_store.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::server {

// Wakes watchers when events commit. Thread-safe.
class EventNotifier {
 public:
  enum class Wake { kNewEvents, kTimeout, kShutdown };

  // Records that `sequence` committed (calls may arrive out of order) and
  // wakes every waiter. Never blocks beyond a short mutex.
  void Notify(int64_t sequence);

  // Waits until an event above `sequence` has been notified, Shutdown()
  // was called, or `deadline` passes; says which came first (shutdown
  // wins).
  Wake WaitForNewerThan(int64_t sequence, absl::Time deadline);

  // Wakes every waiter for good: later waits return kShutdown at once.
  void Shutdown();
  bool is_shut_down() const;

  // The largest sequence notified so far (0 before the first).
  int64_t last_notified() const;

 private:
  mutable absl::Mutex mu_;
  int64_t last_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

// The event log of one server process: the store over the shared
// connection and the notifier its commits feed. Give store() to every
// writer of events (webhooks, recording ingestion): watchers wake only when
// a commit is notified, so an event appended elsewhere (another store or
// process on the file) reaches watchers with the next notified commit.
// Thread-safe.
class EventLog {
 public:
  // `db` must be migrated (Store::Open) and outlive this object.
  explicit EventLog(storage::Database& db)
      : store_(db, [this](int64_t sequence) { notifier_.Notify(sequence); }) {}

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  storage::EventStore& store() { return store_; }
  EventNotifier& notifier() { return notifier_; }

 private:
  EventNotifier notifier_;  // Before store_, whose listener uses it.
  storage::EventStore store_;
};

struct EventStreamOptions {
  // Events read from the store per query (1..storage::kMaxEventPage).
  int batch_size = 100;
  // How often a waiting watcher checks whether its client cancelled. It
  // reads nothing then: it reads the store only after a notified commit.
  absl::Duration cancel_check_interval = absl::Milliseconds(200);
};

// The WatchEvents logic, independent of gRPC. Thread-safe: one instance
// serves every watcher.
class EventStream {
 public:
  // Both must outlive this object.
  EventStream(storage::EventStore& events, EventNotifier& notifier,
              EventStreamOptions options = {});

  // Sends every event after request.after_sequence through `write`, in
  // sequence order and in batches, then waits for new ones, until:
  // - `write` returns false (the client went away) or `cancelled` returns
  //   true: CANCELLED;
  // - the notifier shuts down: UNAVAILABLE, naming the last sequence sent
  //   so the client can resume after a restart;
  // - the store fails: its error.
  // INVALID_ARGUMENT "after_sequence: ..." for a negative sequence.
  absl::Status Watch(
      const v1::WatchEventsRequest& request,
      const std::function<bool(const v1::WatchEventsResponse&)>& write,
      const std::function<bool()>& cancelled);

  // Store reads made by all watchers so far (for tests and metrics).
  int64_t store_reads() const { return store_reads_.load(); }

 private:
  storage::EventStore& events_;
  EventNotifier& notifier_;
  const EventStreamOptions options_;
  std::atomic<int64_t> store_reads_{0};
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_EVENT_STREAM_H_
