#include "server/shim/request_log.h"

#include <optional>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/shim/routes.h"
#include "spdlog/spdlog.h"

namespace videoplatform::shim::request_log {
namespace {

constexpr size_t kMaxLoggedBytes = 64;

struct Fields {
  std::optional<absl::Time> start;
  std::string platform;
  std::string outcome;
  std::string detail;
};

thread_local Fields fields;

// Client-controlled text, made safe for one log line.
std::string Printable(absl::string_view text) {
  const bool cut = text.size() > kMaxLoggedBytes;
  std::string escaped = absl::CHexEscape(text.substr(0, kMaxLoggedBytes));
  if (cut) escaped += "...";
  return escaped;
}

}  // namespace

void Begin() {
  fields = Fields();
  fields.start = absl::Now();
}

void SetPlatform(absl::string_view platform) {
  fields.platform = std::string(platform);
}

void SetAnswer(const HttpAnswer& answer) {
  fields.outcome = answer.outcome;
  fields.detail = answer.log_detail;
}

void End(const httplib::Request& request, const httplib::Response& response) {
  const Route* route = FindRoute(request.path);
  const std::string path =
      route != nullptr ? std::string(route->path) : Printable(request.path);
  std::string duration = "-";
  if (fields.start.has_value()) {
    duration = absl::StrFormat(
        "%.1fms", absl::ToDoubleMilliseconds(absl::Now() - *fields.start));
  }
  std::string line = absl::StrCat(
      "http ", request.method.empty() ? "-" : Printable(request.method), " ",
      path, " ", response.status,
      " platform=", fields.platform.empty() ? "-" : fields.platform,
      " outcome=", fields.outcome.empty() ? "-" : fields.outcome, " ",
      duration);
  if (!fields.detail.empty()) {
    absl::StrAppend(&line, " detail=\"", Printable(fields.detail), "\"");
  }
  if (response.status >= 500) {
    spdlog::warn("{}", line);
  } else {
    spdlog::info("{}", line);
  }
  fields = Fields();
}

}  // namespace videoplatform::shim::request_log
