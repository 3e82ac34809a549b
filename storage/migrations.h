// The schema's history: numbered SQL steps, tracked in the database with
// `PRAGMA user_version` (0 for a new file).
//
// Each step runs in its own transaction together with the version bump, so
// a failed step leaves the database at the previous version, unchanged
// (SQLite DDL is transactional). A database whose version is newer than the
// code knows is refused with FAILED_PRECONDITION before anything is written.
// Steps are append-only: never edit a released step, add a new one.
//
// Thread safety: as Database (hold db.mutex() if the connection is shared).
#ifndef VIDEOPLATFORM_STORAGE_MIGRATIONS_H_
#define VIDEOPLATFORM_STORAGE_MIGRATIONS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "storage/sqlite.h"

namespace videoplatform::storage {

struct Migration {
  int version;              // 1, 2, ...: the user_version after this step.
  const char* description;  // For error messages.
  const char* sql;          // One or more statements.
};

// The built-in steps, in order.
absl::Span<const Migration> Migrations();
// The version a fully migrated database has.
int LatestSchemaVersion();

// The database's user_version.
absl::StatusOr<int> ReadSchemaVersion(Database& db);

// Applies the pending built-in steps.
absl::Status Migrate(Database& db);

// Test hook: applies the built-in steps up to `target_version` only, e.g.
// to build a database as an older release left it.
absl::Status MigrateTo(Database& db, int target_version);

// Applies the steps of `migrations` (numbered 1..N in order, else INTERNAL)
// that are above the database's version and at most `target_version`.
// FAILED_PRECONDITION when the database's version is above N.
absl::Status ApplyMigrations(Database& db,
                             absl::Span<const Migration> migrations,
                             int target_version);

}  // namespace videoplatform::storage

#endif  // VIDEOPLATFORM_STORAGE_MIGRATIONS_H_
