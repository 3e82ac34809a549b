#include "server/shim/request_log.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "server/shim/routes.h"
#include "spdlog/spdlog.h"

namespace videoplatform::shim {
namespace {

constexpr size_t kMaxLoggedBytes = 64;

// Client-controlled text, made safe for one log line.
std::string Printable(absl::string_view text) {
  const bool cut = text.size() > kMaxLoggedBytes;
  std::string escaped = absl::CHexEscape(text.substr(0, kMaxLoggedBytes));
  if (cut) escaped += "...";
  return escaped;
}

}  // namespace

void RequestLogEntry::Begin() {
  ShimMetrics* const metrics = metrics_;
  *this = RequestLogEntry();
  metrics_ = metrics;
  start_ = absl::Now();
}

void RequestLogEntry::SetRequestLine(absl::string_view method,
                                     absl::string_view path) {
  method_ = Printable(method);
  const Route* route = FindRoute(path);
  path_ = route != nullptr ? std::string(route->path) : Printable(path);
}

void RequestLogEntry::SetPlatform(absl::string_view platform) {
  platform_ = std::string(platform);
}

void RequestLogEntry::End(const HttpAnswer& answer) {
  std::string duration = "-";
  if (start_.has_value()) {
    duration = absl::StrFormat(
        "%.1fms", absl::ToDoubleMilliseconds(absl::Now() - *start_));
  }
  std::string line =
      absl::StrCat("http ", method_.empty() ? "-" : method_, " ",
                   path_.empty() ? "-" : path_, " ", answer.status,
                   " platform=", platform_.empty() ? "-" : platform_,
                   " outcome=", answer.outcome.empty() ? "-" : answer.outcome,
                   " ", duration);
  if (!answer.log_detail.empty()) {
    absl::StrAppend(&line, " detail=\"", Printable(answer.log_detail), "\"");
  }
  if (answer.status >= 500) {
    spdlog::warn("{}", line);
  } else {
    spdlog::info("{}", line);
  }
  ShimMetrics* const metrics = metrics_;
  if (metrics != nullptr) {
    metrics->RequestAnswered(
        path_, answer.status,
        start_.has_value() ? absl::Now() - *start_ : absl::ZeroDuration());
  }
  *this = RequestLogEntry();
  metrics_ = metrics;
}

}  // namespace videoplatform::shim
