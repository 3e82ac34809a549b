// Streams one remote file (an S3 object or an HTTPS URL) to a local file,
// resuming a partial download, and verifies it.
//
// Contract:
// - Memory stays flat whatever the file size: bytes go straight to disk.
// - The result is written to `<destination>.partial` first; on success the
//   partial file is fsynced, checked (size limit, media probe) and renamed to
//   `destination`, whose directory is fsynced too. A partial file left by an
//   earlier attempt (or a crash) is continued with an HTTP Range request when
//   the server allows it, else restarted.
// - Retries 429, 5xx, timeouts, stalls and connection errors with capped
//   exponential backoff and jitter, up to DownloadOptions::max_attempts
//   within the deadline; other 4xx fail at once with the server's message.
// - Thread-safe: one Downloader serves many concurrent Download() calls.
#ifndef VIDEOPLATFORM_SERVER_INGEST_DOWNLOADER_H_
#define VIDEOPLATFORM_SERVER_INGEST_DOWNLOADER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace videoplatform::ingest {

// Credentials and endpoint of an S3-compatible store (AWS SigV4).
struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // Never logged or put in errors.
  std::string region;             // e.g. "us-east-1".
  // Empty for AWS (https://<bucket>.s3.<region>.amazonaws.com); else a base
  // URL such as http://127.0.0.1:4568 for path-style access (tests, MinIO).
  std::string endpoint;
};

struct DownloadSource {
  // Exactly one of: an S3 object, or an HTTPS URL.
  std::string s3_bucket;
  std::string s3_key;
  S3Credentials s3;
  std::string url;
};

struct DownloadOptions {
  int64_t max_bytes = int64_t{8} << 30;  // Larger files fail: "too large".
  int max_attempts = 5;
  absl::Duration initial_backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Seconds(30);
  // A transfer slower than 1 KiB/s for this long counts as stalled.
  absl::Duration stall_timeout = absl::Seconds(30);
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Time deadline = absl::InfiniteFuture();
};

// Facts read from a downloaded media file.
struct MediaFacts {
  std::string container;
  double duration_seconds = 0;
  bool has_audio = false;
  bool has_video = false;
};

struct DownloadResult {
  std::string path;  // == destination.
  int64_t size_bytes = 0;
  std::string sha256_hex;
  MediaFacts media;
  int attempts = 0;  // HTTP requests sent (retries, resumes, redirects).
};

// Progress reports: bytes on disk so far and the total (0 while unknown).
using ProgressCallback = std::function<void(int64_t done, int64_t total)>;

class Downloader {
 public:
  virtual ~Downloader() = default;

  // Errors: INVALID_ARGUMENT for a refused source (see UrlPolicy),
  // NOT_FOUND / PERMISSION_DENIED / UNAUTHENTICATED / FAILED_PRECONDITION
  // for the server's 4xx (with its message), RESOURCE_EXHAUSTED for a file
  // above max_bytes, UNAVAILABLE / DEADLINE_EXCEEDED when retries ran out
  // (UNAVAILABLE also for a full disk), ABORTED while another Download()
  // writes the same destination, FAILED_PRECONDITION "no audio stream" for
  // a file without audio, INVALID_ARGUMENT "not a media file" for anything
  // the probe cannot read, INTERNAL when the probe cannot run.
  virtual absl::StatusOr<DownloadResult> Download(
      const DownloadSource& source, const std::string& destination,
      const DownloadOptions& options, const ProgressCallback& progress) = 0;
};

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_DOWNLOADER_H_
