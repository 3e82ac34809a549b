#include "storage/group_commit.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "storage/sqlite.h"

namespace videoplatform::storage {

// Lives on the caller's stack while it waits in Run().
struct GroupCommitter::Unit {
  Work work;
  absl::Status status;
  absl::Notification done;
};

namespace {

absl::Status WithContext(const absl::Status& status,
                         absl::string_view context) {
  return absl::Status(status.code(),
                      absl::StrCat(context, ": ", status.message()));
}

}  // namespace

GroupCommitter::GroupCommitter(Database& db, GroupCommitOptions options)
    : db_(db),
      options_{std::max(options.max_pending, 1),
               std::max(options.max_batch, 1)},
      writer_([this] { WriterLoop(); }) {}

GroupCommitter::~GroupCommitter() { Shutdown(); }

absl::Status GroupCommitter::Run(Work work) {
  Unit unit;
  unit.work = std::move(work);
  {
    absl::MutexLock lock(&mu_);
    auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ ||
             static_cast<int>(pending_.size()) < options_.max_pending;
    };
    mu_.Await(absl::Condition(&room));
    if (stopping_) {
      return absl::UnavailableError(
          "the database writer is shutting down; nothing was written");
    }
    pending_.push_back(&unit);
  }
  unit.done.WaitForNotification();
  return std::move(unit.status);
}

void GroupCommitter::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (writer_.joinable()) writer_.join();
}

GroupCommitter::Stats GroupCommitter::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

bool GroupCommitter::AwaitForTesting(int queued, int64_t taken,
                                     absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, queued, taken]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return static_cast<int>(pending_.size()) == queued && stats_.taken == taken;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
}

void GroupCommitter::set_batch_observer(BatchObserver observer) {
  absl::MutexLock lock(&mu_);
  observer_ = std::move(observer);
}

void GroupCommitter::WriterLoop() {
  while (true) {
    std::deque<Unit*> batch;
    BatchObserver observer;
    {
      absl::MutexLock lock(&mu_);
      auto work_or_stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !pending_.empty();
      };
      mu_.Await(absl::Condition(&work_or_stop));
      // Drains what was queued before stopping; then exits.
      if (pending_.empty()) return;
      const size_t take =
          std::min(pending_.size(), static_cast<size_t>(options_.max_batch));
      batch.assign(pending_.begin(), pending_.begin() + take);
      pending_.erase(pending_.begin(), pending_.begin() + take);
      stats_.taken += static_cast<int64_t>(take);
      observer = observer_;
    }
    const absl::Time start = absl::Now();
    {
      absl::MutexLock lock(&db_.mutex());
      RunBatch(batch);
    }
    if (observer) observer(batch.size(), absl::Now() - start);
    // Each caller owns its Unit; after Notify() it may be gone.
    for (Unit* unit : batch) unit->done.Notify();
  }
}

void GroupCommitter::RunBatch(std::deque<Unit*>& batch) {
  // The units of the transaction in progress that succeeded so far.
  std::vector<Unit*> in_transaction;
  bool open = false;
  int64_t committed_units = 0;
  int64_t committed_batches = 0;
  int64_t largest = 0;

  // Ends the transaction in progress: commits it, or on failure fails every
  // unit in it with `why` (or the commit's error).
  auto finish = [&](absl::Status why) {
    if (!open) return;
    open = false;
    if (why.ok()) {
      why = db_.Exec("COMMIT");
      if (why.ok()) {
        committed_units += static_cast<int64_t>(in_transaction.size());
        ++committed_batches;
        largest =
            std::max(largest, static_cast<int64_t>(in_transaction.size()));
        in_transaction.clear();
        return;
      }
      why = WithContext(why, "commit failed; nothing of this batch was stored");
    }
    // SQLite may already have rolled back by itself.
    if (db_.InTransaction()) db_.Exec("ROLLBACK").IgnoreError();
    for (Unit* unit : in_transaction) unit->status = why;
    in_transaction.clear();
  };

  for (Unit* unit : batch) {
    if (!open) {
      absl::Status begin = db_.Exec("BEGIN IMMEDIATE");
      if (!begin.ok()) {
        unit->status = begin;
        continue;
      }
      open = true;
    }
    absl::Status status = db_.Exec("SAVEPOINT unit");
    if (status.ok()) {
      status = unit->work(db_);
      if (status.ok()) {
        status = db_.Exec("RELEASE unit");
      } else if (db_.InTransaction()) {
        // Undo this unit only; RELEASE then pops the savepoint.
        absl::Status undo = db_.Exec("ROLLBACK TO unit");
        if (undo.ok()) undo = db_.Exec("RELEASE unit");
        if (!undo.ok()) {
          unit->status = status;
          finish(absl::UnavailableError(absl::StrCat(
              "a unit in the same batch could not be undone; retry: ",
              undo.message())));
          continue;
        }
      }
    }
    if (status.ok()) {
      in_transaction.push_back(unit);
      continue;
    }
    unit->status = status;
    if (!db_.InTransaction()) {
      // SQLite abandoned the whole transaction (e.g. I/O error, disk full):
      // the units before this one lost their changes.
      finish(absl::UnavailableError(absl::StrCat(
          "the batch's transaction was rolled back by another unit's "
          "failure; retry: ",
          status.message())));
    }
  }
  finish(absl::OkStatus());

  absl::MutexLock lock(&mu_);
  stats_.units += committed_units;
  stats_.batches += committed_batches;
  stats_.largest_batch = std::max(stats_.largest_batch, largest);
}

}  // namespace videoplatform::storage
