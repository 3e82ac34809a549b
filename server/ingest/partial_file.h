// The `<destination>.partial` file of one download, with the SHA-256 of its
// bytes kept in step with what is on disk.
//
// Contract:
// - Open() creates the file or continues an existing one, hashing the bytes
//   already there (read in 1 MiB chunks: memory stays flat). It takes an
//   exclusive advisory lock (flock), so a second PartialFile on the same
//   path, in this process or another, fails with ABORTED until the first is
//   destroyed.
// - Append() writes all bytes at the end and then hashes them; on a write
//   error nothing is hashed and size() is unchanged (the file is cut back).
// - CommitTo() fsyncs the file, renames it to the destination and fsyncs
//   the destination's directory, so the rename survives a crash.
// - Not thread-safe: one download uses it at a time.
#ifndef VIDEOPLATFORM_SERVER_INGEST_PARTIAL_FILE_H_
#define VIDEOPLATFORM_SERVER_INGEST_PARTIAL_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace videoplatform::ingest {

// "<destination>.partial".
std::string PartialPathFor(const std::string& destination);

class PartialFile {
 public:
  // Errors: ABORTED when another download holds the file; UNAVAILABLE (disk
  // full) or INTERNAL (with errno's text) when it cannot be opened or read.
  static absl::StatusOr<std::unique_ptr<PartialFile>> Open(std::string path);
  ~PartialFile();  // Closes (and unlocks); the file stays.
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  const std::string& path() const { return path_; }
  int64_t size() const { return size_; }

  // UNAVAILABLE when the disk is full, INTERNAL for other errors.
  absl::Status Append(const char* data, size_t length);
  // Empties the file and restarts the hash.
  absl::Status Truncate();
  // fsync.
  absl::Status Sync();
  // Lower-case hex SHA-256 of the bytes so far.
  std::string Sha256Hex() const;

  // Sync(), rename to `destination`, fsync its directory. The object stays
  // usable for size() and Sha256Hex() only.
  absl::Status CommitTo(const std::string& destination);
  // Deletes the file (best effort; used when it can never become valid).
  void Remove();

 private:
  PartialFile(std::string path, int fd);
  absl::Status HashExisting();
  absl::Status ResetHash();

  const std::string path_;
  int fd_ = -1;
  int64_t size_ = 0;
  EVP_MD_CTX* sha256_ = nullptr;
};

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_PARTIAL_FILE_H_
