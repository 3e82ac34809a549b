// A small RAII layer over SQLite's C API: Database (one connection),
// Statement (one prepared statement) and Transaction (BEGIN IMMEDIATE ..
// COMMIT, rolled back unless committed).
//
// Errors: every failure is an absl::Status from SqliteStatus(): SQLITE_BUSY
// and SQLITE_LOCKED -> UNAVAILABLE (the busy timeout ran out),
// SQLITE_CONSTRAINT_UNIQUE / SQLITE_CONSTRAINT_PRIMARYKEY -> ALREADY_EXISTS,
// anything else -> INTERNAL carrying SQLite's message.
//
// Thread safety: a Database is one connection, opened SQLITE_OPEN_FULLMUTEX,
// so single calls never corrupt it; but a connection has one transaction
// state and one "last error", so callers hold mutex() for each whole unit of
// work (a Transaction, or a Statement from Prepare() to its destruction).
// Statement and Transaction are not thread-safe and must not outlive their
// Database.
#ifndef VIDEOPLATFORM_STORAGE_SQLITE_H_
#define VIDEOPLATFORM_STORAGE_SQLITE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct sqlite3;
struct sqlite3_stmt;

namespace videoplatform::storage {

// Maps an SQLite (extended) result code and message to a canonical status.
// `rc` must not be SQLITE_OK, SQLITE_ROW or SQLITE_DONE.
absl::Status SqliteStatus(int rc, absl::string_view message);

class Statement;
class ReadLease;
class GroupCommitter;

class Database {
 public:
  // Opens (creating if needed) the database file at `path` and configures
  // the connection: extended result codes, busy timeout 5 s,
  // foreign_keys=ON, synchronous=FULL (a returned COMMIT is durable across
  // power loss) and, except for ":memory:" and "" (temporary databases),
  // journal_mode=WAL (which persists in the file).
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const std::string& path);
  // Opens the existing database file at `path` read-only (no pragmas run;
  // busy timeout 5 s). For read pools; see OpenReadPool().
  static absl::StatusOr<std::unique_ptr<Database>> OpenReadOnly(
      const std::string& path);
  ~Database();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Guards the connection; see the file comment.
  absl::Mutex& mutex() { return mu_; }

  // Opens `readers` (>= 1) read-only connections to this file, which Read()
  // then hands out. In WAL mode they read the last committed state while
  // this connection writes, so reads never wait for writes (or for each
  // other, up to `readers` at once). Does nothing for in-memory databases
  // (another connection would see another database). Call once, before
  // the connection is shared.
  absl::Status OpenReadPool(int readers);
  // A connection to read from, leased exclusively with its mutex held: one
  // of the read pool (waiting while all are leased), or, without a pool,
  // this connection itself. A pool connection sees only committed data, so
  // never read through it inside a write transaction of this connection.
  // Thread-safe. The lease must end before this Database is destroyed.
  ReadLease Read();

  // The group committer that writes through this connection, if its owner
  // (Store) registered one; writers of other tables (EventStore) join it so
  // that all writes share batches. Not owned. Set before sharing.
  GroupCommitter* group_committer() const { return group_committer_; }
  void set_group_committer(GroupCommitter* committer) {
    group_committer_ = committer;
  }

  // Runs one or more `;`-separated statements, discarding any rows.
  absl::Status Exec(absl::string_view sql);
  // Compiles one statement.
  absl::StatusOr<Statement> Prepare(absl::string_view sql);
  // As Prepare(), but compiles `sql` once per connection: the statement is
  // kept in this connection's cache, and the returned Statement resets it
  // and clears its bindings on destruction instead of finalizing it. When
  // the cached statement for `sql` is in use (the same SQL twice at once),
  // a fresh, uncached statement is returned. For the hot paths' fixed SQL;
  // do not use it for SQL built from unbounded inputs (the cache keeps one
  // entry per distinct text for the connection's life).
  absl::StatusOr<Statement> PrepareCached(absl::string_view sql);
  // Statements in the cache (for tests).
  size_t cached_statements() const { return cache_.size(); }

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;
  // How long a statement waits for another connection's lock before
  // failing with UNAVAILABLE. 5 s after Open().
  absl::Status SetBusyTimeout(absl::Duration timeout);
  // True while a transaction is open on this connection.
  bool InTransaction() const;
  const std::string& path() const { return path_; }

 private:
  friend class Statement;
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  // The status for `rc`, with this connection's current error message.
  absl::Status Error(int rc) const;

  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;  // Owned; finalized in ~Database.
    bool in_use = false;           // A Statement refers to it.
  };

  sqlite3* db_;  // Owned; closed in the destructor.
  const std::string path_;
  absl::Mutex mu_;
  // Guarded by mu_ like the connection itself (see the file comment).
  std::unordered_map<std::string, CachedStatement> cache_;

  GroupCommitter* group_committer_ = nullptr;

  friend class ReadLease;
  // The read pool; empty when there is none.
  absl::Mutex pool_mu_;
  int pool_size_ = 0;  // Set once by OpenReadPool, before sharing.
  std::vector<std::unique_ptr<Database>> idle_readers_
      ABSL_GUARDED_BY(pool_mu_);
};

// A connection leased by Database::Read(); holds its mutex. Move-only.
class ReadLease {
 public:
  ReadLease(ReadLease&& other) noexcept;
  ReadLease& operator=(ReadLease&&) = delete;
  ~ReadLease();

  Database& db() { return *db_; }
  Database* operator->() { return db_; }

 private:
  friend class Database;
  // `pool`: the Database whose pool `db` goes back to; null when `db` is
  // that Database itself.
  ReadLease(Database* db, std::unique_ptr<Database> pooled, Database* pool)
      : db_(db), pooled_(std::move(pooled)), pool_(pool) {}

  Database* db_;                      // Null once moved from.
  std::unique_ptr<Database> pooled_;  // Owned while leased from a pool.
  Database* pool_;
};

// A prepared statement. Parameters are numbered from 1, result columns
// from 0 (as in SQLite). Move-only; finalized in the destructor.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  absl::Status BindInt64(int index, int64_t value);
  absl::Status BindBool(int index, bool value);
  // Copies `value` (may contain NULs).
  absl::Status BindText(int index, absl::string_view value);
  // Copies `value` as a BLOB (arbitrary bytes, e.g. a serialized proto).
  // Read it back with ColumnText(), which returns the bytes unchanged.
  absl::Status BindBlob(int index, absl::string_view value);
  absl::Status BindNull(int index);
  // Binds `args` to parameters 1..N in order: integers, bool, strings,
  // nullptr (NULL).
  template <typename... Args>
  absl::Status BindAll(const Args&... args);

  // Advances: true when a row is available through Column*(), false when
  // the statement has finished.
  absl::StatusOr<bool> Step();
  // Steps a statement that returns no rows to completion.
  absl::Status Run();
  // Makes the statement runnable again and clears its bindings. An error of
  // the last Step() is not reported again.
  void Reset();

  int64_t ColumnInt64(int column) const;
  bool ColumnBool(int column) const;  // Non-zero is true.
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  friend class Database;
  Statement(Database* db, sqlite3_stmt* stmt, bool* cached_in_use = nullptr)
      : db_(db), stmt_(stmt), cached_in_use_(cached_in_use) {}
  template <typename T>
  absl::Status BindOne(int index, const T& value);
  // Finalizes stmt_, or hands it back to the connection's cache.
  void Release();

  Database* db_;  // Not owned.
  // Owned (finalized on destruction) unless cached_in_use_ is set; null
  // after a move.
  sqlite3_stmt* stmt_;
  // For a statement of the connection's cache: its in-use flag, cleared
  // (after a reset) on destruction; the cache owns stmt_.
  bool* cached_in_use_;
};

// BEGIN IMMEDIATE on construction (through Begin()); ROLLBACK in the
// destructor unless Commit() succeeded. IMMEDIATE takes the write lock up
// front, so a transaction never fails half-way for lock upgrade reasons.
class Transaction {
 public:
  // UNAVAILABLE when another connection holds the write lock past the
  // busy timeout.
  static absl::StatusOr<Transaction> Begin(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // On failure the transaction stays open and the destructor rolls it back.
  absl::Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;  // Not owned; null once committed or moved from.
};

// --- Implementation details ---

template <typename T>
absl::Status Statement::BindOne(int index, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return BindBool(index, value);
  } else if constexpr (std::is_integral_v<T>) {
    return BindInt64(index, static_cast<int64_t>(value));
  } else if constexpr (std::is_same_v<T, std::nullptr_t>) {
    return BindNull(index);
  } else {
    static_assert(std::is_convertible_v<const T&, absl::string_view>,
                  "BindAll takes integers, bool, strings or nullptr");
    return BindText(index, absl::string_view(value));
  }
}

template <typename... Args>
absl::Status Statement::BindAll(const Args&... args) {
  absl::Status status;
  int index = 0;
  // Stops at the first error.
  ((status.ok() ? (status = BindOne(++index, args), 0) : 0), ...);
  return status;
}

}  // namespace videoplatform::storage

#endif  // VIDEOPLATFORM_STORAGE_SQLITE_H_
