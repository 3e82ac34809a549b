#include "storage/sqlite.h"

#include <sqlite3.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace videoplatform::storage {
namespace {

constexpr int kDefaultBusyTimeoutMs = 5000;

bool IsInMemory(const std::string& path) {
  return path.empty() || path == ":memory:";
}

}  // namespace

absl::Status SqliteStatus(int rc, absl::string_view message) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      // Another connection held a lock past the busy timeout; retryable.
      return absl::UnavailableError(
          absl::StrCat("database is busy: ", message));
    default:
      break;
  }
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return absl::AlreadyExistsError(message);
  }
  return absl::InternalError(absl::StrCat("sqlite error ", rc, " (",
                                          sqlite3_errstr(rc), "): ", message));
}

// --- Database ---

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
      nullptr);
  // Owns `raw` from here on, so it is closed on every error path.
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) {
    return SqliteStatus(
        rc, absl::StrCat(
                "cannot open database \"", path, "\": ",
                raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kDefaultBusyTimeoutMs);
  // synchronous=FULL: in WAL mode, every COMMIT fsyncs the WAL before it
  // returns, so a commit that was acknowledged survives power loss and OS
  // crashes (NORMAL may lose the last commits then). Group commit
  // (storage/group_commit.h) pays that fsync once per batch.
  absl::Status status = db->Exec(
      "PRAGMA foreign_keys = ON;"
      "PRAGMA synchronous = FULL;");
  if (!status.ok()) return status;
  if (!IsInMemory(path)) {
    absl::StatusOr<Statement> wal = db->Prepare("PRAGMA journal_mode = WAL");
    if (!wal.ok()) return wal.status();
    absl::StatusOr<bool> row = wal->Step();
    if (!row.ok()) return row.status();
    // The pragma answers with the mode in force, which stays the old one
    // when WAL is impossible (e.g. on some network file systems).
    const std::string mode = *row ? wal->ColumnText(0) : "";
    if (absl::AsciiStrToLower(mode) != "wal") {
      return absl::InternalError(
          absl::StrCat("cannot switch \"", path,
                       "\" to WAL journal mode; it is in \"", mode, "\" mode"));
    }
  }
  return db;
}

absl::StatusOr<std::unique_ptr<Database>> Database::OpenReadOnly(
    const std::string& path) {
  sqlite3* raw = nullptr;
  // NOMUTEX: a read connection is used by one lease holder at a time.
  const int rc = sqlite3_open_v2(
      path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) {
    return SqliteStatus(
        rc, absl::StrCat(
                "cannot open database \"", path, "\" for reading: ",
                raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kDefaultBusyTimeoutMs);
  return db;
}

absl::Status Database::OpenReadPool(int readers) {
  if (IsInMemory(path_)) return absl::OkStatus();
  if (readers < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("a read pool needs at least 1 connection, got ", readers));
  }
  std::vector<std::unique_ptr<Database>> opened;
  for (int i = 0; i < readers; ++i) {
    absl::StatusOr<std::unique_ptr<Database>> reader = OpenReadOnly(path_);
    if (!reader.ok()) return reader.status();
    opened.push_back(*std::move(reader));
  }
  absl::MutexLock lock(&pool_mu_);
  for (auto& reader : opened) idle_readers_.push_back(std::move(reader));
  pool_size_ += readers;
  return absl::OkStatus();
}

ReadLease Database::Read() {
  if (pool_size_ == 0) {
    mu_.Lock();
    return ReadLease(this, nullptr, nullptr);
  }
  std::unique_ptr<Database> reader;
  {
    absl::MutexLock lock(&pool_mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(pool_mu_) {
      return !idle_readers_.empty();
    };
    pool_mu_.Await(absl::Condition(&idle));
    reader = std::move(idle_readers_.back());
    idle_readers_.pop_back();
  }
  Database* raw = reader.get();
  raw->mu_.Lock();  // Uncontended; keeps the "hold mutex()" rule.
  return ReadLease(raw, std::move(reader), this);
}

ReadLease::ReadLease(ReadLease&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      pooled_(std::move(other.pooled_)),
      pool_(std::exchange(other.pool_, nullptr)) {}

ReadLease::~ReadLease() {
  if (db_ == nullptr) return;
  db_->mu_.Unlock();
  if (pool_ == nullptr) return;
  absl::MutexLock lock(&pool_->pool_mu_);
  pool_->idle_readers_.push_back(std::move(pooled_));
}

Database::~Database() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  // close_v2 defers the close if a Statement still exists (a bug), instead
  // of leaking the connection.
  sqlite3_close_v2(db_);
}

absl::Status Database::Error(int rc) const {
  return SqliteStatus(rc, sqlite3_errmsg(db_));
}

absl::Status Database::Exec(absl::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return absl::OkStatus();
  absl::Status status =
      SqliteStatus(rc, message != nullptr ? message : sqlite3_errmsg(db_));
  sqlite3_free(message);
  return status;
}

absl::StatusOr<Statement> Database::Prepare(absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(),
                                    static_cast<int>(sql.size()), &stmt, &tail);
  if (rc != SQLITE_OK) return Error(rc);
  Statement statement(this, stmt);  // Finalizes on the error paths below.
  if (stmt == nullptr) {
    return absl::InternalError(
        absl::StrCat("no SQL statement in \"", sql, "\""));
  }
  const absl::string_view rest(tail, sql.data() + sql.size() - tail);
  if (!absl::StripAsciiWhitespace(rest).empty()) {
    return absl::InternalError(
        absl::StrCat("Prepare takes one statement; left over: \"", rest, "\""));
  }
  return statement;
}

absl::StatusOr<Statement> Database::PrepareCached(absl::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    absl::StatusOr<Statement> fresh = Prepare(sql);
    if (!fresh.ok()) return fresh.status();
    it = cache_.emplace(std::string(sql), CachedStatement{}).first;
    // The cache takes ownership of the compiled statement.
    it->second.stmt = std::exchange(fresh->stmt_, nullptr);
  } else if (it->second.in_use) {
    return Prepare(sql);
  }
  it->second.in_use = true;
  return Statement(this, it->second.stmt, &it->second.in_use);
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

absl::Status Database::SetBusyTimeout(absl::Duration timeout) {
  const int rc = sqlite3_busy_timeout(
      db_, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  return rc == SQLITE_OK ? absl::OkStatus() : Error(rc);
}

bool Database::InTransaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

// --- Statement ---

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      cached_in_use_(std::exchange(other.cached_in_use_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    cached_in_use_ = std::exchange(other.cached_in_use_, nullptr);
  }
  return *this;
}

Statement::~Statement() { Release(); }

void Statement::Release() {
  if (cached_in_use_ != nullptr) {
    // Back to the cache, ready to run again and holding no read snapshot.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *cached_in_use_ = false;
    cached_in_use_ = nullptr;
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
}

absl::Status Statement::BindInt64(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  return rc == SQLITE_OK ? absl::OkStatus() : db_->Error(rc);
}

absl::Status Statement::BindBool(int index, bool value) {
  return BindInt64(index, value ? 1 : 0);
}

absl::Status Statement::BindText(int index, absl::string_view value) {
  // A null pointer would bind NULL rather than an empty string.
  const char* data = value.data() != nullptr ? value.data() : "";
  const int rc = sqlite3_bind_text64(stmt_, index, data, value.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8);
  return rc == SQLITE_OK ? absl::OkStatus() : db_->Error(rc);
}

absl::Status Statement::BindBlob(int index, absl::string_view value) {
  // A null pointer would bind NULL rather than an empty blob.
  const char* data = value.data() != nullptr ? value.data() : "";
  const int rc =
      sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT);
  return rc == SQLITE_OK ? absl::OkStatus() : db_->Error(rc);
}

absl::Status Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  return rc == SQLITE_OK ? absl::OkStatus() : db_->Error(rc);
}

absl::StatusOr<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc);
}

absl::Status Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool Statement::ColumnBool(int column) const {
  return sqlite3_column_int64(stmt_, column) != 0;
}

std::string Statement::ColumnText(int column) const {
  // column_text before column_bytes, as SQLite's documentation requires.
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), size);
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// --- Transaction ---

absl::StatusOr<Transaction> Transaction::Begin(Database& db) {
  absl::Status status = db.Exec("BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
  if (db_ != nullptr && db_->InTransaction()) {
    db_->Exec("ROLLBACK").IgnoreError();
  }
}

absl::Status Transaction::Commit() {
  if (db_ == nullptr) {
    return absl::FailedPreconditionError("transaction is no longer open");
  }
  absl::Status status = db_->Exec("COMMIT");
  if (status.ok()) db_ = nullptr;
  return status;
}

}  // namespace videoplatform::storage
