// One spdlog line per HTTP request:
//
//   http POST /v1/whereby 200 platform=whereby outcome=applied 3.2ms
//
// Never header values or body bytes. An unknown path is logged escaped and
// cut to 64 bytes; an ignored webhook's reason (from the service) is added.
// A request refused before its request line was parsed is logged with
// method "-".
#ifndef VIDEOPLATFORM_SERVER_SHIM_REQUEST_LOG_H_
#define VIDEOPLATFORM_SERVER_SHIM_REQUEST_LOG_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/shim/http_answer.h"
#include "server/shim/shim_metrics.h"

namespace videoplatform::shim {

// The fields of one request's log line, filled as the request is served.
// Not thread-safe: owned by the connection serving the request.
class RequestLogEntry {
 public:
  // Starts a request (clears the fields; the duration counts from now).
  void Begin();
  // The request line: method and path (query excluded), as sent.
  void SetRequestLine(absl::string_view method, absl::string_view path);
  void SetPlatform(absl::string_view platform);
  // Writes the line for the answer `answer` (its status, outcome and log
  // detail), then clears the fields.
  // Also counts the request in `metrics` when set (see set_metrics).
  void End(const HttpAnswer& answer);

  // Where End() counts requests (not owned; may be null). Kept across
  // requests.
  void set_metrics(ShimMetrics* metrics) { metrics_ = metrics; }

 private:
  ShimMetrics* metrics_ = nullptr;
  std::optional<absl::Time> start_;
  std::string method_;
  std::string path_;
  std::string platform_;
};

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_REQUEST_LOG_H_
