#include "server/ingest/partial_file.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace videoplatform::ingest {
namespace {

constexpr size_t kHashChunk = 1 << 20;

absl::Status FileError(absl::string_view what, const std::string& path,
                       int error) {
  const std::string message =
      absl::StrCat(what, " ", path, ": ", std::strerror(error));
  // A full disk is the server's condition, not the file's: retry later
  // (RESOURCE_EXHAUSTED is kept for files above the size limit).
  if (error == ENOSPC || error == EDQUOT) {
    return absl::UnavailableError(absl::StrCat(message, " (disk full)"));
  }
  return absl::InternalError(message);
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::string PartialPathFor(const std::string& destination) {
  return destination + ".partial";
}

PartialFile::PartialFile(std::string path, int fd)
    : path_(std::move(path)), fd_(fd), sha256_(EVP_MD_CTX_new()) {}

PartialFile::~PartialFile() {
  if (fd_ >= 0) close(fd_);
  EVP_MD_CTX_free(sha256_);
}

absl::StatusOr<std::unique_ptr<PartialFile>> PartialFile::Open(
    std::string path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return FileError("cannot open", path, errno);
  std::unique_ptr<PartialFile> file(new PartialFile(std::move(path), fd));
  if (file->sha256_ == nullptr) return absl::InternalError("EVP_MD_CTX_new");
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return absl::AbortedError(
          absl::StrCat(file->path_, " is being written by another download"));
    }
    return FileError("cannot lock", file->path_, errno);
  }
  if (absl::Status s = file->HashExisting(); !s.ok()) return s;
  return file;
}

absl::Status PartialFile::ResetHash() {
  if (EVP_DigestInit_ex(sha256_, EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("EVP_DigestInit_ex(sha256) failed");
  }
  return absl::OkStatus();
}

absl::Status PartialFile::HashExisting() {
  if (absl::Status s = ResetHash(); !s.ok()) return s;
  struct stat st;
  if (fstat(fd_, &st) != 0) return FileError("cannot stat", path_, errno);
  std::vector<char> buf(kHashChunk);
  int64_t offset = 0;
  while (offset < st.st_size) {
    const ssize_t n = pread(fd_, buf.data(), buf.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FileError("cannot read", path_, errno);
    if (n == 0) break;  // Shrunk meanwhile: hash what is there.
    EVP_DigestUpdate(sha256_, buf.data(), static_cast<size_t>(n));
    offset += n;
  }
  size_ = offset;
  if (offset != st.st_size && ftruncate(fd_, offset) != 0) {
    return FileError("cannot truncate", path_, errno);
  }
  return absl::OkStatus();
}

absl::Status PartialFile::Append(const char* data, size_t length) {
  size_t written = 0;
  while (written < length) {
    const ssize_t n =
        pwrite(fd_, data + written, length - written, size_ + written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      // Cut back what was written, so bytes on disk == bytes hashed.
      if (ftruncate(fd_, size_) != 0) {
        // Best effort: the next Open() re-hashes whatever is on disk.
      }
      return FileError("cannot write", path_, error);
    }
    written += static_cast<size_t>(n);
  }
  EVP_DigestUpdate(sha256_, data, length);
  size_ += static_cast<int64_t>(length);
  return absl::OkStatus();
}

absl::Status PartialFile::Truncate() {
  if (ftruncate(fd_, 0) != 0) return FileError("cannot truncate", path_, errno);
  size_ = 0;
  return ResetHash();
}

absl::Status PartialFile::Sync() {
  if (fsync(fd_) != 0) return FileError("cannot fsync", path_, errno);
  return absl::OkStatus();
}

std::string PartialFile::Sha256Hex() const {
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (copy == nullptr || EVP_MD_CTX_copy_ex(copy, sha256_) != 1 ||
      EVP_DigestFinal_ex(copy, digest, &length) != 1) {
    length = 0;
  }
  EVP_MD_CTX_free(copy);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

absl::Status PartialFile::CommitTo(const std::string& destination) {
  if (absl::Status s = Sync(); !s.ok()) return s;
  if (rename(path_.c_str(), destination.c_str()) != 0) {
    return FileError(absl::StrCat("cannot rename ", path_, " to"), destination,
                     errno);
  }
  const std::string dir = DirectoryOf(destination);
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return FileError("cannot open directory", dir, errno);
  const int rc = fsync(dir_fd);
  const int error = errno;
  close(dir_fd);
  if (rc != 0) return FileError("cannot fsync directory", dir, error);
  return absl::OkStatus();
}

void PartialFile::Remove() { unlink(path_.c_str()); }

}  // namespace videoplatform::ingest
