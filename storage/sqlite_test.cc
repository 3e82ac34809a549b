#include "storage/sqlite.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "storage/test_util.h"

namespace videoplatform::storage {
namespace {

using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

MATCHER(IsOkAndTrue, "is OK and true") { return arg.ok() && *arg; }

std::unique_ptr<Database> OpenOrDie(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(path);
  EXPECT_THAT(db, IsOk());
  return db.ok() ? *std::move(db) : nullptr;
}

// The single value of a one-row, one-column query, as text.
std::string QueryText(Database& db, const std::string& sql) {
  absl::StatusOr<Statement> statement = db.Prepare(sql);
  EXPECT_THAT(statement, IsOk());
  if (!statement.ok()) return "<error>";
  absl::StatusOr<bool> row = statement->Step();
  EXPECT_THAT(row, IsOk());
  if (!row.ok() || !*row) return "<no row>";
  return statement->ColumnText(0);
}

int64_t CountRows(Database& db, const std::string& table) {
  absl::StatusOr<Statement> statement =
      db.Prepare("SELECT COUNT(*) FROM " + table);
  EXPECT_THAT(statement, IsOk());
  if (!statement.ok()) return -1;
  absl::StatusOr<bool> row = statement->Step();
  EXPECT_THAT(row, IsOk());
  return row.ok() && *row ? statement->ColumnInt64(0) : -1;
}

TEST(SqliteStatusTest, MapsCodes) {
  EXPECT_THAT(SqliteStatus(SQLITE_BUSY, "m"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("m")));
  EXPECT_THAT(SqliteStatus(SQLITE_BUSY_SNAPSHOT, "m"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("m")));
  EXPECT_THAT(SqliteStatus(SQLITE_LOCKED, "m"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("m")));
  EXPECT_THAT(SqliteStatus(SQLITE_CONSTRAINT_UNIQUE, "dup"),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("dup")));
  EXPECT_THAT(SqliteStatus(SQLITE_CONSTRAINT_PRIMARYKEY, "dup"),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("dup")));
  EXPECT_THAT(SqliteStatus(SQLITE_CONSTRAINT_CHECK, "chk"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("chk")));
  EXPECT_THAT(SqliteStatus(SQLITE_CONSTRAINT_NOTNULL, "nn"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("nn")));
  EXPECT_THAT(SqliteStatus(SQLITE_CORRUPT, "bad"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("bad")));
}

TEST(DatabaseTest, OpenCreatesFileAndConfiguresConnection) {
  const std::string path = testing::TempDbPath();
  std::unique_ptr<Database> db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(testing::FileExists(path));
  EXPECT_EQ(db->path(), path);
  EXPECT_EQ(QueryText(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryText(*db, "PRAGMA foreign_keys"), "1");
  // FULL: every commit is fsynced before it returns (power-safe acks).
  EXPECT_EQ(QueryText(*db, "PRAGMA synchronous"), "2");
  EXPECT_EQ(QueryText(*db, "PRAGMA busy_timeout"), "5000");
  EXPECT_FALSE(db->InTransaction());
}

TEST(DatabaseTest, InMemoryDatabaseSkipsWal) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(QueryText(*db, "PRAGMA journal_mode"), "memory");
  EXPECT_EQ(QueryText(*db, "PRAGMA foreign_keys"), "1");
}

TEST(DatabaseTest, OpenFailsInMissingDirectory) {
  const std::string path = testing::TempDbPath("no/such/dir/test.db");
  EXPECT_THAT(Database::Open(path),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("open")));
}

TEST(DatabaseTest, OpenRejectsFileThatIsNotADatabase) {
  const std::string path = testing::TempDbPath();
  {
    FILE* file = fopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    const std::string junk(4096, 'x');
    fwrite(junk.data(), 1, junk.size(), file);
    fclose(file);
  }
  EXPECT_THAT(Database::Open(path),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("file is not a database")));
}

TEST(DatabaseTest, ExecReportsSyntaxErrors) {
  std::unique_ptr<Database> db = OpenOrDie(testing::TempDbPath());
  ASSERT_NE(db, nullptr);
  EXPECT_THAT(db->Exec("CREATE TABLEX t (a)"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("syntax error")));
  EXPECT_THAT(db->Prepare("SELECT * FROM missing"),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("no such table: missing")));
}

TEST(DatabaseTest, PrepareTakesExactlyOneStatement) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  EXPECT_THAT(
      db->Prepare("SELECT 1; SELECT 2"),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("one statement")));
  EXPECT_THAT(db->Prepare("  -- nothing\n"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("no SQL")));
  EXPECT_THAT(db->Prepare("SELECT 1;  \n"), IsOk());
}

TEST(StatementTest, BindAndColumnRoundTrip) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->Exec("CREATE TABLE t (i INTEGER, b INTEGER, s TEXT, n TEXT)"),
              IsOk());
  absl::StatusOr<Statement> insert =
      db->Prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  ASSERT_THAT(insert, IsOk());
  const std::string with_nul("a\0b", 3);
  const int64_t values[] = {std::numeric_limits<int64_t>::min(), -1, 0,
                            std::numeric_limits<int64_t>::max()};
  for (const int64_t value : values) {
    insert->Reset();
    ASSERT_THAT(insert->BindAll(value, value > 0, with_nul, nullptr), IsOk());
    ASSERT_THAT(insert->Run(), IsOk());
    EXPECT_EQ(db->Changes(), 1);
  }
  // An empty string_view (null data) stays an empty string, not NULL.
  insert->Reset();
  ASSERT_THAT(insert->BindInt64(1, 7), IsOk());
  ASSERT_THAT(insert->BindBool(2, true), IsOk());
  ASSERT_THAT(insert->BindText(3, absl::string_view()), IsOk());
  ASSERT_THAT(insert->BindText(4, "x"), IsOk());
  ASSERT_THAT(insert->Run(), IsOk());

  absl::StatusOr<Statement> select =
      db->Prepare("SELECT i, b, s, n FROM t ORDER BY rowid");
  ASSERT_THAT(select, IsOk());
  for (const int64_t value : values) {
    ASSERT_THAT(select->Step(), IsOkAndTrue());
    EXPECT_EQ(select->ColumnInt64(0), value);
    EXPECT_EQ(select->ColumnBool(1), value > 0);
    EXPECT_EQ(select->ColumnText(2), with_nul);
    EXPECT_TRUE(select->ColumnIsNull(3));
    EXPECT_EQ(select->ColumnText(3), "");
  }
  ASSERT_THAT(select->Step(), IsOkAndTrue());
  EXPECT_EQ(select->ColumnInt64(0), 7);
  EXPECT_TRUE(select->ColumnBool(1));
  EXPECT_FALSE(select->ColumnIsNull(2));
  EXPECT_EQ(select->ColumnText(2), "");
  EXPECT_EQ(select->ColumnText(3), "x");
  absl::StatusOr<bool> done = select->Step();
  ASSERT_THAT(done, IsOk());
  EXPECT_FALSE(*done);
}

TEST(StatementTest, BlobRoundTripKeepsEveryByte) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->Exec("CREATE TABLE t (b BLOB)"), IsOk());
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  bytes += "\xff\xfe\x00\xc3";  // Not UTF-8.
  absl::StatusOr<Statement> insert = db->Prepare("INSERT INTO t VALUES (?1)");
  ASSERT_THAT(insert, IsOk());
  ASSERT_THAT(insert->BindBlob(1, bytes), IsOk());
  ASSERT_THAT(insert->Run(), IsOk());
  insert->Reset();
  ASSERT_THAT(insert->BindBlob(1, absl::string_view()), IsOk());
  ASSERT_THAT(insert->Run(), IsOk());
  EXPECT_EQ(QueryText(*db, "SELECT typeof(b) FROM t WHERE rowid = 1"), "blob");
  EXPECT_EQ(QueryText(*db, "SELECT b FROM t WHERE rowid = 1"), bytes);
  // Empty, not NULL.
  EXPECT_EQ(QueryText(*db, "SELECT typeof(b) FROM t WHERE rowid = 2"), "blob");
}

TEST(StatementTest, BindOutOfRangeFails) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  absl::StatusOr<Statement> statement = db->Prepare("SELECT ?1");
  ASSERT_THAT(statement, IsOk());
  EXPECT_THAT(statement->BindInt64(2, 1),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("range")));
  EXPECT_THAT(statement->BindAll(1, 2),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("range")));
}

TEST(StatementTest, PrepareCachedCompilesOnceAndResetsBetweenUses) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->Exec("CREATE TABLE t (v INTEGER)"), IsOk());
  for (int i = 1; i <= 3; ++i) {
    absl::StatusOr<Statement> insert =
        db->PrepareCached("INSERT INTO t (v) VALUES (?1)");
    ASSERT_THAT(insert, IsOk());
    ASSERT_THAT(insert->BindInt64(1, i), IsOk());
    ASSERT_THAT(insert->Run(), IsOk());
  }
  EXPECT_EQ(db->cached_statements(), 1u);
  // A statement left after its first row is reset when handed back, so the
  // next use starts over (and leaves no read transaction open).
  for (int round = 0; round < 2; ++round) {
    absl::StatusOr<Statement> select =
        db->PrepareCached("SELECT v FROM t ORDER BY v");
    ASSERT_THAT(select, IsOk());
    absl::StatusOr<bool> row = select->Step();
    ASSERT_THAT(row, IsOk());
    ASSERT_TRUE(*row);
    EXPECT_EQ(select->ColumnInt64(0), 1);
  }
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(db->cached_statements(), 2u);
  // Bindings do not carry over to the next use: an unbound parameter is NULL.
  absl::StatusOr<Statement> unbound = db->PrepareCached("SELECT ?1 IS NULL");
  ASSERT_THAT(unbound, IsOk());
  ASSERT_THAT(unbound->BindInt64(1, 7), IsOk());
  *unbound = *db->PrepareCached("SELECT 0");  // Hands the first one back.
  absl::StatusOr<Statement> again = db->PrepareCached("SELECT ?1 IS NULL");
  ASSERT_THAT(again, IsOk());
  ASSERT_THAT(again->Step(), IsOk());
  EXPECT_TRUE(again->ColumnBool(0));
}

TEST(StatementTest, PrepareCachedTwiceAtOnceGivesIndependentStatements) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  absl::StatusOr<Statement> first = db->PrepareCached("SELECT ?1");
  absl::StatusOr<Statement> second = db->PrepareCached("SELECT ?1");
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  ASSERT_THAT(first->BindInt64(1, 1), IsOk());
  ASSERT_THAT(second->BindInt64(1, 2), IsOk());
  ASSERT_THAT(first->Step(), IsOk());
  ASSERT_THAT(second->Step(), IsOk());
  EXPECT_EQ(first->ColumnInt64(0), 1);
  EXPECT_EQ(second->ColumnInt64(0), 2);
  EXPECT_EQ(db->cached_statements(), 1u);
}

TEST(StatementTest, PrepareCachedReportsSqlErrorsAndCachesNothing) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  EXPECT_THAT(db->PrepareCached("SELEC 1"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("syntax")));
  EXPECT_EQ(db->cached_statements(), 0u);
}

TEST(ReadPoolTest, ReadsSeeTheLastCommitWithoutWaitingForTheWriter) {
  const std::string path = testing::TempDbPath();
  std::unique_ptr<Database> db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->Exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)"),
              IsOk());
  ASSERT_THAT(db->OpenReadPool(2), IsOk());
  // The writer is busy: its mutex held, a write uncommitted.
  db->mutex().Lock();
  absl::StatusOr<Transaction> write = Transaction::Begin(*db);
  ASSERT_THAT(write, IsOk());
  ASSERT_THAT(db->Exec("UPDATE t SET v = 2"), IsOk());
  absl::Notification read;
  std::string seen;
  std::thread reader([&] {
    ReadLease lease = db->Read();
    seen = QueryText(lease.db(), "SELECT v FROM t");
    read.Notify();
  });
  EXPECT_TRUE(read.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_EQ(seen, "1");  // Committed state only.
  ASSERT_THAT(write->Commit(), IsOk());
  db->mutex().Unlock();
  reader.join();
  ReadLease lease = db->Read();
  EXPECT_NE(&lease.db(), db.get());
  EXPECT_EQ(QueryText(lease.db(), "SELECT v FROM t"), "2");
  // Read connections cannot write.
  EXPECT_THAT(lease->Exec("UPDATE t SET v = 3"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("readonly")));
}

TEST(ReadPoolTest, LeasesAreExclusiveAndWaitForAFreeConnection) {
  const std::string path = testing::TempDbPath();
  std::unique_ptr<Database> db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->OpenReadPool(2), IsOk());
  std::optional<ReadLease> first(db->Read());
  std::optional<ReadLease> second(db->Read());
  EXPECT_NE(&first->db(), &second->db());
  absl::Notification third_leased;
  Database* third_db = nullptr;
  std::thread third([&] {
    ReadLease lease = db->Read();
    third_db = &lease.db();
    third_leased.Notify();
  });
  // Both are leased: the third waits...
  EXPECT_FALSE(
      third_leased.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  Database* const released = &first->db();
  first.reset();
  // ...until one comes back, and gets that one.
  EXPECT_TRUE(third_leased.WaitForNotificationWithTimeout(absl::Seconds(20)));
  third.join();
  EXPECT_EQ(third_db, released);
}

TEST(ReadPoolTest, InMemoryDatabaseReadsThroughItsOwnConnection) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->OpenReadPool(2), IsOk());
  ASSERT_THAT(db->Exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (7)"),
              IsOk());
  ReadLease lease = db->Read();
  EXPECT_EQ(&lease.db(), db.get());
  EXPECT_EQ(QueryText(lease.db(), "SELECT v FROM t"), "7");
}

TEST(StatementTest, MovedStatementStillWorks) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  absl::StatusOr<Statement> first = db->Prepare("SELECT 41 + 1");
  ASSERT_THAT(first, IsOk());
  Statement moved = *std::move(first);
  absl::StatusOr<Statement> other = db->Prepare("SELECT 0");
  ASSERT_THAT(other, IsOk());
  *other = std::move(moved);  // Finalizes "SELECT 0".
  ASSERT_THAT(other->Step(), IsOkAndTrue());
  EXPECT_EQ(other->ColumnInt64(0), 42);
}

TEST(StatementTest, ConstraintErrorsMapToCodes) {
  std::unique_ptr<Database> db = OpenOrDie(testing::TempDbPath());
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->Exec("CREATE TABLE p (id TEXT PRIMARY KEY);"
                       "CREATE TABLE u (x INTEGER UNIQUE, "
                       "  c INTEGER CHECK (c >= 0),"
                       "  p TEXT REFERENCES p (id));"
                       "CREATE TABLE ip (id INTEGER PRIMARY KEY);"
                       "INSERT INTO p VALUES ('a');"
                       "INSERT INTO u VALUES (1, 0, 'a');"
                       "INSERT INTO ip VALUES (1);"),
              IsOk());
  EXPECT_THAT(db->Exec("INSERT INTO p VALUES ('a')"),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("UNIQUE constraint failed: p.id")));
  EXPECT_THAT(db->Exec("INSERT INTO ip VALUES (1)"),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("ip.id")));
  absl::StatusOr<Statement> insert =
      db->Prepare("INSERT INTO u VALUES (?1, ?2, ?3)");
  ASSERT_THAT(insert, IsOk());
  ASSERT_THAT(insert->BindAll(1, 0, "a"), IsOk());
  EXPECT_THAT(insert->Run(), StatusIs(absl::StatusCode::kAlreadyExists,
                                      HasSubstr("UNIQUE constraint failed")));
  insert->Reset();
  ASSERT_THAT(insert->BindAll(2, -1, "a"), IsOk());
  EXPECT_THAT(insert->Run(), StatusIs(absl::StatusCode::kInternal,
                                      HasSubstr("CHECK constraint failed")));
  // foreign_keys=ON is in force.
  insert->Reset();
  ASSERT_THAT(insert->BindAll(3, 0, "missing"), IsOk());
  EXPECT_THAT(insert->Run(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("FOREIGN KEY")));
  EXPECT_EQ(CountRows(*db, "u"), 1);
}

TEST(TransactionTest, CommitPersists) {
  const std::string path = testing::TempDbPath();
  {
    std::unique_ptr<Database> db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    ASSERT_THAT(db->Exec("CREATE TABLE t (x INTEGER)"), IsOk());
    absl::StatusOr<Transaction> transaction = Transaction::Begin(*db);
    ASSERT_THAT(transaction, IsOk());
    EXPECT_TRUE(db->InTransaction());
    ASSERT_THAT(db->Exec("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)"),
                IsOk());
    ASSERT_THAT(transaction->Commit(), IsOk());
    EXPECT_FALSE(db->InTransaction());
    EXPECT_THAT(transaction->Commit(),
                StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  }
  std::unique_ptr<Database> reopened = OpenOrDie(path);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(CountRows(*reopened, "t"), 2);
}

TEST(TransactionTest, DestructorRollsBackUncommittedWork) {
  std::unique_ptr<Database> db = OpenOrDie(testing::TempDbPath());
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->Exec("CREATE TABLE t (x INTEGER UNIQUE)"), IsOk());
  {
    absl::StatusOr<Transaction> transaction = Transaction::Begin(*db);
    ASSERT_THAT(transaction, IsOk());
    ASSERT_THAT(db->Exec("INSERT INTO t VALUES (1)"), IsOk());
    // A constraint violation in the middle fails only its statement ...
    EXPECT_THAT(db->Exec("INSERT INTO t VALUES (1)"),
                StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("t.x")));
    EXPECT_TRUE(db->InTransaction());
    EXPECT_EQ(CountRows(*db, "t"), 1);
  }  // ... and leaving without Commit() undoes the whole transaction.
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(CountRows(*db, "t"), 0);
}

TEST(TransactionTest, MovedTransactionRollsBackOnce) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->Exec("CREATE TABLE t (x INTEGER)"), IsOk());
  {
    absl::StatusOr<Transaction> begun = Transaction::Begin(*db);
    ASSERT_THAT(begun, IsOk());
    Transaction moved = *std::move(begun);
    ASSERT_THAT(db->Exec("INSERT INTO t VALUES (1)"), IsOk());
    ASSERT_THAT(moved.Commit(), IsOk());
  }
  EXPECT_EQ(CountRows(*db, "t"), 1);
}

TEST(TransactionTest, NestedBeginFails) {
  std::unique_ptr<Database> db = OpenOrDie(":memory:");
  ASSERT_NE(db, nullptr);
  absl::StatusOr<Transaction> outer = Transaction::Begin(*db);
  ASSERT_THAT(outer, IsOk());
  EXPECT_THAT(
      Transaction::Begin(*db),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("within a transaction")));
}

TEST(TransactionTest, WriteLockHeldElsewhereIsUnavailable) {
  const std::string path = testing::TempDbPath();
  std::unique_ptr<Database> first = OpenOrDie(path);
  std::unique_ptr<Database> second = OpenOrDie(path);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_THAT(first->Exec("CREATE TABLE t (x INTEGER)"), IsOk());
  ASSERT_THAT(second->SetBusyTimeout(absl::Milliseconds(50)), IsOk());

  absl::StatusOr<Transaction> holder = Transaction::Begin(*first);
  ASSERT_THAT(holder, IsOk());
  const absl::Time start = absl::Now();
  EXPECT_THAT(Transaction::Begin(*second),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("locked")));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(40));  // It waited.
  EXPECT_THAT(second->Exec("INSERT INTO t VALUES (1)"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("busy")));
  // WAL: readers are not blocked by the writer.
  EXPECT_EQ(CountRows(*second, "t"), 0);

  ASSERT_THAT(holder->Commit(), IsOk());
  absl::StatusOr<Transaction> now_free = Transaction::Begin(*second);
  ASSERT_THAT(now_free, IsOk());
  ASSERT_THAT(now_free->Commit(), IsOk());
}

}  // namespace
}  // namespace videoplatform::storage
