// The Downloader on libcurl: HTTPS URLs checked by a UrlPolicy, and S3
// objects signed with AWS Signature Version 4 (CURLOPT_AWS_SIGV4).
//
// Beyond the Downloader contract (downloader.h):
// - Sources: exactly one of `url` or `s3_bucket` + `s3_key` (INVALID_ARGUMENT
//   otherwise). A URL must pass the UrlPolicy ("url: <reason>"); its
//   redirects (at most 5) are followed only to URLs that pass it too, and it
//   is fetched directly (no proxy) from a public address: a host that
//   resolves to a loopback, private, link-local or otherwise internal
//   address is refused (INVALID_ARGUMENT), except loopback when the policy
//   allows it for tests. S3 requests (s3_url.h) are never redirected.
// - Resume: a partial file of N bytes is continued with "Range: bytes=N-".
//   206 must start at N; a 200 (Range ignored) empties the partial file and
//   takes the body from byte 0; a 416 giving the size as N ("Content-Range:
//   bytes */N", or S3's ActualObjectSize) means the partial file is already
//   complete; any other 416, a 206 at the wrong offset or a
//   changed ETag empties the file and restarts at once (twice at most).
// - The size limit applies to the announced length (Content-Length or the
//   Content-Range total) before any byte is written, and to the bytes as
//   they arrive (for chunked answers): RESOURCE_EXHAUSTED "too large".
// - Stalls: under 1 KiB/s for stall_timeout (whole seconds, at least 1)
//   ends the attempt (CURLOPT_LOW_SPEED_LIMIT/TIME), which is retried.
//   libcurl averages the speed over the last 5 s, so a transfer that stops
//   dead after running fast is caught within 5 s + stall_timeout.
// - Every attempt's connect and total time ends at the deadline; a retry
//   whose backoff would reach the deadline is not started. Retry-After is
//   honoured up to 10 minutes; a longer one ends the download (UNAVAILABLE).
// - The partial file is kept on failure so a later Download() resumes,
//   except after RESOURCE_EXHAUSTED, NOT_FOUND and a failed media check,
//   where it can never become a valid recording and is deleted.
// - Secrets: the S3 secret goes to libcurl only (CURLOPT_PASSWORD); it never
//   appears in logs or statuses. URLs appear without their query (a
//   pre-signed URL's query is a credential), see RedactUrl().
// - TLS peer and host verification are always on.
// - Progress is reported on the calling thread: once the answer's headers
//   are in, then at most every 250 ms while bytes arrive, and at the end.
// - Thread-safe: each Download() uses its own curl handle; concurrent
//   downloads to the same destination fail with ABORTED (file lock).
#ifndef VIDEOPLATFORM_SERVER_INGEST_CURL_DOWNLOADER_H_
#define VIDEOPLATFORM_SERVER_INGEST_CURL_DOWNLOADER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/ingest/downloader.h"
#include "server/ingest/media_probe.h"
#include "server/ingest/url_policy.h"

namespace videoplatform::ingest {

struct CurlDownloaderOptions {
  UrlPolicy url_policy;
  MediaProbeOptions probe;
  std::string user_agent = "videoplatform-ingest/1 libcurl";
  // Fetch buffer size (libcurl's CURLOPT_BUFFERSIZE, at most 512 KiB): the
  // download's memory, apart from libcurl's and OpenSSL's own state.
  long buffer_bytes = 256 << 10;
};

class CurlDownloader : public Downloader {
 public:
  explicit CurlDownloader(CurlDownloaderOptions options);

  absl::StatusOr<DownloadResult> Download(
      const DownloadSource& source, const std::string& destination,
      const DownloadOptions& options,
      const ProgressCallback& progress) override;

 private:
  const CurlDownloaderOptions options_;
};

// The source as text for messages and logs: "s3://bucket/key" or the URL
// without its query.
std::string DescribeSource(const DownloadSource& source);

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_CURL_DOWNLOADER_H_
