#include "tests/fakes/fake_http_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace videoplatform::fakes {
namespace {

// The port of a socket address (IPv4 or IPv6), -1 for anything else.
int PortOf(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  }
  return -1;
}

}  // namespace

nlohmann::json RecordedRequest::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

std::string RecordedRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

Fault Fault::Status(int status, int times) {
  Fault fault;
  fault.kind = Kind::kStatus;
  fault.status = status;
  fault.times = times;
  return fault;
}

Fault Fault::RateLimited(int retry_after_seconds, int times) {
  Fault fault = Status(429, times);
  if (retry_after_seconds >= 0) {
    fault.headers["Retry-After"] = absl::StrCat(retry_after_seconds);
  }
  return fault;
}

Fault Fault::Slow(absl::Duration delay, int times) {
  Fault fault;
  fault.kind = Kind::kSlow;
  fault.delay = delay;
  fault.times = times;
  return fault;
}

Fault Fault::MalformedJson(int times) {
  Fault fault;
  fault.kind = Kind::kMalformedJson;
  fault.times = times;
  return fault;
}

Fault Fault::DropConnection(int times) {
  Fault fault;
  fault.kind = Kind::kDropConnection;
  fault.times = times;
  return fault;
}

Fault Fault::HangUp(int times) {
  Fault fault;
  fault.kind = Kind::kHangUp;
  fault.times = times;
  return fault;
}

Fault& Fault::For(std::string only_method, std::string only_path_prefix) {
  method = std::move(only_method);
  path_prefix = std::move(only_path_prefix);
  return *this;
}

Fault& Fault::AfterHandling() {
  after_handling = true;
  return *this;
}

FakeHttpServer::FakeHttpServer(std::string api_prefix)
    : api_prefix_(std::move(api_prefix)) {
  // Keep connections open across many calls (the client reuses them), but
  // not for long after the client goes away.
  server_.set_keep_alive_max_count(1000);
  server_.set_keep_alive_timeout(1);
  server_.set_tcp_nodelay(true);  // No Nagle/delayed-ACK stalls.
  // cpp-httplib writes without MSG_NOSIGNAL: writing the answer to a
  // connection a kHangUp fault shut down must fail with EPIPE, not kill the
  // test process.
  signal(SIGPIPE, SIG_IGN);
  server_.new_task_queue = [] { return new httplib::ThreadPool(8); };
  server_.set_exception_handler([this](const httplib::Request&,
                                       httplib::Response& res,
                                       std::exception_ptr) {
    res.status = 500;
    res.set_content(ErrorBody(500, "fake: handler threw"), "application/json");
  });
}

FakeHttpServer::~FakeHttpServer() { Stop(); }

absl::Status FakeHttpServer::Start(int port) {
  if (runner_.started()) {
    return absl::FailedPreconditionError("fake already started");
  }
  // Anything no route matched: recorded, then the API's own 404.
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    Wrap(method, ".*", [this](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(ErrorBody(404, "no such endpoint"), "application/json");
    });
  }
  return runner_.Start(port);
}

void FakeHttpServer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;  // Wakes delayed responses.
  }
  runner_.Stop();
}

std::string FakeHttpServer::base_url() const {
  return absl::StrCat("http://127.0.0.1:", runner_.port(), api_prefix_);
}

void FakeHttpServer::AddFault(Fault fault) {
  absl::MutexLock lock(&mu_);
  faults_.push_back(std::move(fault));
}

void FakeHttpServer::ClearFaults() {
  absl::MutexLock lock(&mu_);
  faults_.clear();
}

std::vector<RecordedRequest> FakeHttpServer::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

size_t FakeHttpServer::request_count() const {
  absl::MutexLock lock(&mu_);
  return requests_.size();
}

void FakeHttpServer::ClearRequests() {
  absl::MutexLock lock(&mu_);
  requests_.clear();
}

bool FakeHttpServer::WaitForRequests(size_t count,
                                     absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, count]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return requests_.size() >= count;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

void FakeHttpServer::Route(const std::string& method,
                           const std::string& pattern, Handler handler) {
  Wrap(method, pattern, std::move(handler));
}

void FakeHttpServer::Wrap(const std::string& method, const std::string& pattern,
                          Handler handler) {
  // Escape regex metacharacters of the prefix ("/v1" has none, but stay
  // correct for any).
  std::string prefix;
  for (char c : api_prefix_) {
    if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) {
      prefix.push_back('\\');
    }
    prefix.push_back(c);
  }
  const std::string full = prefix + pattern;
  auto wrapped = [this, handler = std::move(handler)](
                     const httplib::Request& req, httplib::Response& res) {
    Record(req);
    std::optional<Fault> after;
    if (ApplyFault(req, res, &after)) return;
    handler(req, res);
    if (!after.has_value()) return;
    if (after->kind == Fault::Kind::kHangUp) {
      HangUp(req);
    } else {
      DropConnection(res);
    }
  };
  if (method == "GET") {
    server_.Get(full, wrapped);
  } else if (method == "POST") {
    server_.Post(full, wrapped);
  } else if (method == "PUT") {
    server_.Put(full, wrapped);
  } else if (method == "PATCH") {
    server_.Patch(full, wrapped);
  } else if (method == "DELETE") {
    server_.Delete(full, wrapped);
  }
}

void FakeHttpServer::Record(const httplib::Request& req) {
  RecordedRequest r;
  r.method = req.method;
  r.path = req.path;
  r.target = req.target;
  for (const auto& [key, value] : req.params) r.query.emplace(key, value);
  for (const auto& [key, value] : req.headers) {
    r.headers[absl::AsciiStrToLower(key)] = value;
  }
  r.body = req.body;
  for (const auto& [name, file] : req.files) {
    r.files.push_back(RecordedFile{file.name, file.filename, file.content_type,
                                   file.content});
  }
  r.remote_port = req.remote_port;
  absl::MutexLock lock(&mu_);
  requests_.push_back(std::move(r));
}

void FakeHttpServer::DropConnection(httplib::Response& res) {
  res.body.clear();
  res.headers.erase("Content-Type");
  res.set_content_provider(1024, "application/json",
                           [](size_t offset, size_t, httplib::DataSink& sink) {
                             if (offset == 0) sink.write("{\"partial\":", 11);
                             return false;  // Closes the connection mid-body.
                           });
}

void FakeHttpServer::HangUp(const httplib::Request& req) {
  // cpp-httplib does not expose the socket; find it among this process's
  // descriptors by its local and peer ports.
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) std::abort();
  bool found = false;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    struct stat st;
    if (fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) {
      continue;
    }
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local),
                    &local_len) != 0 ||
        getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer),
                    &peer_len) != 0) {
      continue;
    }
    if (PortOf(local) == req.local_port && PortOf(peer) == req.remote_port) {
      shutdown(static_cast<int>(fd), SHUT_RDWR);
      found = true;
      break;
    }
  }
  closedir(dir);
  if (!found) std::abort();  // A fault that silently did nothing lies.
}

bool FakeHttpServer::ApplyFault(const httplib::Request& req,
                                httplib::Response& res,
                                std::optional<Fault>* after) {
  Fault fault;
  {
    absl::MutexLock lock(&mu_);
    auto it = std::find_if(faults_.begin(), faults_.end(), [&](const Fault& f) {
      return (f.method.empty() || f.method == req.method) &&
             absl::StartsWith(req.path, api_prefix_ + f.path_prefix);
    });
    if (it == faults_.end()) return false;
    fault = *it;
    if (--it->times <= 0) faults_.erase(it);
  }
  switch (fault.kind) {
    case Fault::Kind::kStatus: {
      const int status = fault.status == 0 ? 503 : fault.status;
      res.status = status;
      DecorateError(status, res);
      for (const auto& [name, value] : fault.headers) {
        res.set_header(name, value);
      }
      res.set_content(
          fault.body.empty() ? ErrorBody(status, "injected fault") : fault.body,
          "application/json");
      return true;
    }
    case Fault::Kind::kSlow: {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), fault.delay);
      return stopping_;  // Stopping: answer nothing more.
    }
    case Fault::Kind::kMalformedJson:
      res.status = fault.status == 0 ? 200 : fault.status;
      res.set_content("{\"truncated\": [1, 2", "application/json");
      return true;
    case Fault::Kind::kDropConnection:
      if (fault.after_handling) {
        *after = fault;
        return false;
      }
      res.status = fault.status == 0 ? 200 : fault.status;
      DropConnection(res);
      return true;
    case Fault::Kind::kHangUp:
      if (fault.after_handling) {
        *after = fault;
        return false;
      }
      HangUp(req);
      return true;
  }
  return false;
}

std::string FakeIsoTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

void FakeHttpServer::SendJson(httplib::Response& res, int status,
                              const nlohmann::json& body) {
  res.status = status;
  res.set_content(
      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
      "application/json");
}

}  // namespace videoplatform::fakes
