#include "providers/http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/base/call_once.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "server/common/status_macros.h"
#include "spdlog/spdlog.h"

namespace videoplatform::providers::http {
namespace {

constexpr char kHttpStatusPayload[] = "type.videoplatform.dev/http.status";
constexpr size_t kMaxProviderText = 500;

absl::once_flag curl_init_once;

bool Is2xx(int status) { return status >= 200 && status < 300; }

// Truncates and replaces control characters so provider text is safe to
// put in a status message.
std::string Printable(absl::string_view text, size_t max_len) {
  std::string out;
  for (char c : text.substr(0, max_len)) {
    const unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  if (text.size() > max_len) out.append("...");
  return out;
}

// Returns `status` with `suffix` appended to its message, payloads kept.
absl::Status WithSuffix(const absl::Status& status, absl::string_view suffix) {
  absl::Status out(status.code(), absl::StrCat(status.message(), suffix));
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& p) {
    out.SetPayload(url, p);
  });
  return out;
}

// Parses Retry-After as delta-seconds (the form Whereby sends).
std::optional<absl::Duration> ParseRetryAfter(
    const std::map<std::string, std::string>& headers) {
  auto it = headers.find("retry-after");
  if (it == headers.end()) return std::nullopt;
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(it->second), &seconds) ||
      seconds < 0) {
    return std::nullopt;
  }
  return absl::Seconds(seconds);
}

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata);
size_t WriteHeader(char* data, size_t size, size_t nmemb, void* userdata);

struct ResponseSink {
  std::string body;
  std::map<std::string, std::string> headers;
  size_t max_bytes = 0;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* sink = static_cast<ResponseSink*>(userdata);
  const size_t n = size * nmemb;
  if (sink->body.size() + n > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // Makes curl fail with CURLE_WRITE_ERROR.
  }
  sink->body.append(data, n);
  return n;
}

size_t WriteHeader(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* sink = static_cast<ResponseSink*>(userdata);
  const size_t n = size * nmemb;
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    sink->headers.clear();  // A new response (e.g. after 100 Continue).
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return n;
  sink->headers[absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(line.substr(0, colon)))] =
      std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  return n;
}

int64_t CeilMillis(absl::Duration d) {
  return std::max<int64_t>(1,
                           absl::ToInt64Milliseconds(d + absl::Milliseconds(1) -
                                                     absl::Nanoseconds(1)));
}

}  // namespace

// An owned curl easy handle.
class HttpClient::Handle {
 public:
  Handle() : curl_(curl_easy_init()) {}
  ~Handle() {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  CURL* get() const { return curl_; }

 private:
  CURL* curl_;
};

struct HttpClient::Attempt {
  enum class Outcome {
    kResponse,   // An HTTP answer arrived.
    kNotSent,    // No connection: nothing reached the provider.
    kTransport,  // The connection failed after (maybe) sending.
    kTls,        // Certificate verification failed: not transient.
    kFatal,      // Retrying cannot help (bad URL, out of memory, ...).
    kTimeout,
    kTooLarge,
  };
  Outcome outcome = Outcome::kFatal;
  HttpResponse response;
  std::string error;            // curl's description, for non-responses.
  bool sent = false;            // Some request bytes went out.
  bool deadline_bound = false;  // The timeout was the caller's deadline.
  absl::Duration timeout;
  CURLcode code = CURLE_OK;
};

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(
    HttpClientOptions options) {
  if (options.provider.empty()) {
    return absl::InvalidArgumentError("HttpClient: provider name is empty");
  }
  if (options.base_url.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("HttpClient for ", options.provider, ": empty base URL"));
  }
  absl::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_ALL); });
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(options)));
}

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Handle> HttpClient::AcquireHandle() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Handle> handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  return std::make_unique<Handle>();
}

void HttpClient::ReleaseHandle(std::unique_ptr<Handle> handle) {
  absl::MutexLock lock(&mu_);
  if (idle_.size() < options_.max_idle_handles) {
    idle_.push_back(std::move(handle));
  }
  // Otherwise the handle (and its connections) closes here.
}

absl::Duration HttpClient::Backoff(int retry) {
  absl::Duration d = options_.retry.initial_backoff;
  for (int i = 1; i < retry && d < options_.retry.max_backoff; ++i) d *= 2;
  d = std::min(d, options_.retry.max_backoff);
  if (d <= absl::ZeroDuration()) return absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  const int64_t ns = absl::ToInt64Nanoseconds(d);
  return absl::Nanoseconds(
      absl::Uniform<int64_t>(absl::IntervalClosed, bitgen_, ns / 2, ns));
}

std::string HttpClient::Redact(absl::string_view text) const {
  if (options_.api_key.empty()) return std::string(text);
  return absl::StrReplaceAll(text, {{options_.api_key, "[redacted]"}});
}

std::string HttpClient::Prefix(const HttpRequest& request) const {
  return absl::StrCat(options_.provider, " ", request.operation, ": ");
}

HttpClient::Attempt HttpClient::Perform(const HttpRequest& request,
                                        absl::Time deadline) {
  Attempt attempt;
  std::unique_ptr<Handle> handle = AcquireHandle();
  CURL* curl = handle->get();
  if (curl == nullptr) {
    attempt.error = "curl_easy_init failed";
    return attempt;
  }

  std::string url = absl::StrCat(options_.base_url, request.path);
  for (size_t i = 0; i < request.query.size(); ++i) {
    absl::StrAppend(&url, i == 0 ? "?" : "&", UrlEscape(request.query[i].first),
                    "=", UrlEscape(request.query[i].second));
  }

  const absl::Duration remaining = deadline - absl::Now();
  attempt.deadline_bound = remaining <= options_.attempt_timeout;
  attempt.timeout = std::min(remaining, options_.attempt_timeout);
  const int64_t timeout_ms = CeilMillis(attempt.timeout);
  const int64_t connect_ms =
      std::min(timeout_ms, CeilMillis(options_.connect_timeout));

  char errbuf[CURL_ERROR_SIZE] = {0};
  ResponseSink sink;
  sink.max_bytes = options_.max_response_bytes;

  curl_slist* headers = nullptr;
  const std::string auth =
      absl::StrCat("Authorization: Bearer ", options_.api_key);
  headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, "Accept: application/json");
  // No "Expect: 100-continue" round trip for larger bodies.
  headers = curl_slist_append(headers, "Expect:");

  std::string json_text;
  curl_mime* mime = nullptr;
  if (request.json_body.has_value()) {
    json_text = request.json_body->dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_text.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(json_text.size()));
  } else if (request.file.has_value()) {
    mime = curl_mime_init(curl);
    curl_mimepart* part = curl_mime_addpart(mime);
    curl_mime_name(part, request.file->field_name.c_str());
    curl_mime_filename(part, request.file->filename.c_str());
    curl_mime_type(part, request.file->content_type.c_str());
    curl_mime_data(part, request.file->data.data(), request.file->data.size());
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
  } else if (request.method == "POST" || request.method == "PUT" ||
             request.method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t{0});
  }
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method != "POST") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  // Never reuse a kept-alive connection for a request that is not safe to
  // repeat: libcurl silently re-sends on a fresh connection when a reused
  // one dies before the answer (see the header).
  curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, request.idempotent ? 0L : 1L);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "videoplatform/1 libcurl");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(connect_ms));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);

  attempt.code = curl_easy_perform(curl);
  long http_status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  long request_size = 0;
  curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_size);
  attempt.sent = request_size > 0;

  // Forget every pointer into this frame; connections stay cached.
  curl_easy_reset(curl);
  curl_slist_free_all(headers);
  if (mime != nullptr) curl_mime_free(mime);
  ReleaseHandle(std::move(handle));

  attempt.error = errbuf[0] != '\0'
                      ? std::string(errbuf)
                      : std::string(curl_easy_strerror(attempt.code));
  using Outcome = Attempt::Outcome;
  switch (attempt.code) {
    case CURLE_OK:
      attempt.outcome = Outcome::kResponse;
      attempt.response.status = static_cast<int>(http_status);
      attempt.response.headers = std::move(sink.headers);
      attempt.response.body = std::move(sink.body);
      break;
    case CURLE_OPERATION_TIMEDOUT:
      attempt.outcome = Outcome::kTimeout;
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      attempt.outcome = Outcome::kNotSent;
      attempt.sent = false;
      break;
    case CURLE_WRITE_ERROR:
      attempt.outcome = sink.too_large ? Outcome::kTooLarge : Outcome::kFatal;
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      attempt.outcome = Outcome::kTls;
      break;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_NOT_BUILT_IN:
      attempt.outcome = Outcome::kFatal;
      break;
    default:
      // Send/receive errors, empty replies, truncated bodies, TLS handshake
      // failures, ...: the connection broke.
      attempt.outcome = Outcome::kTransport;
      break;
  }
  return attempt;
}

absl::StatusOr<HttpResponse> HttpClient::Send(const HttpRequest& request,
                                              absl::Time deadline) {
  const std::string prefix = Prefix(request);
  if (request.json_body.has_value() && request.file.has_value()) {
    return absl::InternalError(
        absl::StrCat(prefix, "a request cannot carry JSON and a file"));
  }
  static constexpr absl::string_view kMethods[] = {"GET", "POST", "PUT",
                                                   "PATCH", "DELETE"};
  if (std::find(std::begin(kMethods), std::end(kMethods), request.method) ==
      std::end(kMethods)) {
    return absl::InternalError(
        absl::StrCat(prefix, "unsupported HTTP method ", request.method));
  }
  const int max_attempts = std::max(1, options_.retry.max_attempts);

  for (int attempt_number = 1;; ++attempt_number) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          prefix, "deadline exceeded before attempt ", attempt_number));
    }
    Attempt attempt = Perform(request, deadline);
    absl::Status error;
    bool retryable = false;
    std::optional<absl::Duration> retry_after;
    using Outcome = Attempt::Outcome;
    switch (attempt.outcome) {
      case Outcome::kResponse: {
        HttpResponse& response = attempt.response;
        response.attempts = attempt_number;
        if (Is2xx(response.status) ||
            std::find(request.pass_through_statuses.begin(),
                      request.pass_through_statuses.end(),
                      response.status) != request.pass_through_statuses.end()) {
          return std::move(response);
        }
        error = ErrorFromResponse(request, response);
        if (response.status == 429) {
          // Rate limited: the provider did not act on the request.
          retryable = true;
          retry_after = ParseRetryAfter(response.headers);
        } else if (response.status >= 500 || response.status == 408) {
          retryable = request.idempotent;
        }
        break;
      }
      case Outcome::kNotSent:
        error = absl::UnavailableError(Redact(absl::StrCat(
            prefix, "cannot connect to the provider: ", attempt.error)));
        retryable = true;
        break;
      case Outcome::kTransport:
        error = absl::UnavailableError(
            Redact(absl::StrCat(prefix, "connection failed: ", attempt.error)));
        retryable = request.idempotent || !attempt.sent;
        break;
      case Outcome::kTimeout:
        error = absl::DeadlineExceededError(Redact(absl::StrCat(
            prefix,
            attempt.deadline_bound ? "deadline exceeded" : "attempt timed out",
            " after ", absl::FormatDuration(attempt.timeout), ": ",
            attempt.error)));
        retryable =
            !attempt.deadline_bound && (request.idempotent || !attempt.sent);
        break;
      case Outcome::kTooLarge:
        return absl::InternalError(absl::StrCat(prefix, "response larger than ",
                                                options_.max_response_bytes,
                                                " bytes"));
      case Outcome::kTls:
        return absl::UnavailableError(Redact(
            absl::StrCat(prefix, "TLS verification failed: ", attempt.error)));
      case Outcome::kFatal:
        return absl::InternalError(
            Redact(absl::StrCat(prefix, "HTTP client error: ", attempt.error)));
    }

    if (!retryable) {
      return attempt_number == 1
                 ? error
                 : WithSuffix(error,
                              absl::StrCat(" (attempt ", attempt_number, ")"));
    }
    if (attempt_number >= max_attempts) {
      return WithSuffix(error, absl::StrCat(" (gave up after ", attempt_number,
                                            " attempts)"));
    }
    absl::Duration delay = Backoff(attempt_number);
    if (retry_after.has_value()) {
      if (*retry_after > options_.retry.max_retry_after) {
        return WithSuffix(
            error, absl::StrCat(" (provider asks to retry after ",
                                absl::FormatDuration(*retry_after), ")"));
      }
      delay = std::max(delay, *retry_after);
    }
    if (absl::Now() + delay >= deadline) {
      return WithSuffix(
          error, absl::StrCat(" (attempt ", attempt_number, "; the next, in ",
                              absl::FormatDuration(delay),
                              ", would pass the deadline)"));
    }
    spdlog::warn("{}; retrying in {} ms (attempt {} of {})",
                 std::string(error.message()), absl::ToInt64Milliseconds(delay),
                 attempt_number + 1, max_attempts);
    absl::SleepFor(delay);
  }
}

absl::Status HttpClient::ErrorFromResponse(const HttpRequest& request,
                                           const HttpResponse& response) const {
  const std::string text = ProviderErrorText(response.body);
  if (response.status == 401 || response.status == 403) {
    // The provider refused the service's own key: a configuration problem
    // of this server, not the caller's credentials (UNAUTHENTICATED would
    // read as the caller's bearer token being wrong).
    absl::Status status(
        absl::StatusCode::kFailedPrecondition,
        Redact(absl::StrCat(
            Prefix(request), options_.provider,
            " refused the service's API key (HTTP ", response.status,
            text.empty() ? "" : ": ", text, "); check ",
            options_.api_key_setting.empty() ? "the provider's API key setting"
                                             : options_.api_key_setting)));
    status.SetPayload(kHttpStatusPayload,
                      absl::Cord(absl::StrCat(response.status)));
    return status;
  }
  absl::Status status(
      CodeForHttpStatus(response.status, request.bad_request_code),
      Redact(absl::StrCat(Prefix(request), "HTTP ", response.status,
                          text.empty() ? "" : ": ", text)));
  status.SetPayload(kHttpStatusPayload,
                    absl::Cord(absl::StrCat(response.status)));
  return status;
}

absl::StatusOr<nlohmann::json> HttpClient::ParseJson(
    const HttpRequest& request, const HttpResponse& response) const {
  nlohmann::json json = nlohmann::json::parse(response.body, nullptr,
                                              /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InternalError(Redact(absl::StrCat(
        Prefix(request), "malformed JSON in the HTTP ", response.status,
        " response: ", Printable(response.body, 80))));
  }
  return json;
}

absl::Status HttpClient::MalformedResponse(const HttpRequest& request,
                                           absl::string_view what) const {
  return absl::InternalError(
      Redact(absl::StrCat(Prefix(request), "unexpected response: ", what)));
}

absl::StatusCode CodeForHttpStatus(int http_status,
                                   absl::StatusCode bad_request) {
  if (Is2xx(http_status)) return absl::StatusCode::kOk;
  switch (http_status) {
    case 400:
      return bad_request;
    case 401:  // The provider refused the service's key: its config.
    case 403:
      return absl::StatusCode::kFailedPrecondition;
    case 404:
      return absl::StatusCode::kNotFound;
    case 408:  // The provider timed out reading the request: transient.
      return absl::StatusCode::kUnavailable;
    case 409:  // Concurrent modification: retry the whole operation.
      return absl::StatusCode::kAborted;
    case 412:
      return absl::StatusCode::kFailedPrecondition;
    case 413:
    case 422:
      return absl::StatusCode::kInvalidArgument;
    case 429:  // Rate limited: try again later.
      return absl::StatusCode::kUnavailable;
    default:
      break;
  }
  if (http_status >= 500 && http_status < 600) {
    return absl::StatusCode::kUnavailable;  // Provider outage.
  }
  return absl::StatusCode::kUnknown;
}

std::optional<int> HttpStatusOf(const absl::Status& status) {
  auto payload = status.GetPayload(kHttpStatusPayload);
  int value = 0;
  if (!payload.has_value() ||
      !absl::SimpleAtoi(std::string(*payload), &value)) {
    return std::nullopt;
  }
  return value;
}

std::string UrlEscape(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  return out;
}

namespace {

// A CURLU handle that frees itself.
struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

std::optional<std::string> UrlPart(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) {
    return std::nullopt;
  }
  std::string out(value);
  curl_free(value);
  return out;
}

bool IsLoopbackHost(absl::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  if (!absl::StartsWith(host, "127.")) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
}

}  // namespace

absl::Status ValidateApiKey(absl::string_view setting, absl::string_view key) {
  const bool printable =
      !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        const unsigned char u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f;
      });
  if (printable) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      setting, " is empty or contains whitespace or control characters"));
}

absl::StatusOr<std::unique_ptr<HttpClient>> NewProviderClient(
    absl::string_view provider, absl::string_view key_setting,
    absl::string_view api_key, absl::string_view url_setting,
    absl::string_view base_url, HttpClientOptions options) {
  RETURN_IF_ERROR(ValidateApiKey(key_setting, api_key));
  ASSIGN_OR_RETURN(options.base_url, ValidateBaseUrl(url_setting, base_url));
  options.provider = std::string(provider);
  options.api_key = std::string(api_key);
  options.api_key_setting = std::string(key_setting);
  return HttpClient::Create(std::move(options));
}

absl::StatusOr<std::string> ValidateBaseUrl(absl::string_view setting,
                                            absl::string_view url) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(setting, " is not a valid API base URL: ", why));
  };
  if (url.empty()) return invalid("empty");
  for (char c : url) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return invalid("contains whitespace or non-ASCII characters");
    }
  }
  absl::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_ALL); });
  std::unique_ptr<CURLU, CurlUrlDeleter> parsed(curl_url());
  if (parsed == nullptr) return absl::ResourceExhaustedError("curl_url");
  const std::string text(url);
  if (curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return invalid("expected http(s)://host[:port][/path]");
  }
  const std::string scheme = absl::AsciiStrToLower(
      UrlPart(parsed.get(), CURLUPART_SCHEME).value_or(""));
  if (scheme != "https" && scheme != "http") {
    return invalid("the scheme must be https (or http for loopback)");
  }
  // Reject an explicit scheme that curl guessed or defaulted.
  if (!absl::StartsWithIgnoreCase(url, absl::StrCat(scheme, "://"))) {
    return invalid("expected http(s)://host[:port][/path]");
  }
  if (UrlPart(parsed.get(), CURLUPART_USER).has_value() ||
      UrlPart(parsed.get(), CURLUPART_PASSWORD).has_value()) {
    return invalid("user information is not allowed");
  }
  if (UrlPart(parsed.get(), CURLUPART_QUERY).has_value() ||
      UrlPart(parsed.get(), CURLUPART_FRAGMENT).has_value() ||
      absl::StrContains(url, "?") || absl::StrContains(url, "#")) {
    return invalid("a query or fragment is not allowed");
  }
  const std::string host =
      absl::AsciiStrToLower(UrlPart(parsed.get(), CURLUPART_HOST).value_or(""));
  if (host.empty()) return invalid("no host");
  if (scheme == "http" && !IsLoopbackHost(host)) {
    return invalid("plain http is only allowed for loopback hosts; use https");
  }
  std::string out = absl::StrCat(scheme, "://", host);
  if (std::optional<std::string> port = UrlPart(parsed.get(), CURLUPART_PORT)) {
    absl::StrAppend(&out, ":", *port);
  }
  std::string path = UrlPart(parsed.get(), CURLUPART_PATH).value_or("");
  while (!path.empty() && path.back() == '/') path.pop_back();
  absl::StrAppend(&out, path);
  return out;
}

std::string ProviderErrorText(absl::string_view body) {
  if (body.empty()) return std::string();
  nlohmann::json json =
      nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded() && json.is_object()) {
    auto text_of = [&json](const char* key) -> std::string {
      auto it = json.find(key);
      if (it == json.end() || !it->is_string()) return std::string();
      return it->get<std::string>();
    };
    const std::string error = text_of("error");
    std::string detail = text_of("info");
    if (detail.empty()) detail = text_of("message");
    std::string text;
    if (!error.empty() && !detail.empty()) {
      text = absl::StrCat(error, ": ", detail);
    } else {
      text = error.empty() ? detail : error;
    }
    if (!text.empty()) return Printable(text, kMaxProviderText);
  }
  return Printable(absl::StripAsciiWhitespace(body), 200);
}

}  // namespace videoplatform::providers::http
