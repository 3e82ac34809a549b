#include "server/ingest/download_http.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace videoplatform::ingest {
namespace {

constexpr size_t kMaxErrorText = 300;

// The text between <tag> and </tag>, if any.
std::optional<std::string> XmlElement(absl::string_view body,
                                      absl::string_view tag) {
  const std::string open = absl::StrCat("<", tag, ">");
  const std::string close = absl::StrCat("</", tag, ">");
  const size_t start = body.find(open);
  if (start == absl::string_view::npos) return std::nullopt;
  const size_t from = start + open.size();
  const size_t end = body.find(close, from);
  if (end == absl::string_view::npos) return std::nullopt;
  return std::string(body.substr(from, end - from));
}

std::string Printable(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (out.size() >= kMaxErrorText) break;
    const unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u != 0x7f ? c : ' ');
  }
  return std::string(absl::StripAsciiWhitespace(out));
}

}  // namespace

bool IsRetryableHttpStatus(int status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

absl::StatusCode CodeForDownloadHttpStatus(int status) {
  if (IsRetryableHttpStatus(status)) return absl::StatusCode::kUnavailable;
  switch (status) {
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
    case 410:
      return absl::StatusCode::kNotFound;
    default:
      return absl::StatusCode::kFailedPrecondition;
  }
}

std::string ServerErrorText(absl::string_view body) {
  body = absl::StripAsciiWhitespace(body);
  if (body.empty()) return "";
  if (absl::StartsWith(body, "<")) {
    std::optional<std::string> code = XmlElement(body, "Code");
    std::optional<std::string> message = XmlElement(body, "Message");
    if (code.has_value() || message.has_value()) {
      if (code && message)
        return Printable(absl::StrCat(*code, ": ", *message));
      return Printable(code ? *code : *message);
    }
  }
  if (absl::StartsWith(body, "{")) {
    const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object()) {
      std::string error, info;
      if (auto it = json.find("error"); it != json.end() && it->is_string()) {
        error = it->get<std::string>();
      }
      for (const char* key : {"info", "message"}) {
        if (auto it = json.find(key); it != json.end() && it->is_string()) {
          info = it->get<std::string>();
          break;
        }
      }
      if (!error.empty() && !info.empty()) {
        return Printable(absl::StrCat(error, ": ", info));
      }
      if (!error.empty() || !info.empty()) return Printable(error + info);
    }
  }
  return Printable(body);
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  absl::Time when;
  std::string error;
  if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", value, absl::UTCTimeZone(),
                      &when, &error)) {
    return std::max(absl::ZeroDuration(), when - now);
  }
  return std::nullopt;
}

std::optional<ContentRange> ParseContentRange(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (!absl::ConsumePrefix(&value, "bytes ")) return std::nullopt;
  const size_t slash = value.find('/');
  if (slash == absl::string_view::npos) return std::nullopt;
  absl::string_view range = value.substr(0, slash);
  absl::string_view total = value.substr(slash + 1);
  ContentRange result;
  if (total != "*" &&
      (!absl::SimpleAtoi(total, &result.total) || result.total < 0)) {
    return std::nullopt;
  }
  if (range == "*") {
    if (result.total < 0) return std::nullopt;
    return result;
  }
  const size_t dash = range.find('-');
  if (dash == absl::string_view::npos ||
      !absl::SimpleAtoi(range.substr(0, dash), &result.first) ||
      !absl::SimpleAtoi(range.substr(dash + 1), &result.last) ||
      result.first < 0 || result.last < result.first ||
      (result.total >= 0 && result.last >= result.total)) {
    return std::nullopt;
  }
  return result;
}

int64_t ServerSizeFrom416(absl::string_view content_range,
                          absl::string_view body) {
  std::optional<ContentRange> range = ParseContentRange(content_range);
  if (range.has_value() && range->total >= 0) return range->total;
  std::optional<std::string> actual = XmlElement(body, "ActualObjectSize");
  int64_t size = -1;
  if (actual.has_value() && absl::SimpleAtoi(*actual, &size) && size >= 0) {
    return size;
  }
  return -1;
}

absl::Duration BackoffDelay(int retry, absl::Duration initial,
                            absl::Duration max_backoff, absl::BitGen& bitgen) {
  absl::Duration delay = initial;
  for (int i = 1; i < retry && delay < max_backoff; ++i) delay *= 2;
  delay = std::min(delay, max_backoff);
  const double fraction = absl::Uniform(bitgen, 0.5, 1.0);
  return delay * fraction;
}

}  // namespace videoplatform::ingest
