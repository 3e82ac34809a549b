#include "server/ingest/testing/fault_file_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace videoplatform::ingest::testing {
namespace {

constexpr size_t kChunk = 64 << 10;

std::string S3Error(absl::string_view code_and_message) {
  const size_t colon = code_and_message.find(": ");
  const absl::string_view code = code_and_message.substr(0, colon);
  const absl::string_view message = colon == absl::string_view::npos
                                        ? code
                                        : code_and_message.substr(colon + 2);
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>", code,
      "</Code><Message>", message, "</Message></Error>");
}

// An open file shared by a response's content provider and its releaser.
struct OpenFile {
  explicit OpenFile(int fd) : fd(fd) {}
  ~OpenFile() {
    if (fd >= 0) close(fd);
  }
  int fd;
};

}  // namespace

FileFault FileFault::Status(int status, std::string body, int times) {
  FileFault fault;
  fault.kind = Kind::kStatus;
  fault.status = status;
  fault.body = std::move(body);
  fault.times = times;
  return fault;
}

FileFault FileFault::RateLimited(int retry_after_seconds, int times) {
  FileFault fault = Status(429, "slow down", times);
  fault.headers["Retry-After"] = absl::StrCat(retry_after_seconds);
  return fault;
}

FileFault FileFault::DropHalfway(int times) {
  FileFault fault;
  fault.kind = Kind::kDropHalfway;
  fault.times = times;
  return fault;
}

FileFault FileFault::Stall(absl::Duration stall_for, int times) {
  FileFault fault;
  fault.kind = Kind::kStall;
  fault.stall_for = stall_for;
  fault.times = times;
  return fault;
}

FileFault FileFault::IgnoreRange(int times) {
  FileFault fault;
  fault.kind = Kind::kIgnoreRange;
  fault.times = times;
  return fault;
}

FileFault FileFault::Chunked(int times) {
  FileFault fault;
  fault.kind = Kind::kChunked;
  fault.times = times;
  return fault;
}

FaultFileServer::FaultFileServer() {
  server_.set_keep_alive_timeout(1);
  server_.set_tcp_nodelay(true);
  server_.new_task_queue = [] { return new httplib::ThreadPool(8); };
  server_.Get(".*", [this](const httplib::Request& req,
                           httplib::Response& res) { Handle(req, res); });
}

FaultFileServer::~FaultFileServer() { Stop(); }

absl::Status FaultFileServer::Start(int port) { return runner_.Start(port); }

void FaultFileServer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  runner_.Stop();
}

std::string FaultFileServer::Url(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", runner_.port(), path);
}

void FaultFileServer::ServeFile(const std::string& url_path,
                                const std::string& file_path) {
  absl::MutexLock lock(&mu_);
  files_[url_path] = file_path;
}

void FaultFileServer::AddFault(FileFault fault) {
  absl::MutexLock lock(&mu_);
  faults_.push_back(std::move(fault));
}

void FaultFileServer::RequireSigV4(SigV4Key key) {
  absl::MutexLock lock(&mu_);
  sigv4_ = std::move(key);
}

std::vector<ServedRequest> FaultFileServer::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

size_t FaultFileServer::request_count() const {
  absl::MutexLock lock(&mu_);
  return requests_.size();
}

bool FaultFileServer::WaitForRequests(size_t count,
                                      absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, count]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return requests_.size() >= count;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

std::optional<FileFault> FaultFileServer::NextFault() {
  absl::MutexLock lock(&mu_);
  if (faults_.empty()) return std::nullopt;
  FileFault fault = faults_.front();
  if (--faults_.front().times <= 0) faults_.pop_front();
  return fault;
}

void FaultFileServer::WaitForStop(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), timeout);
}

void FaultFileServer::Handle(const httplib::Request& req,
                             httplib::Response& res) {
  ServedRequest served;
  served.method = req.method;
  served.target = req.target;
  served.range = req.get_header_value("Range");
  served.authorization = req.get_header_value("Authorization");
  served.content_sha256 = req.get_header_value("x-amz-content-sha256");
  served.time = absl::Now();
  // Ranges are answered here, not by httplib (which would also cut a 200
  // answer to the asked range): take them over. The Request object is not
  // const; httplib only hands it out as const.
  const httplib::Ranges ranges = req.ranges;
  const_cast<httplib::Request&>(req).ranges.clear();

  std::optional<SigV4Key> sigv4;
  std::string file_path;
  {
    absl::MutexLock lock(&mu_);
    sigv4 = sigv4_;
    auto it = files_.find(req.path);
    if (it != files_.end()) file_path = it->second;
  }
  auto record = [&](int status) {
    served.status = status;
    absl::MutexLock lock(&mu_);
    requests_.push_back(served);
  };

  if (sigv4.has_value()) {
    absl::Status signed_ok = CheckSigV4(
        req.method, req.target,
        [&req](const std::string& name) { return req.get_header_value(name); },
        *sigv4);
    if (!signed_ok.ok()) {
      res.status = 403;
      res.set_content(S3Error(signed_ok.message()), "application/xml");
      record(res.status);
      return;
    }
  }
  std::optional<FileFault> fault = NextFault();
  if (fault.has_value() && fault->kind == FileFault::Kind::kStatus) {
    res.status = fault->status;
    for (const auto& [name, value] : fault->headers) {
      res.set_header(name, value);
    }
    res.set_content(fault->body, "text/plain");
    record(res.status);
    return;
  }

  const int fd =
      file_path.empty() ? -1 : open(file_path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    if (fd >= 0) close(fd);
    res.status = 404;
    res.set_content(S3Error("NoSuchKey: The specified key does not exist."),
                    "application/xml");
    record(res.status);
    return;
  }
  auto file = std::make_shared<OpenFile>(fd);
  const int64_t size = st.st_size;
  // A weak validator from size and modification time, like a file server's.
  res.set_header("ETag", absl::StrCat("\"", size, "-", st.st_mtim.tv_sec, "-",
                                      st.st_mtim.tv_nsec, "\""));
  res.set_header("Accept-Ranges", "bytes");

  int64_t first = 0;
  int64_t last = size - 1;
  const bool ignore_range =
      fault.has_value() && fault->kind == FileFault::Kind::kIgnoreRange;
  if (!ranges.empty() && !ignore_range) {
    // Single ranges "N-" and "N-M" (what downloaders send).
    first = ranges[0].first;
    if (ranges[0].second >= 0) last = std::min<int64_t>(ranges[0].second, last);
    if (first < 0 || first >= size) {
      res.status = 416;
      res.set_header("Content-Range", absl::StrCat("bytes */", size));
      res.set_content("range not satisfiable", "text/plain");
      record(res.status);
      return;
    }
    res.status = 206;
    res.set_header("Content-Range",
                   absl::StrCat("bytes ", first, "-", last, "/", size));
  } else {
    res.status = 200;
  }
  const int64_t length = last - first + 1;
  record(res.status);

  const FileFault::Kind kind =
      fault.has_value() ? fault->kind : FileFault::Kind::kIgnoreRange;
  // Bytes of the body sent before the fault strikes (-1: no fault).
  int64_t stop_at = -1;
  if (kind == FileFault::Kind::kDropHalfway) stop_at = length / 2;
  if (kind == FileFault::Kind::kStall) {
    stop_at = std::min(length, fault->stall_after_bytes);
  }
  const absl::Duration stall_for =
      kind == FileFault::Kind::kStall ? fault->stall_for : absl::ZeroDuration();

  auto read_chunk = [file, first, length, stop_at](int64_t offset,
                                                   httplib::DataSink& sink) {
    int64_t limit = length;
    if (stop_at >= 0) limit = std::min(limit, stop_at);
    const int64_t n = std::min<int64_t>(kChunk, limit - offset);
    if (n <= 0) return false;
    std::string buf(static_cast<size_t>(n), '\0');
    const ssize_t got = pread(file->fd, buf.data(), buf.size(), first + offset);
    if (got <= 0) return false;
    return sink.write(buf.data(), static_cast<size_t>(got));
  };
  if (kind == FileFault::Kind::kChunked) {
    res.set_chunked_content_provider(
        "application/octet-stream",
        [read_chunk, length](size_t offset, httplib::DataSink& sink) {
          if (static_cast<int64_t>(offset) >= length) {
            sink.done();
            return true;
          }
          return read_chunk(static_cast<int64_t>(offset), sink);
        });
    return;
  }
  res.set_content_provider(
      static_cast<size_t>(length), "application/octet-stream",
      [this, read_chunk, stop_at, stall_for](size_t offset, size_t,
                                             httplib::DataSink& sink) {
        if (stop_at >= 0 && static_cast<int64_t>(offset) >= stop_at) {
          if (stall_for > absl::ZeroDuration()) WaitForStop(stall_for);
          return false;  // Closes the connection mid-body.
        }
        return read_chunk(static_cast<int64_t>(offset), sink);
      });
}

}  // namespace videoplatform::ingest::testing
