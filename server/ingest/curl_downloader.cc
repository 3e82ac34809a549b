#include "server/ingest/curl_downloader.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "absl/base/call_once.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "server/ingest/download_http.h"
#include "server/ingest/partial_file.h"
#include "server/ingest/s3_url.h"
#include "spdlog/spdlog.h"

namespace videoplatform::ingest {
namespace {

constexpr int kMaxRedirects = 5;
constexpr int kMaxRestarts = 2;
constexpr absl::Duration kMaxRetryAfter = absl::Minutes(10);
constexpr size_t kMaxErrorBody = 16 << 10;
constexpr absl::Duration kProgressInterval = absl::Milliseconds(250);
// CURLOPT_LOW_SPEED_LIMIT: below this many bytes per second is a stall.
constexpr long kStallBytesPerSecond = 1024;

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

void InitCurlOnce() {
  static absl::once_flag once;
  absl::call_once(once, [] { curl_global_init(CURL_GLOBAL_ALL); });
}

// Where and how one source is fetched.
struct Target {
  std::string url;
  std::string description;            // For messages: no secrets, no query.
  const S3Credentials* s3 = nullptr;  // Set for S3 objects (SigV4).
  bool allow_http = false;
  bool guard_addresses = false;  // URL sources: refuse internal addresses.
  bool allow_loopback = false;   // ... except loopback (tests).
};

enum class Outcome { kComplete, kRetry, kFail, kRestart, kRedirect };

struct AttemptResult {
  Outcome outcome = Outcome::kFail;
  absl::Status status;  // Why, for every outcome but kComplete.
  std::optional<absl::Duration> retry_after;
  std::string location;  // kRedirect.
};

AttemptResult Fail(absl::Status status) {
  return {Outcome::kFail, std::move(status), std::nullopt, ""};
}

// State shared with libcurl's callbacks during one request.
struct Transfer {
  const Target* target = nullptr;
  PartialFile* file = nullptr;
  const DownloadOptions* options = nullptr;
  const ProgressCallback* progress = nullptr;
  std::string* etag = nullptr;  // First ETag seen; kept across requests.
  int64_t* total = nullptr;     // Announced size (-1 unknown); kept too.
  int64_t resume_from = 0;      // The Range start sent (0: no Range).

  // The current answer (reset by each status line).
  int status = 0;
  std::map<std::string, std::string> headers;  // Lower-case names.
  bool body_to_file = false;
  std::string error_body;

  std::optional<AttemptResult> abort;  // Set when a callback stopped it.
  std::string refused_address;
  absl::Time last_progress = absl::InfinitePast();

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }

  void Report(bool force) {
    if (progress == nullptr || !*progress) return;
    const absl::Time now = absl::Now();
    if (!force && now - last_progress < kProgressInterval) return;
    last_progress = now;
    (*progress)(file->size(), std::max<int64_t>(*total, 0));
  }

  bool Abort(Outcome outcome, absl::Status status) {
    abort = AttemptResult{outcome, std::move(status), std::nullopt, ""};
    return false;
  }

  absl::Status TooLarge(int64_t bytes, absl::string_view what) const {
    return absl::ResourceExhaustedError(
        absl::StrCat(target->description, ": too large: ", what, " ", bytes,
                     " bytes, the limit is ", options->max_bytes));
  }

  // The final answer's headers are in: decide where its body goes. False
  // stops the transfer (abort says why).
  bool OnHeadersDone() {
    if (status < 200 || status > 299) return true;  // Error text.

    const std::string response_etag = Header("etag");
    int64_t content_length = -1;
    if (!absl::SimpleAtoi(Header("content-length"), &content_length)) {
      content_length = -1;
    }
    if (status == 206) {
      auto range = ParseContentRange(Header("content-range"));
      if (!range.has_value() || range->first < 0) {
        return Abort(Outcome::kRestart,
                     absl::FailedPreconditionError(
                         "206 answer without a usable Content-Range"));
      }
      if (range->first != file->size()) {
        return Abort(Outcome::kRestart,
                     absl::FailedPreconditionError(
                         absl::StrCat("the server resumed at byte ",
                                      range->first, ", not ", file->size())));
      }
      if (!etag->empty() && !response_etag.empty() && response_etag != *etag) {
        return Abort(Outcome::kRestart,
                     absl::FailedPreconditionError(
                         "the file changed (ETag) since the download began"));
      }
      *total = range->total >= 0     ? range->total
               : content_length >= 0 ? file->size() + content_length
                                     : -1;
    } else {
      if (file->size() > 0) {
        spdlog::info("download {}: server ignored Range, restarting at byte 0",
                     target->description);
        if (absl::Status s = file->Truncate(); !s.ok()) {
          return Abort(Outcome::kFail, s);
        }
      }
      *total = content_length;
    }
    if (*total > options->max_bytes) {
      return Abort(Outcome::kFail, TooLarge(*total, "the server announces"));
    }
    if (etag->empty()) *etag = response_etag;
    body_to_file = true;
    Report(/*force=*/true);
    return true;
  }

  bool OnBody(const char* data, size_t length) {
    if (!body_to_file) {
      if (error_body.size() < kMaxErrorBody) {
        error_body.append(data,
                          std::min(length, kMaxErrorBody - error_body.size()));
      }
      return true;
    }
    if (file->size() + static_cast<int64_t>(length) > options->max_bytes) {
      return Abort(Outcome::kFail,
                   TooLarge(file->size() + static_cast<int64_t>(length),
                            "received at least"));
    }
    if (absl::Status s = file->Append(data, length); !s.ok()) {
      return Abort(Outcome::kFail, s);
    }
    Report(/*force=*/false);
    return true;
  }
};

size_t HeaderCallback(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t length = size * count;
  absl::string_view line =
      absl::StripTrailingAsciiWhitespace(absl::string_view(data, length));
  if (absl::StartsWith(line, "HTTP/")) {
    // A new answer (after 1xx or on a new connection): start over.
    t->headers.clear();
    t->body_to_file = false;
    t->error_body.clear();
    t->status = 0;
    const size_t space = line.find(' ');
    if (space != absl::string_view::npos) {
      (void)absl::SimpleAtoi(line.substr(space + 1, 3), &t->status);
    }
    return length;
  }
  if (line.empty()) {
    if (t->status >= 200 && !t->OnHeadersDone()) return 0;
    return length;
  }
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    t->headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return length;
}

size_t WriteCallback(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t length = size * count;
  return t->OnBody(data, length) ? length : 0;
}

curl_socket_t OpenSocketCallback(void* user, curlsocktype purpose,
                                 struct curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN && t->target->guard_addresses &&
      IsForbiddenAddress(&address->addr, t->target->allow_loopback)) {
    t->refused_address = AddressText(&address->addr);
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC,
                address->protocol);
}

bool IsRetryableCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_OPERATION_TIMEDOUT:
      return true;
    default:
      return false;
  }
}

long ClampMillis(absl::Duration d) {
  const int64_t ms =
      absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)));
  return static_cast<long>(std::clamp<int64_t>(ms, 1, LONG_MAX));
}

// One HTTP request: continues `file` from its current size.
AttemptResult RunAttempt(const Target& target, const DownloadOptions& options,
                         const CurlDownloaderOptions& config, Transfer& t) {
  const absl::Duration left = options.deadline - absl::Now();
  if (left <= absl::ZeroDuration()) {
    return Fail(absl::DeadlineExceededError(
        absl::StrCat(target.description, ": deadline exceeded")));
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) return Fail(absl::InternalError("curl_easy_init"));
  CURL* h = curl.get();
  char errbuf[CURL_ERROR_SIZE] = "";
  std::unique_ptr<curl_slist, CurlDeleter> headers;
  if (target.s3 != nullptr) {
    headers.reset(curl_slist_append(
        nullptr,
        absl::StrCat("x-amz-content-sha256: ", kEmptyPayloadSha256).c_str()));
  }
  const std::string range =
      t.resume_from > 0 ? absl::StrCat(t.resume_from, "-") : "";

  curl_easy_setopt(h, CURLOPT_URL, target.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
                   target.allow_http ? "http,https" : "https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, config.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, config.buffer_bytes);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  if (options.deadline != absl::InfiniteFuture()) {
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ClampMillis(left));
  }
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   ClampMillis(std::min(options.connect_timeout, left)));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, kStallBytesPerSecond);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::max<int64_t>(
                       1, absl::ToInt64Seconds(absl::Ceil(options.stall_timeout,
                                                          absl::Seconds(1))))));
  if (!range.empty()) curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
  if (headers != nullptr)
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  if (target.s3 != nullptr) {
    const std::string provider = S3SigV4Provider(target.s3->region);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, provider.c_str());  // Copied.
    curl_easy_setopt(h, CURLOPT_USERNAME, target.s3->access_key_id.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, target.s3->secret_access_key.c_str());
  }
  if (target.guard_addresses) {
    // Direct connections only, so the address checked is the peer's.
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &OpenSocketCallback);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t);
  }
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &HeaderCallback);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteCallback);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);

  const CURLcode rc = curl_easy_perform(h);
  if (t.abort.has_value()) return *std::move(t.abort);
  const std::string& what = target.description;

  if (rc == CURLE_OK) {
    if (t.status >= 200 && t.status <= 299) {
      return {Outcome::kComplete, absl::OkStatus(), std::nullopt, ""};
    }
    if (t.status == 416 && t.resume_from > 0) {
      // Nothing after byte N: complete if the server's size is N.
      const int64_t size =
          ServerSizeFrom416(t.Header("content-range"), t.error_body);
      if (size == t.file->size()) {
        *t.total = size;
        return {Outcome::kComplete, absl::OkStatus(), std::nullopt, ""};
      }
      return {Outcome::kRestart,
              absl::FailedPreconditionError(absl::StrCat(
                  "range not satisfiable: ", t.file->size(),
                  " bytes on disk, the server has ",
                  size >= 0 ? absl::StrCat(size) : "an unknown size")),
              std::nullopt, ""};
    }
    if (t.status >= 300 && t.status <= 399 && target.s3 == nullptr &&
        !t.Header("location").empty()) {
      return {Outcome::kRedirect,
              absl::FailedPreconditionError(
                  absl::StrCat(what, ": HTTP ", t.status, " redirect")),
              std::nullopt, t.Header("location")};
    }
    const std::string text = ServerErrorText(t.error_body);
    absl::Status status(CodeForDownloadHttpStatus(t.status),
                        absl::StrCat(what, ": HTTP ", t.status,
                                     text.empty() ? "" : ": ", text));
    if (IsRetryableHttpStatus(t.status)) {
      return {Outcome::kRetry, std::move(status),
              ParseRetryAfter(t.Header("retry-after"), absl::Now()), ""};
    }
    return Fail(std::move(status));
  }

  if (!t.refused_address.empty()) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("url: host resolves to an internal address (",
                     t.refused_address, ")")));
  }
  const std::string detail =
      errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  if (rc == CURLE_OPERATION_TIMEDOUT &&
      absl::Now() + absl::Milliseconds(20) >= options.deadline) {
    return Fail(absl::DeadlineExceededError(
        absl::StrCat(what, ": deadline exceeded with ", t.file->size(),
                     " bytes on disk (", detail, ")")));
  }
  if (IsRetryableCurlError(rc)) {
    return {Outcome::kRetry,
            absl::UnavailableError(absl::StrCat(what, ": ", detail)),
            std::nullopt, ""};
  }
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      // Not retried: a TLS failure does not fix itself in seconds.
      return Fail(absl::UnavailableError(
          absl::StrCat(what, ": TLS verification failed: ", detail)));
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Fail(absl::InvalidArgumentError(absl::StrCat(what, ": ", detail)));
    default:
      return Fail(absl::UnknownError(absl::StrCat(what, ": ", detail)));
  }
}

absl::StatusOr<Target> MakeTarget(const DownloadSource& source,
                                  const UrlPolicy& policy) {
  const bool has_url = !source.url.empty();
  const bool has_s3 = !source.s3_bucket.empty() || !source.s3_key.empty();
  if (has_url == has_s3) {
    return absl::InvalidArgumentError(
        "source: exactly one of url or s3 bucket and key");
  }
  Target target;
  target.description = DescribeSource(source);
  if (has_url) {
    absl::StatusOr<std::string> url = policy.Check("url", source.url);
    if (!url.ok()) return url.status();
    target.url = *std::move(url);
    target.allow_http = policy.allows_loopback();  // Loopback hosts only.
    target.guard_addresses = true;
    target.allow_loopback = policy.allows_loopback();
    return target;
  }
  absl::StatusOr<std::string> url =
      S3ObjectUrl(source.s3, source.s3_bucket, source.s3_key);
  if (!url.ok()) return url.status();
  target.url = *std::move(url);
  target.s3 = &source.s3;
  target.allow_http = absl::StartsWithIgnoreCase(target.url, "http://");
  return target;
}

// `location` resolved against `base`; empty when it cannot be.
std::string ResolveLocation(const std::string& base,
                            const std::string& location) {
  std::unique_ptr<CURLU, CurlDeleter> url(curl_url());
  if (url == nullptr ||
      curl_url_set(url.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(url.get(), CURLUPART_URL, location.c_str(),
                   CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return "";
  }
  char* text = nullptr;
  if (curl_url_get(url.get(), CURLUPART_URL, &text, 0) != CURLUE_OK) return "";
  std::string resolved(text);
  curl_free(text);
  return resolved;
}

// Whether a failure condemns the partial file.
bool RemovesPartial(absl::StatusCode code) {
  return code == absl::StatusCode::kResourceExhausted ||
         code == absl::StatusCode::kNotFound;
}

}  // namespace

std::string DescribeSource(const DownloadSource& source) {
  if (!source.url.empty()) return RedactUrl(source.url);
  return absl::StrCat("s3://", source.s3_bucket, "/", source.s3_key);
}

CurlDownloader::CurlDownloader(CurlDownloaderOptions options)
    : options_(std::move(options)) {
  InitCurlOnce();
}

absl::StatusOr<DownloadResult> CurlDownloader::Download(
    const DownloadSource& source, const std::string& destination,
    const DownloadOptions& options, const ProgressCallback& progress) {
  absl::StatusOr<Target> target_or = MakeTarget(source, options_.url_policy);
  if (!target_or.ok()) return target_or.status();
  Target target = *std::move(target_or);
  if (destination.empty()) {
    return absl::InvalidArgumentError("destination: empty path");
  }
  if (options.max_bytes <= 0 || options.max_attempts < 1) {
    return absl::InvalidArgumentError(
        "download options: max_bytes and max_attempts must be positive");
  }
  absl::StatusOr<std::unique_ptr<PartialFile>> file_or =
      PartialFile::Open(PartialPathFor(destination));
  if (!file_or.ok()) return file_or.status();
  std::unique_ptr<PartialFile> file = *std::move(file_or);
  if (file->size() > options.max_bytes) {
    if (absl::Status s = file->Truncate(); !s.ok()) return s;
  }

  auto fail = [&](absl::Status status) -> absl::Status {
    if (RemovesPartial(status.code())) file->Remove();
    return status;
  };

  absl::BitGen bitgen;
  std::string etag;
  int64_t total = -1;
  int requests = 0, failures = 0, restarts = 0, redirects = 0;
  while (true) {
    Transfer t;
    t.target = &target;
    t.file = file.get();
    t.options = &options;
    t.progress = &progress;
    t.etag = &etag;
    t.total = &total;
    t.resume_from = file->size();
    ++requests;
    AttemptResult result = RunAttempt(target, options, options_, t);
    if (result.outcome == Outcome::kComplete) break;
    switch (result.outcome) {
      case Outcome::kComplete:
        break;
      case Outcome::kFail:
        return fail(result.status);
      case Outcome::kRedirect: {
        if (++redirects > kMaxRedirects) {
          return fail(absl::FailedPreconditionError(
              absl::StrCat(target.description, ": more than ", kMaxRedirects,
                           " redirects")));
        }
        absl::StatusOr<std::string> next = options_.url_policy.Check(
            "url (redirect)", ResolveLocation(target.url, result.location));
        if (!next.ok()) return fail(next.status());
        target.url = *std::move(next);
        continue;
      }
      case Outcome::kRestart:
        if (++restarts > kMaxRestarts) {
          return fail(absl::UnavailableError(
              absl::StrCat(target.description,
                           ": cannot resume: ", result.status.message())));
        }
        spdlog::info("download {}: {}; restarting at byte 0",
                     target.description, std::string(result.status.message()));
        if (absl::Status s = file->Truncate(); !s.ok()) return fail(s);
        continue;
      case Outcome::kRetry: {
        ++failures;
        if (failures >= options.max_attempts) {
          return fail(absl::Status(
              result.status.code(),
              absl::StrCat(result.status.message(), " (gave up after ",
                           failures, " attempts)")));
        }
        absl::Duration wait = BackoffDelay(failures, options.initial_backoff,
                                           options.max_backoff, bitgen);
        if (result.retry_after.has_value()) {
          if (*result.retry_after > kMaxRetryAfter) {
            return fail(absl::UnavailableError(absl::StrCat(
                result.status.message(), " (the server asks to retry after ",
                absl::FormatDuration(*result.retry_after), ")")));
          }
          wait = std::max(wait, *result.retry_after);
        }
        if (absl::Now() + wait >= options.deadline) {
          return fail(absl::DeadlineExceededError(absl::StrCat(
              result.status.message(), " (no time left to retry after ",
              failures, " attempts)")));
        }
        spdlog::warn("download {}: attempt {} of {} failed: {}; retrying in {}",
                     target.description, failures, options.max_attempts,
                     std::string(result.status.message()),
                     absl::FormatDuration(wait));
        absl::SleepFor(wait);
        continue;
      }
    }
  }

  // Complete: every byte is on disk; make it durable, check it, publish it.
  if (absl::Status s = file->Sync(); !s.ok()) return s;
  MediaProbeOptions probe = options_.probe;
  const absl::Duration left = options.deadline - absl::Now();
  if (left <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(absl::StrCat(
        target.description, ": deadline exceeded before the media check"));
  }
  probe.timeout = std::min(probe.timeout, left);
  absl::StatusOr<MediaFacts> facts = CheckRecording(file->path(), probe);
  if (!facts.ok()) {
    const absl::StatusCode code = facts.status().code();
    if (code == absl::StatusCode::kFailedPrecondition ||
        code == absl::StatusCode::kInvalidArgument) {
      file->Remove();  // It will never be a valid recording.
    }
    return absl::Status(
        code, absl::StrCat(target.description, ": ", facts.status().message()));
  }
  if (absl::Status s = file->CommitTo(destination); !s.ok()) return s;
  if (progress) progress(file->size(), file->size());

  DownloadResult result;
  result.path = destination;
  result.size_bytes = file->size();
  result.sha256_hex = file->Sha256Hex();
  result.media = *std::move(facts);
  result.attempts = requests;
  spdlog::info("download {}: {} bytes in {} request(s), sha256 {}",
               target.description, result.size_bytes, requests,
               result.sha256_hex);
  return result;
}

}  // namespace videoplatform::ingest
