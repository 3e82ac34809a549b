#include "storage/group_commit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "storage/sqlite.h"
#include "storage/test_util.h"

namespace videoplatform::storage {
namespace {

using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

// Generous: only reached when something is broken.
constexpr absl::Duration kPatience = absl::Seconds(20);

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::TempDbPath();
    absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(path_);
    ASSERT_THAT(db, IsOk());
    db_ = *std::move(db);
    absl::MutexLock lock(&db_->mutex());
    ASSERT_THAT(db_->Exec("CREATE TABLE rows (k TEXT PRIMARY KEY, v INTEGER);"
                          "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                          "CREATE TABLE child (parent_id INTEGER REFERENCES "
                          "parent (id) DEFERRABLE INITIALLY DEFERRED)"),
                IsOk());
    committer_ = std::make_unique<GroupCommitter>(*db_);
  }

  // A unit that inserts the row (k, v).
  static GroupCommitter::Work Insert(std::string k, int v = 0) {
    return [k, v](Database& db) -> absl::Status {
      absl::StatusOr<Statement> insert =
          db.PrepareCached("INSERT INTO rows (k, v) VALUES (?1, ?2)");
      if (!insert.ok()) return insert.status();
      if (absl::Status s = insert->BindAll(k, v); !s.ok()) return s;
      return insert->Run();
    };
  }

  // Rows in the file, read through a separate connection (what survived).
  int64_t CountOnDisk(const std::string& table = "rows") {
    absl::StatusOr<std::unique_ptr<Database>> other = Database::Open(path_);
    EXPECT_THAT(other, IsOk());
    if (!other.ok()) return -1;
    absl::MutexLock lock(&(*other)->mutex());
    absl::StatusOr<Statement> count =
        (*other)->Prepare(absl::StrCat("SELECT COUNT(*) FROM ", table));
    EXPECT_THAT(count, IsOk());
    EXPECT_THAT(count->Step(), IsOk());
    return count->ColumnInt64(0);
  }

  bool OnDisk(const std::string& k) {
    absl::StatusOr<std::unique_ptr<Database>> other = Database::Open(path_);
    EXPECT_THAT(other, IsOk());
    absl::MutexLock lock(&(*other)->mutex());
    absl::StatusOr<Statement> select =
        (*other)->Prepare("SELECT 1 FROM rows WHERE k = ?1");
    EXPECT_THAT(select->BindText(1, k), IsOk());
    absl::StatusOr<bool> row = select->Step();
    return row.ok() && *row;
  }

  // Runs `works` as ONE batch: while the test holds the connection's mutex,
  // a blocker unit occupies the writer and the others queue up behind it.
  std::vector<absl::Status> RunAsOneBatch(
      std::vector<GroupCommitter::Work> works) {
    std::vector<absl::Status> results(works.size());
    std::vector<std::thread> callers;
    const int64_t taken = committer_->stats().taken;
    db_->mutex().Lock();
    absl::Status blocker_status;
    std::thread blocker([&] {
      blocker_status =
          committer_->Run([](Database&) { return absl::OkStatus(); });
    });
    // The writer took the blocker and waits for the mutex.
    EXPECT_TRUE(committer_->AwaitForTesting(0, taken + 1, kPatience));
    for (size_t i = 0; i < works.size(); ++i) {
      // One at a time, so that the batch keeps the order of `works`.
      callers.emplace_back([this, &results, &works, i] {
        results[i] = committer_->Run(works[i]);
      });
      EXPECT_TRUE(committer_->AwaitForTesting(static_cast<int>(i) + 1,
                                              taken + 1, kPatience));
    }
    db_->mutex().Unlock();
    blocker.join();
    for (std::thread& caller : callers) caller.join();
    EXPECT_THAT(blocker_status, IsOk());
    return results;
  }

  std::string path_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<GroupCommitter> committer_;
};

TEST_F(GroupCommitTest, ConcurrentCallersAreAllCommittedInFewerTransactions) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<absl::Status> failures[kThreads];
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::Status status = committer_->Run(Insert(absl::StrCat(t, "/", i)));
        if (!status.ok()) failures[t].push_back(status);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& thread_failures : failures) {
    EXPECT_TRUE(thread_failures.empty()) << thread_failures.front();
  }
  EXPECT_EQ(CountOnDisk(), kThreads * kPerThread);
  const GroupCommitter::Stats stats = committer_->stats();
  EXPECT_EQ(stats.units, kThreads * kPerThread);
  EXPECT_GE(stats.batches, 1);
  EXPECT_LE(stats.batches, stats.units);
}

TEST_F(GroupCommitTest, QueuedUnitsShareOneTransaction) {
  std::vector<GroupCommitter::Work> works;
  for (int i = 0; i < 20; ++i) works.push_back(Insert(absl::StrCat("k", i)));
  const GroupCommitter::Stats before = committer_->stats();
  for (const absl::Status& status : RunAsOneBatch(works)) {
    EXPECT_THAT(status, IsOk());
  }
  const GroupCommitter::Stats after = committer_->stats();
  EXPECT_EQ(after.batches - before.batches, 2);  // The blocker, then the 20.
  EXPECT_EQ(after.largest_batch, 20);
  EXPECT_EQ(CountOnDisk(), 20);
}

TEST_F(GroupCommitTest, TheObserverSeesEveryBatchWithItsSize) {
  absl::Mutex mu;
  std::vector<size_t> sizes;
  committer_->set_batch_observer([&](size_t units, absl::Duration elapsed) {
    absl::MutexLock lock(&mu);
    sizes.push_back(units);
    EXPECT_GE(elapsed, absl::ZeroDuration());
  });
  std::vector<GroupCommitter::Work> works;
  for (int i = 0; i < 5; ++i) works.push_back(Insert(absl::StrCat("o", i)));
  for (const absl::Status& status : RunAsOneBatch(works)) {
    EXPECT_THAT(status, IsOk());
  }
  absl::MutexLock lock(&mu);
  EXPECT_THAT(sizes, ::testing::ElementsAre(1, 5));  // The blocker, the 5.
}

TEST_F(GroupCommitTest, AFailingUnitRollsBackOnlyItselfAndGetsItsOwnError) {
  GroupCommitter::Work half_done = [](Database& db) -> absl::Status {
    // Writes, then fails: its row must not stay.
    absl::Status status = Insert("failed")(db);
    if (!status.ok()) return status;
    return absl::FailedPreconditionError("unit 2 gave up");
  };
  const std::vector<absl::Status> results =
      RunAsOneBatch({Insert("first"), half_done, Insert("third")});
  EXPECT_THAT(results[0], IsOk());
  EXPECT_THAT(results[1], StatusIs(absl::StatusCode::kFailedPrecondition,
                                   HasSubstr("unit 2 gave up")));
  EXPECT_THAT(results[2], IsOk());
  EXPECT_TRUE(OnDisk("first"));
  EXPECT_FALSE(OnDisk("failed"));
  EXPECT_TRUE(OnDisk("third"));
}

TEST_F(GroupCommitTest, UnitsSeeEarlierUnitsOfTheirBatch) {
  // Two copies of one key in one batch: the first is stored, the second
  // clashes with it (as a duplicate webhook would).
  const std::vector<absl::Status> results =
      RunAsOneBatch({Insert("same", 1), Insert("same", 2), Insert("other")});
  EXPECT_THAT(results[0], IsOk());
  EXPECT_THAT(results[1],
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("rows.k")));
  EXPECT_THAT(results[2], IsOk());
  EXPECT_EQ(CountOnDisk(), 2);
}

TEST_F(GroupCommitTest, AFailingCommitFailsEveryUnitOfTheBatch) {
  // A deferred foreign key is checked at COMMIT only: the commit fails.
  GroupCommitter::Work orphan = [](Database& db) {
    return db.Exec("INSERT INTO child (parent_id) VALUES (42)");
  };
  const std::vector<absl::Status> results =
      RunAsOneBatch({Insert("a"), orphan, Insert("b")});
  for (const absl::Status& status : results) {
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal,
                                 HasSubstr("commit failed")));
  }
  EXPECT_EQ(CountOnDisk(), 0);
  EXPECT_EQ(CountOnDisk("child"), 0);
  // The writer recovered: the next unit commits.
  EXPECT_THAT(committer_->Run(Insert("after")), IsOk());
  EXPECT_TRUE(OnDisk("after"));
}

TEST_F(GroupCommitTest, ShutdownDrainsQueuedUnitsThenRefusesNewOnes) {
  constexpr int kQueued = 10;
  const int64_t taken = committer_->stats().taken;
  db_->mutex().Lock();
  std::vector<absl::Status> results(kQueued + 1);
  std::vector<std::thread> callers;
  for (int i = 0; i <= kQueued; ++i) {
    callers.emplace_back([this, &results, i] {
      results[i] = committer_->Run(Insert(absl::StrCat("q", i)));
    });
    // The first is with the writer (waiting for the mutex), the rest queue.
    if (i == 0) {
      ASSERT_TRUE(committer_->AwaitForTesting(0, taken + 1, kPatience));
    }
  }
  ASSERT_TRUE(committer_->AwaitForTesting(kQueued, taken + 1, kPatience));
  // Shutdown() waits for the writer, which waits for the mutex.
  std::thread stopper([this] { committer_->Shutdown(); });
  db_->mutex().Unlock();
  stopper.join();
  for (std::thread& caller : callers) caller.join();
  for (const absl::Status& status : results) EXPECT_THAT(status, IsOk());
  EXPECT_EQ(CountOnDisk(), kQueued + 1);
  EXPECT_THAT(
      committer_->Run(Insert("late")),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
  EXPECT_FALSE(OnDisk("late"));
}

}  // namespace
}  // namespace videoplatform::storage
