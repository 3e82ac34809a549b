#include "tests/fakes/fake_http_server.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace videoplatform::fakes {
namespace {}  // namespace

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
    if (after.has_value()) DropConnection(res);
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
