// A loopback file server (cpp-httplib) that injects download faults: it
// serves files from disk with single-range Range support and an ETag, and
// answers the next requests with scripted faults. Optionally it requires
// S3-style SigV4 signatures (sigv4_check.h) and answers S3's XML errors.
//
// Files are read from disk in 64 KiB chunks per response, so it can serve
// files of any size with flat memory (the ingest benchmark uses it).
//
// Thread-safety: every method may be called from any thread while the
// server runs. Stop() (or the destructor) wakes stalled responses at once.
#ifndef VIDEOPLATFORM_SERVER_INGEST_TESTING_FAULT_FILE_SERVER_H_
#define VIDEOPLATFORM_SERVER_INGEST_TESTING_FAULT_FILE_SERVER_H_

#include <httplib.h>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/ingest/testing/sigv4_check.h"
#include "tests/fakes/loopback_runner.h"

namespace videoplatform::ingest::testing {

// A fault for the next `times` GET requests (of any path).
struct FileFault {
  enum class Kind {
    // Answers `status` with `headers` and `body`.
    kStatus,
    // Announces the full length, sends half of the body, closes.
    kDropHalfway,
    // Announces the full length, sends `stall_after_bytes`, then nothing
    // for `stall_for` (or until Stop()), then closes.
    kStall,
    // Answers 200 with the whole file even when a Range is asked.
    kIgnoreRange,
    // Sends the body with chunked encoding: no Content-Length up front.
    kChunked,
  };
  Kind kind = Kind::kStatus;
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  absl::Duration stall_for = absl::Seconds(30);
  int64_t stall_after_bytes = 4096;
  int times = 1;

  static FileFault Status(int status, std::string body = "", int times = 1);
  // 429 with "Retry-After: <seconds>".
  static FileFault RateLimited(int retry_after_seconds, int times = 1);
  static FileFault DropHalfway(int times = 1);
  static FileFault Stall(absl::Duration stall_for, int times = 1);
  static FileFault IgnoreRange(int times = 1);
  static FileFault Chunked(int times = 1);
};

// What the server saw and answered.
struct ServedRequest {
  std::string method;
  std::string target;  // As sent, e.g. "/bucket/a%3Ab.mp4".
  std::string range;   // The Range header, "" when absent.
  std::string authorization;
  std::string content_sha256;  // x-amz-content-sha256.
  int status = 0;              // The answer's status.
  absl::Time time;             // When the request arrived.
};

class FaultFileServer {
 public:
  FaultFileServer();
  ~FaultFileServer();
  FaultFileServer(const FaultFileServer&) = delete;
  FaultFileServer& operator=(const FaultFileServer&) = delete;

  // Listens on 127.0.0.1:`port` (0: any free port).
  absl::Status Start(int port = 0);
  void Stop();

  int port() const { return runner_.port(); }
  // "http://127.0.0.1:<port><path>".
  std::string Url(const std::string& path) const;

  // Serves `file_path` at the (decoded) request path `url_path`.
  void ServeFile(const std::string& url_path, const std::string& file_path);
  void AddFault(FileFault fault);
  // From now on, requests must carry a valid SigV4 signature for `key`;
  // others get 403 with S3's XML error.
  void RequireSigV4(SigV4Key key);

  std::vector<ServedRequest> requests() const;
  size_t request_count() const;
  // True once at least `count` requests arrived, false after `timeout`.
  bool WaitForRequests(size_t count, absl::Duration timeout) const;

 private:
  void Handle(const httplib::Request& req, httplib::Response& res);
  std::optional<FileFault> NextFault();
  // Waits until Stop() or `timeout`.
  void WaitForStop(absl::Duration timeout);

  httplib::Server server_;
  fakes::LoopbackRunner runner_{server_};

  mutable absl::Mutex mu_;
  std::map<std::string, std::string> files_ ABSL_GUARDED_BY(mu_);
  std::deque<FileFault> faults_ ABSL_GUARDED_BY(mu_);
  std::optional<SigV4Key> sigv4_ ABSL_GUARDED_BY(mu_);
  std::vector<ServedRequest> requests_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace videoplatform::ingest::testing

#endif  // VIDEOPLATFORM_SERVER_INGEST_TESTING_FAULT_FILE_SERVER_H_
