// The HTTP client every provider uses to call its REST API (libcurl).
//
// What it promises:
// - Thread-safe: one HttpClient per provider instance, shared by all RPC
//   threads. Connections are kept alive and reused across calls through a
//   pool of curl easy handles (each keeps its own connection cache).
// - Bounded: every attempt's connect and total timeouts end at the caller's
//   deadline; backoff sleeps never outlive it.
// - TLS: peer and host verification are always on. Plain http:// is accepted
//   only for loopback hosts (tests, local fakes), see ValidateBaseUrl().
// - Secrets: the API key is sent only in the Authorization header. It never
//   appears in logs or in returned statuses (any occurrence in provider text
//   is replaced by "[redacted]").
//
// Retries (RetryPolicy), only where they are safe:
// - 429: always (the provider refused the request without acting on it),
//   waiting at least Retry-After seconds when the provider sends it.
// - Connection never established (refused, DNS, connect timeout): always
//   (nothing was sent).
// - A non-idempotent request (HttpRequest::idempotent unset) always goes on
//   a fresh connection: libcurl re-sends a request by itself when a reused
//   keep-alive connection turns out dead before any answer byte arrives, which
//   for a POST the provider may already have acted on would be a silent
//   duplicate. On a fresh connection that case is an error (UNAVAILABLE, the
//   request not retried) instead.
// - 5xx, a connection dropped after sending, an attempt timeout shorter
//   than the deadline: only when HttpRequest::idempotent is set, i.e. the
//   request is safe to repeat (GET, PUT, DELETE, or a create the provider
//   makes idempotent, such as Daily's named rooms).
// - Capped exponential backoff with jitter: attempt n waits a uniformly
//   random time in [d/2, d], d = min(max_backoff, initial_backoff * 2^(n-1)).
// - No retry starts when its wait would reach the deadline; the last error
//   is returned at once instead.
//
// Status mapping (the one table; the message always reads
// "<provider> <operation>: <what happened>: <provider's own error text>"):
//
//   Provider answer                          absl code
//   -------------------------------------    ------------------------------
//   2xx                                      OK
//   400                                      INVALID_ARGUMENT, or the
//                                            request's bad_request_code
//                                            (FAILED_PRECONDITION where the
//                                            provider uses 400 for a state
//                                            problem, e.g. Daily recordings)
//   401, 403 (the provider refused the       FAILED_PRECONDITION
//     service's own API key; never           "<provider> refused the service's
//     UNAUTHENTICATED, which is the          API key (HTTP 401: ...); check
//     caller's token)                        <api_key_setting>"
//   404                                      NOT_FOUND
//   408                                      UNAVAILABLE (retryable)
//   409                                      ABORTED
//   412                                      FAILED_PRECONDITION
//   413, 422                                 INVALID_ARGUMENT
//   429                                      UNAVAILABLE (after retries)
//   other 4xx, 1xx, 3xx (never followed)     UNKNOWN
//   5xx                                      UNAVAILABLE (after retries)
//   timeout (deadline or attempt cap)        DEADLINE_EXCEEDED
//   connection refused/reset/dropped, DNS,   UNAVAILABLE
//     TLS handshake or verification failure
//   malformed JSON or missing fields in a    INTERNAL: the provider answered
//     2xx response (ParseJson)               2xx, so the request may have
//                                            taken effect; INTERNAL tells
//                                            callers not to blindly retry
//                                            (UNAVAILABLE would invite it)
//   response body over max_response_bytes    INTERNAL
//
// Error statuses carry the HTTP status as a payload (HttpStatusOf()).
#ifndef VIDEOPLATFORM_PROVIDERS_HTTP_HTTP_CLIENT_H_
#define VIDEOPLATFORM_PROVIDERS_HTTP_HTTP_CLIENT_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace videoplatform::providers::http {

struct RetryPolicy {
  // Total attempts, the first included. 1 disables retries.
  int max_attempts = 4;
  absl::Duration initial_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(4);
  // A Retry-After longer than this is not waited for (even with time left).
  absl::Duration max_retry_after = absl::Seconds(60);
};

struct HttpClientOptions {
  // Names the provider in messages and logs, e.g. "whereby".
  std::string provider;
  // Scheme, host, optional port and path prefix, no trailing '/', as
  // returned by ValidateBaseUrl(), e.g. "https://api.whereby.dev/v1".
  std::string base_url;
  // Sent as "Authorization: Bearer <api_key>". Secret.
  std::string api_key;
  // The setting the key comes from (e.g. "DAILY_API_KEY"), named when the
  // provider refuses the key. Not secret.
  std::string api_key_setting;
  RetryPolicy retry;
  // Caps each attempt when the deadline is further away (Reflector uses
  // 10 s) and bounds calls without a deadline.
  absl::Duration attempt_timeout = absl::Seconds(10);
  absl::Duration connect_timeout = absl::Seconds(5);
  size_t max_response_bytes = 8 << 20;
  // Idle easy handles (and so kept-alive connection caches) kept for reuse.
  size_t max_idle_handles = 8;
};

// One file part of a multipart/form-data body.
struct MultipartFile {
  std::string field_name;  // e.g. "image"
  std::string filename;    // e.g. "logo.png"
  std::string content_type;
  std::string data;
};

struct HttpRequest {
  // Names the operation in messages and logs, e.g. "CreateMeeting".
  std::string operation;
  std::string method = "GET";  // GET, POST, PUT, PATCH or DELETE.
  // Appended to the base URL; segments already escaped (see UrlEscape).
  std::string path;
  // Query parameters, escaped by the client, in this order.
  std::vector<std::pair<std::string, std::string>> query;
  // JSON body, sent with Content-Type: application/json.
  std::optional<nlohmann::json> json_body;
  // Multipart body with a single file part (mutually exclusive with json).
  std::optional<MultipartFile> file;
  // Safe to send more than once (see the retry rules above).
  bool idempotent = false;
  // The code for an HTTP 400 answer.
  absl::StatusCode bad_request_code = absl::StatusCode::kInvalidArgument;
  // Non-2xx statuses returned as responses instead of errors (e.g. 404 for
  // a delete, where it means "already gone"). Not retried.
  std::vector<int> pass_through_statuses;
};

struct HttpResponse {
  int status = 0;
  // Lower-case names; the last value wins for repeated headers.
  std::map<std::string, std::string> headers;
  std::string body;
  int attempts = 0;  // How many requests were sent to get this answer.
};

class HttpClient {
 public:
  // INVALID_ARGUMENT for an empty provider name or base URL.
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(
      HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request`, retrying as described above, never past `deadline`.
  // Returns the response for 2xx and pass-through statuses, otherwise the
  // mapped error.
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request,
                                    absl::Time deadline);

  // The error for a (non-2xx) response, per the table above.
  absl::Status ErrorFromResponse(const HttpRequest& request,
                                 const HttpResponse& response) const;

  // Parses a JSON object from a 2xx response; INTERNAL when malformed.
  absl::StatusOr<nlohmann::json> ParseJson(const HttpRequest& request,
                                           const HttpResponse& response) const;

  // INTERNAL "<provider> <operation>: unexpected response: <what>", for
  // responses that parse but lack what the API documents.
  absl::Status MalformedResponse(const HttpRequest& request,
                                 absl::string_view what) const;

  const std::string& provider() const { return options_.provider; }
  const std::string& base_url() const { return options_.base_url; }

 private:
  struct Attempt;
  class Handle;

  explicit HttpClient(HttpClientOptions options);
  Attempt Perform(const HttpRequest& request, absl::Time deadline);
  std::unique_ptr<Handle> AcquireHandle();
  void ReleaseHandle(std::unique_ptr<Handle> handle);
  absl::Duration Backoff(int retry);
  std::string Redact(absl::string_view text) const;
  std::string Prefix(const HttpRequest& request) const;

  const HttpClientOptions options_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_ ABSL_GUARDED_BY(mu_);
  absl::BitGen bitgen_ ABSL_GUARDED_BY(mu_);
};

// The canonical code for an HTTP status (the table above). `bad_request`
// is the code used for 400.
absl::StatusCode CodeForHttpStatus(
    int http_status,
    absl::StatusCode bad_request = absl::StatusCode::kInvalidArgument);

// The HTTP status carried by an error from HttpClient, if any.
std::optional<int> HttpStatusOf(const absl::Status& status);

// Percent-encodes everything but RFC 3986 unreserved characters, so the
// result is safe as a path segment or a query value.
std::string UrlEscape(absl::string_view text);

// Checks an operator-supplied base URL: http(s) with a host, no user info,
// query or fragment; plain http only for loopback hosts (127.0.0.0/8, ::1,
// localhost). Returns it without trailing '/'. INVALID_ARGUMENT naming
// `setting` otherwise (the value is not echoed: it might hold credentials).
absl::StatusOr<std::string> ValidateBaseUrl(absl::string_view setting,
                                            absl::string_view url);

// Checks an API key read from `setting`: non-empty, printable ASCII without
// spaces (a pasted key must not inject headers). INVALID_ARGUMENT naming the
// setting (never the value).
absl::Status ValidateApiKey(absl::string_view setting, absl::string_view key);

// A provider's REST client: validates `api_key` and `base_url` (naming
// `key_setting` and `url_setting` in errors) and creates the client with
// them, `provider` and the rest of `options`.
absl::StatusOr<std::unique_ptr<HttpClient>> NewProviderClient(
    absl::string_view provider, absl::string_view key_setting,
    absl::string_view api_key, absl::string_view url_setting,
    absl::string_view base_url, HttpClientOptions options);

// The provider's own error text from an error body: Whereby's {"error": s},
// Daily's {"error": type, "info": text} as "type: text", else the body's
// first 200 printable characters.
std::string ProviderErrorText(absl::string_view body);

}  // namespace videoplatform::providers::http

#endif  // VIDEOPLATFORM_PROVIDERS_HTTP_HTTP_CLIENT_H_
