// Group commit: many threads' units of write work share one transaction and
// one fsync.
//
// Callers hand a unit (a function over the connection) to Run() and block.
// One writer thread takes every pending unit (up to a batch limit), and with
// the connection's mutex held runs them in ONE transaction (BEGIN
// IMMEDIATE), each under its own SAVEPOINT: a unit that fails rolls back
// only its own changes and gets its own error. Then it commits once (with
// synchronous=FULL that is one fsync for the whole batch) and releases
// every caller with its own result.
//
// Promises:
// - Run() returns OK only after the COMMIT that contains the unit's changes
//   returned successfully: nothing acknowledged is lost.
// - If the commit fails, every unit of the batch gets that error (nothing of
//   the batch is stored). If SQLite abandons the transaction during a unit
//   (e.g. disk full), the units before it in that transaction get
//   UNAVAILABLE ("retry") and the units after it run in a new transaction.
// - Units run one at a time, in the order they were queued, so a unit sees
//   the uncommitted changes of the units before it in its batch (a second
//   copy of a webhook in the same batch is seen as a duplicate).
// - The queue is bounded: Run() waits while `max_pending` units are queued.
//
// Thread safety: Run() may be called from any number of threads. A unit
// runs on the writer thread with the connection's mutex held; it must not
// take that mutex, open or end transactions, or call Run().
// Shutdown (or destruction) stops taking new units (Run() then answers
// UNAVAILABLE), runs and commits every unit already queued, and joins the
// writer.
#ifndef VIDEOPLATFORM_STORAGE_GROUP_COMMIT_H_
#define VIDEOPLATFORM_STORAGE_GROUP_COMMIT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace videoplatform::storage {

class Database;

struct GroupCommitOptions {
  // Most units queued at once; Run() waits for room beyond it.
  int max_pending = 4096;
  // Most units in one transaction.
  int max_batch = 512;
};

class GroupCommitter {
 public:
  // A unit of work; see the file comment. Its error rolls back its changes.
  using Work = std::function<absl::Status(Database& db)>;

  // `db` must outlive this object. Starts the writer thread.
  explicit GroupCommitter(Database& db, GroupCommitOptions options = {});
  ~GroupCommitter();

  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `work`, waits until its batch committed or failed, and returns
  // its result (see the file comment). UNAVAILABLE after Shutdown().
  absl::Status Run(Work work);

  // See the file comment. Idempotent.
  void Shutdown();

  // Called on the writer thread after each batch with how many units it
  // took and how long running and committing them took (for metrics). Must
  // not block or call back into this object. Replaces any earlier observer.
  using BatchObserver =
      std::function<void(size_t units, absl::Duration elapsed)>;
  void set_batch_observer(BatchObserver observer);

  // Counters since construction (for tests and benchmarks).
  struct Stats {
    int64_t batches = 0;  // Transactions that committed.
    int64_t units = 0;    // Units whose transaction committed.
    int64_t largest_batch = 0;
    int64_t taken = 0;  // Units the writer took from the queue.
  };
  Stats stats() const;

  // Waits up to `timeout` until exactly `queued` units wait in the queue
  // and the writer has taken `taken` units since construction; true if so
  // (for tests that build a batch).
  bool AwaitForTesting(int queued, int64_t taken, absl::Duration timeout) const;

 private:
  struct Unit;

  void WriterLoop();
  // Runs `batch` in one transaction (or more, see the file comment) and
  // sets every unit's status. Called with db_.mutex() held.
  void RunBatch(std::deque<Unit*>& batch);

  Database& db_;
  const GroupCommitOptions options_;

  mutable absl::Mutex mu_;
  std::deque<Unit*> pending_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  BatchObserver observer_ ABSL_GUARDED_BY(mu_);

  std::thread writer_;  // Last: starts after the members above exist.
};

}  // namespace videoplatform::storage

#endif  // VIDEOPLATFORM_STORAGE_GROUP_COMMIT_H_
