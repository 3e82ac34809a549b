#include "server/shim/request_checks.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/shim/routes.h"

namespace videoplatform::shim {
namespace {

// Digits only (RFC 9110 8.6), no sign or spaces, no overflow.
bool ParseContentLength(absl::string_view text, uint64_t* value) {
  if (text.empty() || text.size() > 19) return false;
  uint64_t result = 0;
  for (const char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    result = result * 10 + static_cast<uint64_t>(c - '0');
  }
  *value = result;
  return true;
}

std::optional<HttpAnswer> CheckHeaderSize(const httplib::Request& request,
                                          const RequestLimits& limits) {
  size_t bytes = 0;
  for (const auto& [name, value] : request.headers) {
    bytes += name.size() + value.size();
  }
  if (request.headers.size() > limits.max_header_count ||
      bytes > limits.max_header_bytes) {
    return TextAnswer(431, "request headers too large", "headers_too_large");
  }
  return std::nullopt;
}

std::optional<HttpAnswer> CheckBodyFraming(const httplib::Request& request,
                                           const RequestLimits& limits) {
  const size_t transfer_encodings =
      request.get_header_value_count("Transfer-Encoding");
  const size_t content_lengths =
      request.get_header_value_count("Content-Length");
  if (transfer_encodings > 0) {
    if (transfer_encodings > 1 ||
        !absl::EqualsIgnoreCase(
            absl::StripAsciiWhitespace(
                request.get_header_value("Transfer-Encoding")),
            "chunked")) {
      return TextAnswer(501, "only the chunked transfer coding is supported",
                        "bad_transfer_encoding");
    }
    if (content_lengths > 0) {
      return TextAnswer(400, "both Content-Length and Transfer-Encoding",
                        "bad_framing");
    }
    return std::nullopt;  // Chunked: the size is checked while reading.
  }
  if (content_lengths == 0) {
    return TextAnswer(411, "Content-Length or a chunked body required",
                      "length_required");
  }
  uint64_t declared = 0;
  for (size_t i = 0; i < content_lengths; ++i) {
    uint64_t value = 0;
    if (!ParseContentLength(request.get_header_value("Content-Length", i),
                            &value) ||
        (i > 0 && value != declared)) {
      return TextAnswer(400, "malformed Content-Length", "bad_framing");
    }
    declared = value;
  }
  if (declared > limits.max_body_bytes) {
    return TextAnswer(413,
                      absl::StrCat("request body too large (limit ",
                                   limits.max_body_bytes, " bytes)"),
                      "body_too_large");
  }
  return std::nullopt;
}

std::optional<HttpAnswer> CheckContentType(const httplib::Request& request) {
  if (request.has_header("Content-Encoding") &&
      !absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(
                                  request.get_header_value("Content-Encoding")),
                              "identity")) {
    return TextAnswer(415, "Content-Encoding is not supported",
                      "unsupported_media_type");
  }
  if (absl::StartsWithIgnoreCase(absl::StripLeadingAsciiWhitespace(
                                     request.get_header_value("Content-Type")),
                                 "multipart/")) {
    return TextAnswer(415, "multipart bodies are not supported",
                      "unsupported_media_type");
  }
  return std::nullopt;
}

}  // namespace

std::optional<HttpAnswer> CheckRequest(const httplib::Request& request,
                                       const RequestLimits& limits) {
  const Route* route = FindRoute(request.path);
  if (route == nullptr) return TextAnswer(404, "not found", "not_found");
  if (!AllowsMethod(*route, request.method)) {
    HttpAnswer answer =
        TextAnswer(405, "method not allowed", "method_not_allowed");
    answer.headers.emplace_back("Allow", std::string(route->allow));
    return answer;
  }
  if (auto answer = CheckHeaderSize(request, limits)) return answer;
  if (route->kind != RouteKind::kWebhook) return std::nullopt;
  if (auto answer = CheckBodyFraming(request, limits)) return answer;
  return CheckContentType(request);
}

}  // namespace videoplatform::shim
