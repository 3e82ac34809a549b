#include "server/ingest/url_policy.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "absl/base/call_once.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace videoplatform::ingest {
namespace {

constexpr size_t kMaxUrlLength = 8192;

struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using CurlUrlPtr = std::unique_ptr<CURLU, CurlUrlDeleter>;

void InitCurlOnce() {
  static absl::once_flag once;
  absl::call_once(once, [] { curl_global_init(CURL_GLOBAL_ALL); });
}

// One part of a parsed URL; nullopt when the URL has none.
std::optional<std::string> Part(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) {
    return std::nullopt;
  }
  std::string result(value);
  curl_free(value);
  return result;
}

bool IsIpLiteral(absl::string_view host) {
  if (absl::StartsWith(host, "[")) return true;  // IPv6, as libcurl reports.
  std::string text(host);
  unsigned char buf[sizeof(struct in6_addr)];
  // libcurl normalizes the IPv4 spellings (0x7f.1, 2130706433, 0177.0.0.1)
  // to dotted quads before we see them.
  return inet_pton(AF_INET, text.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

// Lower case, without one trailing dot.
std::string NormalizeHost(absl::string_view host) {
  std::string lower = absl::AsciiStrToLower(host);
  if (absl::EndsWith(lower, ".")) lower.pop_back();
  return lower;
}

bool IsHostChar(char c) {
  return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' ||
         c == '-';
}

absl::Status Refuse(absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

}  // namespace

std::vector<std::string> DefaultDownloadHostSuffixes() {
  return {".daily.co", ".amazonaws.com", ".whereby.com", ".whereby.dev"};
}

absl::StatusOr<std::vector<std::string>> ParseHostSuffixes(
    absl::string_view setting, absl::string_view comma_separated) {
  std::vector<std::string> suffixes;
  for (absl::string_view entry : absl::StrSplit(comma_separated, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) continue;
    std::string suffix = NormalizeHost(entry);
    absl::string_view bare = absl::StripPrefix(suffix, ".");
    if (bare.empty() || !std::all_of(bare.begin(), bare.end(), IsHostChar) ||
        absl::StartsWith(bare, ".") || absl::StrContains(bare, "..")) {
      return absl::InvalidArgumentError(absl::StrCat(
          setting, ": \"", entry,
          "\" is not a host suffix (letters, digits, '.' and '-' only)"));
    }
    if (IsIpLiteral(bare)) {
      return absl::InvalidArgumentError(absl::StrCat(
          setting, ": \"", entry, "\" is an IP address, not a host suffix"));
    }
    if (!absl::StrContains(bare, '.')) {
      return absl::InvalidArgumentError(absl::StrCat(
          setting, ": \"", entry,
          "\" is a single label; name a domain such as .daily.co"));
    }
    suffixes.push_back(absl::StrCat(".", bare));
  }
  if (suffixes.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(setting, ": no host suffixes"));
  }
  return suffixes;
}

absl::StatusOr<UrlPolicyOptions> UrlPolicyOptionsFromEnv() {
  UrlPolicyOptions options;
  const char* value = std::getenv(kDownloadHostsEnv);
  if (value != nullptr && !absl::StripAsciiWhitespace(value).empty()) {
    auto suffixes = ParseHostSuffixes(kDownloadHostsEnv, value);
    if (!suffixes.ok()) return suffixes.status();
    options.allowed_host_suffixes = *std::move(suffixes);
  }
  return options;
}

absl::StatusOr<UrlPolicy> UrlPolicy::Create(UrlPolicyOptions options) {
  InitCurlOnce();
  std::string joined;
  for (const std::string& suffix : options.allowed_host_suffixes) {
    absl::StrAppend(&joined, joined.empty() ? "" : ",", suffix);
  }
  auto suffixes = ParseHostSuffixes("allowed_host_suffixes", joined);
  if (!suffixes.ok()) return suffixes.status();
  options.allowed_host_suffixes = *std::move(suffixes);
  return UrlPolicy(std::move(options));
}

bool UrlPolicy::HostAllowed(absl::string_view host) const {
  const std::string normalized = NormalizeHost(host);
  for (const std::string& suffix : options_.allowed_host_suffixes) {
    // suffix is ".daily.co": allow "daily.co" and "*.daily.co".
    if (normalized == absl::string_view(suffix).substr(1) ||
        (normalized.size() > suffix.size() &&
         absl::EndsWith(normalized, suffix))) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<std::string> UrlPolicy::Check(absl::string_view field,
                                             absl::string_view url) const {
  if (url.empty()) return Refuse(field, "empty URL");
  if (url.size() > kMaxUrlLength) {
    return Refuse(
        field, absl::StrCat("URL longer than ", kMaxUrlLength, " characters"));
  }
  CurlUrlPtr parsed(curl_url());
  if (parsed == nullptr) return absl::ResourceExhaustedError("curl_url");
  const std::string text(url);
  // NON_SUPPORT_SCHEME: parse any scheme, so the refusal can name it.
  const CURLUcode rc = curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(),
                                    CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    return Refuse(
        field, absl::StrCat("not a valid URL (", curl_url_strerror(rc), ")"));
  }
  const std::string scheme =
      absl::AsciiStrToLower(Part(parsed.get(), CURLUPART_SCHEME).value_or(""));
  const std::string host = Part(parsed.get(), CURLUPART_HOST).value_or("");
  const std::optional<std::string> port = Part(parsed.get(), CURLUPART_PORT);
  const bool loopback =
      options_.allow_loopback_http_for_tests && IsLoopbackHost(host);

  if (scheme != "https" && !(loopback && scheme == "http")) {
    return Refuse(field,
                  absl::StrCat("scheme must be https, not \"", scheme, "\""));
  }
  if (Part(parsed.get(), CURLUPART_USER).has_value() ||
      Part(parsed.get(), CURLUPART_PASSWORD).has_value() ||
      Part(parsed.get(), CURLUPART_OPTIONS).has_value()) {
    return Refuse(field, "user info (user:password@) is not allowed");
  }
  if (host.empty()) return Refuse(field, "URL has no host");
  if (!loopback) {
    if (Part(parsed.get(), CURLUPART_ZONEID).has_value() || IsIpLiteral(host)) {
      return Refuse(
          field, absl::StrCat("IP address hosts are not allowed (", host, ")"));
    }
    const std::string normalized = NormalizeHost(host);
    if (!std::all_of(normalized.begin(), normalized.end(), IsHostChar)) {
      return Refuse(field, "host must be ASCII (use its xn-- form)");
    }
    if (!HostAllowed(normalized)) {
      return Refuse(field, absl::StrCat("host \"", normalized,
                                        "\" is not an allowed download host"));
    }
    if (port.has_value() && *port != "443") {
      return Refuse(field, absl::StrCat("port ", *port, " is not allowed"));
    }
  }
  curl_url_set(parsed.get(), CURLUPART_FRAGMENT, nullptr, 0);
  std::optional<std::string> normalized_url = Part(parsed.get(), CURLUPART_URL);
  if (!normalized_url.has_value()) return Refuse(field, "not a valid URL");
  return *std::move(normalized_url);
}

bool IsLoopbackHost(absl::string_view host) {
  const std::string normalized = NormalizeHost(host);
  return normalized == "127.0.0.1" || normalized == "[::1]" ||
         normalized == "::1" || normalized == "localhost";
}

namespace {

// `address` (host byte order) is in a.b.c.d/prefix.
bool InV4(uint32_t address, uint32_t network, int prefix) {
  const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (address & mask) == (network & mask);
}

constexpr uint32_t V4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}

bool IsForbiddenV4(uint32_t a, bool allow_loopback) {
  if (InV4(a, V4(127, 0, 0, 0), 8)) return !allow_loopback;
  static constexpr struct {
    uint32_t network;
    int prefix;
  } kForbidden[] = {
      {V4(0, 0, 0, 0), 8},        // "this network"
      {V4(10, 0, 0, 0), 8},       // private
      {V4(100, 64, 0, 0), 10},    // shared address space (carrier NAT)
      {V4(169, 254, 0, 0), 16},   // link-local, cloud metadata services
      {V4(172, 16, 0, 0), 12},    // private
      {V4(192, 0, 0, 0), 24},     // IETF protocol assignments
      {V4(192, 0, 2, 0), 24},     // documentation
      {V4(192, 88, 99, 0), 24},   // 6to4 relay anycast
      {V4(192, 168, 0, 0), 16},   // private
      {V4(198, 18, 0, 0), 15},    // benchmarking
      {V4(198, 51, 100, 0), 24},  // documentation
      {V4(203, 0, 113, 0), 24},   // documentation
      {V4(224, 0, 0, 0), 4},      // multicast
      {V4(240, 0, 0, 0), 4},      // reserved, broadcast
  };
  for (const auto& range : kForbidden) {
    if (InV4(a, range.network, range.prefix)) return true;
  }
  return false;
}

uint32_t V4At(const uint8_t* bytes) {
  return uint32_t{bytes[0]} << 24 | uint32_t{bytes[1]} << 16 |
         uint32_t{bytes[2]} << 8 | uint32_t{bytes[3]};
}

bool IsForbiddenV6(const uint8_t* b, bool allow_loopback) {
  static constexpr uint8_t kZero[16] = {};
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0,    0,
                                          0, 0, 0, 0, 0xff, 0xff};
  static constexpr uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0,
                                         0, 0,    0,    0,    0, 0};
  if (std::memcmp(b, kZero, 15) == 0) {
    if (b[15] == 1) return !allow_loopback;  // ::1
    return true;                             // ::, ::x (deprecated)
  }
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) {
    return IsForbiddenV4(V4At(b + 12), allow_loopback);
  }
  if (b[0] == 0x20 && b[1] == 0x02) {  // 6to4 2002:a.b.c.d::/48
    return IsForbiddenV4(V4At(b + 2), /*allow_loopback=*/false);
  }
  if (std::memcmp(b, kZero, 12) == 0) return true;  // IPv4-compatible
  if ((b[0] & 0xfe) == 0xfc) return true;           // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;  // fec0::/10
  if (b[0] == 0xff) return true;                           // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
    return true;  // 2001:db8::/32 documentation
  }
  return false;
}

}  // namespace

bool IsForbiddenAddress(const struct sockaddr* address, bool allow_loopback) {
  if (address == nullptr) return true;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return IsForbiddenV4(ntohl(v4->sin_addr.s_addr), allow_loopback);
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return IsForbiddenV6(v6->sin6_addr.s6_addr, allow_loopback);
  }
  return true;
}

std::string AddressText(const struct sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address != nullptr && address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr,
              text, sizeof(text));
  } else if (address != nullptr && address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6,
              &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
              sizeof(text));
  }
  return text;
}

std::string RedactUrl(absl::string_view url) {
  InitCurlOnce();
  CurlUrlPtr parsed(curl_url());
  const std::string text(url);
  if (parsed == nullptr ||
      curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(),
                   CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return "<unparsable URL>";
  }
  const bool has_query = Part(parsed.get(), CURLUPART_QUERY).has_value();
  curl_url_set(parsed.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(parsed.get(), CURLUPART_PASSWORD, nullptr, 0);
  curl_url_set(parsed.get(), CURLUPART_OPTIONS, nullptr, 0);
  curl_url_set(parsed.get(), CURLUPART_QUERY, nullptr, 0);
  curl_url_set(parsed.get(), CURLUPART_FRAGMENT, nullptr, 0);
  std::string redacted =
      Part(parsed.get(), CURLUPART_URL).value_or("<unparsable URL>");
  if (has_query) redacted += "?...";
  return redacted;
}

}  // namespace videoplatform::ingest
