// A loopback HTTP server for provider fakes (cpp-httplib underneath): it
// records every request and injects faults, so fakes only implement the
// API's own behaviour.
//
// Thread-safety: every public method may be called from any thread while
// the server runs; handlers run on the server's worker threads.
//
// Shutdown: Stop() (or the destructor) wakes delayed responses at once, but
// waits for connections a client keeps alive (at most the keep-alive
// timeout, 1 s); destroy HTTP clients before the fake to avoid that wait.
#ifndef VIDEOPLATFORM_TESTS_FAKES_FAKE_HTTP_SERVER_H_
#define VIDEOPLATFORM_TESTS_FAKES_FAKE_HTTP_SERVER_H_

#include <httplib.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/fakes/loopback_runner.h"

namespace videoplatform::fakes {

struct RecordedFile {
  std::string field_name;
  std::string filename;
  std::string content_type;
  std::string content;
};

struct RecordedRequest {
  std::string method;
  std::string path;    // Percent-decoded, without the query.
  std::string target;  // As sent, e.g. "/v1/x?roomName=%2Froom".
  std::multimap<std::string, std::string> query;  // Decoded.
  std::map<std::string, std::string> headers;     // Lower-case names.
  std::string body;
  std::vector<RecordedFile> files;  // multipart/form-data parts with files.
  int remote_port = 0;              // Tells connections apart.

  // The body as JSON; a discarded value when it is not JSON.
  nlohmann::json Json() const;
  // "" when absent.
  std::string Header(const std::string& lower_case_name) const;
};

// A fault for the next `times` requests that match `method` and
// `path_prefix` (empty: any). Faults apply before authentication, like a
// load balancer's or rate limiter's would; the request is still recorded.
struct Fault {
  enum class Kind {
    // Answers `status` with `headers` and `body` (the fake's own error body
    // for that status when empty).
    kStatus,
    // Holds the response for `delay`, then handles the request normally.
    kSlow,
    // Answers `status` (200 when 0) with a body that is not JSON.
    kMalformedJson,
    // Sends the status line and headers, part of the body, then closes the
    // connection. With `after_handling`, the request is handled first (its
    // effects happen) and only the answer is lost.
    kDropConnection,
    // Closes the connection without sending a byte of answer, like a server
    // that closed a kept-alive connection as the request arrived. With
    // `after_handling`, the request is handled first (its effects happen).
    kHangUp,
  };
  Kind kind = Kind::kStatus;
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  absl::Duration delay = absl::ZeroDuration();
  int times = 1;
  std::string method;
  std::string path_prefix;
  bool after_handling = false;

  // Answers `status` (the fake's error body) `times` times.
  static Fault Status(int status, int times = 1);
  // Answers 429, with "Retry-After: <seconds>" when seconds >= 0.
  static Fault RateLimited(int retry_after_seconds, int times = 1);
  static Fault Slow(absl::Duration delay, int times = 1);
  static Fault MalformedJson(int times = 1);
  static Fault DropConnection(int times = 1);
  static Fault HangUp(int times = 1);
  // Restricts the fault to one method and path prefix (relative to the API
  // prefix, e.g. "/meetings").
  Fault& For(std::string only_method, std::string only_path_prefix = "");
  // For kDropConnection and kHangUp: handle the request, then lose the
  // answer.
  Fault& AfterHandling();
};

class FakeHttpServer {
 public:
  virtual ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  // Listens on 127.0.0.1:`port` (0: any free port) in a background thread.
  absl::Status Start(int port = 0);
  void Stop();

  int port() const { return runner_.port(); }
  // "http://127.0.0.1:<port><api prefix>", e.g. ".../v1".
  std::string base_url() const;

  void AddFault(Fault fault);
  void ClearFaults();

  std::vector<RecordedRequest> requests() const;
  size_t request_count() const;
  void ClearRequests();
  // True once at least `count` requests were recorded, false on timeout.
  bool WaitForRequests(size_t count, absl::Duration timeout) const;

 protected:
  using Handler =
      std::function<void(const httplib::Request&, httplib::Response&)>;

  // `api_prefix` is the path every route lives under, e.g. "/v1".
  explicit FakeHttpServer(std::string api_prefix);

  // Registers `handler` for `method` and a path regex relative to the API
  // prefix (e.g. R"(/rooms/([^/]+))"); requests are recorded and faults
  // applied first. Call from the subclass constructor.
  void Route(const std::string& method, const std::string& pattern,
             Handler handler);

  // The API's error body for a status (used by faults and unknown routes).
  virtual std::string ErrorBody(int status,
                                const std::string& message) const = 0;
  // Adds the API's extra headers to an injected error (e.g. rate-limit
  // headers on a 429).
  virtual void DecorateError(int status, httplib::Response& res) const {}

  static void SendJson(httplib::Response& res, int status,
                       const nlohmann::json& body);

 private:
  // Returns true when a fault answered the request. A fault that lets the
  // handler run first is returned in `after`.
  bool ApplyFault(const httplib::Request& req, httplib::Response& res,
                  std::optional<Fault>* after);
  void Record(const httplib::Request& req);
  static void DropConnection(httplib::Response& res);
  // Shuts down the socket `req` arrived on (found by its two ports), so the
  // client reads end-of-stream before any answer byte.
  static void HangUp(const httplib::Request& req);
  void Wrap(const std::string& method, const std::string& pattern,
            Handler handler);

  const std::string api_prefix_;
  httplib::Server server_;
  LoopbackRunner runner_{server_};

  mutable absl::Mutex mu_;
  std::vector<RecordedRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::deque<Fault> faults_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

// ISO-8601 UTC with milliseconds, as Whereby and Daily write dates, e.g.
// "2025-01-18T12:00:00.000Z".
std::string FakeIsoTime(absl::Time t);

}  // namespace videoplatform::fakes

#endif  // VIDEOPLATFORM_TESTS_FAKES_FAKE_HTTP_SERVER_H_
