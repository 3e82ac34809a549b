// Which download URLs the service may fetch, so that a forged URL (in an
// IngestRecording request or a webhook) cannot make it reach internal
// addresses.
//
// Contract:
// - A URL is accepted only if it parses (libcurl's URL API), uses https, has
//   no user info, no IP-literal host, no port other than 443, and its host
//   is one of the allowed host suffixes (".daily.co" allows "daily.co" and
//   any "*.daily.co"; matching ignores case and one trailing dot).
// - Refusals are INVALID_ARGUMENT "<field>: <reason>"; the URL itself is not
//   echoed (a pre-signed URL's query is a credential), only its host.
// - With allow_loopback_http_for_tests, http:// and https:// URLs whose host
//   is 127.0.0.1, [::1] or localhost are accepted on any port (tests only).
// - The policy checks the text of the URL; CurlDownloader also refuses to
//   connect to non-public addresses a policy-checked host resolves to, and
//   checks every redirect target with the same policy.
// - Immutable after Create(); thread-safe.
#ifndef VIDEOPLATFORM_SERVER_INGEST_URL_POLICY_H_
#define VIDEOPLATFORM_SERVER_INGEST_URL_POLICY_H_

#include <sys/socket.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace videoplatform::ingest {

// Environment variable overriding the default host suffixes: a
// comma-separated list, e.g. ".daily.co,.amazonaws.com".
inline constexpr char kDownloadHostsEnv[] = "RECORDING_DOWNLOAD_HOSTS";

// The providers' and S3's domains: .daily.co, .amazonaws.com, .whereby.com,
// .whereby.dev.
std::vector<std::string> DefaultDownloadHostSuffixes();

// Parses a comma-separated list of host suffixes (blanks around entries are
// ignored; a leading dot is optional). INVALID_ARGUMENT naming `setting` for
// an empty list, an entry with characters outside [a-z0-9.-], an IP address
// or a single label (".com" would allow far too much).
absl::StatusOr<std::vector<std::string>> ParseHostSuffixes(
    absl::string_view setting, absl::string_view comma_separated);

struct UrlPolicyOptions {
  std::vector<std::string> allowed_host_suffixes =
      DefaultDownloadHostSuffixes();
  // Also accept http(s)://127.0.0.1, [::1] and localhost on any port.
  bool allow_loopback_http_for_tests = false;
};

// Options from the environment: kDownloadHostsEnv when set and non-empty,
// else the defaults. Loopback is never allowed from the environment.
absl::StatusOr<UrlPolicyOptions> UrlPolicyOptionsFromEnv();

class UrlPolicy {
 public:
  // The default policy: DefaultDownloadHostSuffixes(), no loopback.
  UrlPolicy() = default;
  // INVALID_ARGUMENT for malformed suffixes (see ParseHostSuffixes).
  static absl::StatusOr<UrlPolicy> Create(UrlPolicyOptions options);

  // Returns the URL normalized by libcurl, without fragment (what is then
  // fetched), or INVALID_ARGUMENT "<field>: <reason>".
  absl::StatusOr<std::string> Check(absl::string_view field,
                                    absl::string_view url) const;

  // True when `host` (as libcurl reports it) is an allowed host suffix.
  bool HostAllowed(absl::string_view host) const;

  bool allows_loopback() const {
    return options_.allow_loopback_http_for_tests;
  }
  const std::vector<std::string>& host_suffixes() const {
    return options_.allowed_host_suffixes;
  }

 private:
  explicit UrlPolicy(UrlPolicyOptions options) : options_(std::move(options)) {}
  UrlPolicyOptions options_;  // Suffixes normalized: lower case, leading dot.
};

// True for 127.0.0.1, [::1], ::1 and localhost (case-insensitive).
bool IsLoopbackHost(absl::string_view host);

// True when a download must not connect to `address` (IPv4 or IPv6, as
// libcurl's CURLOPT_OPENSOCKETFUNCTION sees it): unspecified, loopback
// (unless allow_loopback), private (10/8, 172.16/12, 192.168/16, fc00::/7),
// shared (100.64/10), link-local (169.254/16 with cloud metadata services,
// fe80::/10), multicast, reserved, and the IPv4-mapped/NAT64 forms of
// those. Unknown address families are refused.
bool IsForbiddenAddress(const struct sockaddr* address, bool allow_loopback);

// The numeric text of an address, for messages.
std::string AddressText(const struct sockaddr* address);

// A URL fit for messages and logs: scheme, host, port and path, with the
// query (possibly a credential) replaced by "?..." and no user info.
// Returns "<unparsable URL>" when libcurl cannot parse it.
std::string RedactUrl(absl::string_view url);

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_URL_POLICY_H_
