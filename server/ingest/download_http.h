// The HTTP rules of recording downloads, as pure functions: which answers
// are retried, which code a failure gets, how long to wait, and how the
// server's own error text and Content-Range are read.
//
// Status mapping (the one table for downloads):
//
//   Answer                        absl code            retried
//   ---------------------------   ------------------   -------
//   408, 429, 5xx                 UNAVAILABLE          yes (429/503: at
//                                                      least Retry-After)
//   400                           FAILED_PRECONDITION  no: the source as
//                                                      given cannot be
//                                                      fetched (INVALID_
//                                                      ARGUMENT is kept for
//                                                      refused sources)
//   401                           UNAUTHENTICATED      no
//   403                           PERMISSION_DENIED    no (S3: bad key,
//                                                      signature, expired
//                                                      pre-signed URL)
//   404, 410                      NOT_FOUND            no
//   other 4xx, 3xx not followed   FAILED_PRECONDITION  no
#ifndef VIDEOPLATFORM_SERVER_INGEST_DOWNLOAD_HTTP_H_
#define VIDEOPLATFORM_SERVER_INGEST_DOWNLOAD_HTTP_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace videoplatform::ingest {

bool IsRetryableHttpStatus(int status);

// The code for a non-2xx final answer (table above).
absl::StatusCode CodeForDownloadHttpStatus(int status);

// The server's own error text from an error body, at most 300 characters:
// S3's XML "<Code>: <Message>", JSON {"error", "info"|"message"} (Daily),
// else the body's first printable characters.
std::string ServerErrorText(absl::string_view body);

// Retry-After as delta-seconds or an HTTP date (relative to `now`);
// nullopt when absent or unreadable. Never negative.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now);

// Content-Range of a 206 ("bytes 100-199/1000", total may be "*") or 416
// ("bytes */1000") answer. first/last are -1 for the 416 form; total is -1
// when "*".
struct ContentRange {
  int64_t first = -1;
  int64_t last = -1;
  int64_t total = -1;
};
std::optional<ContentRange> ParseContentRange(absl::string_view value);

// The resource's size from a 416 answer: Content-Range "bytes */N", else
// S3's <ActualObjectSize> in the XML body (s3rver sends no Content-Range);
// -1 when neither says.
int64_t ServerSizeFrom416(absl::string_view content_range,
                          absl::string_view body);

// Capped exponential backoff with jitter before retry number `retry` (1 for
// the first retry): uniformly random in [d/2, d], d = min(max_backoff,
// initial * 2^(retry-1)).
absl::Duration BackoffDelay(int retry, absl::Duration initial,
                            absl::Duration max_backoff, absl::BitGen& bitgen);

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_DOWNLOAD_HTTP_H_
