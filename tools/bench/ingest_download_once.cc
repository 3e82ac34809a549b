// Runs one Download through CurlDownloader and prints what it measured as
// one JSON line: bytes, SHA-256, seconds, the process's peak RSS
// (getrusage ru_maxrss: the downloader, not ffprobe, whose peak is
// reported separately as probe_max_rss_kib).
//
//   ingest_download_once --url=http://127.0.0.1:PORT/big.mkv --dest=/tmp/x
//   AWS_ACCESS_KEY_ID=.. AWS_SECRET_ACCESS_KEY=.. ingest_download_once
//     --s3_endpoint=http://127.0.0.1:PORT --s3_bucket=b --s3_key=k --dest=..
//
// Loopback http URLs are allowed (benchmark only).
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "server/ingest/curl_downloader.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, url, "", "Download URL (loopback http allowed).");
ABSL_FLAG(std::string, s3_endpoint, "", "S3 endpoint, e.g. s3rver's.");
ABSL_FLAG(std::string, s3_bucket, "", "S3 bucket.");
ABSL_FLAG(std::string, s3_key, "", "S3 key.");
ABSL_FLAG(std::string, s3_region, "us-east-1", "S3 region.");
ABSL_FLAG(std::string, dest, "", "Destination path.");
ABSL_FLAG(int64_t, max_bytes, int64_t{8} << 30, "Size limit.");

namespace {

long MaxRssKib(int who) {
  struct rusage usage;
  getrusage(who, &usage);
  return usage.ru_maxrss;  // KiB on Linux.
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  spdlog::set_default_logger(spdlog::stderr_color_mt("stderr"));  // JSON out.
  using namespace videoplatform::ingest;  // NOLINT: a small tool.
  DownloadSource source;
  source.url = absl::GetFlag(FLAGS_url);
  source.s3_bucket = absl::GetFlag(FLAGS_s3_bucket);
  source.s3_key = absl::GetFlag(FLAGS_s3_key);
  source.s3.endpoint = absl::GetFlag(FLAGS_s3_endpoint);
  source.s3.region = absl::GetFlag(FLAGS_s3_region);
  const char* key_id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  source.s3.access_key_id = key_id != nullptr ? key_id : "";
  source.s3.secret_access_key = secret != nullptr ? secret : "";

  CurlDownloaderOptions options;
  UrlPolicyOptions policy;
  policy.allow_loopback_http_for_tests = true;
  options.url_policy = *UrlPolicy::Create(policy);
  CurlDownloader downloader(std::move(options));
  DownloadOptions download;
  download.max_bytes = absl::GetFlag(FLAGS_max_bytes);
  download.deadline = absl::Now() + absl::Minutes(30);

  const long rss_before = MaxRssKib(RUSAGE_SELF);
  const absl::Time start = absl::Now();
  absl::StatusOr<DownloadResult> result =
      downloader.Download(source, absl::GetFlag(FLAGS_dest), download, nullptr);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!result.ok()) {
    std::fprintf(stderr, "download failed: %s\n",
                 result.status().ToString().c_str());
    return 1;
  }
  nlohmann::json out = {
      {"bytes", result->size_bytes},
      {"sha256", result->sha256_hex},
      {"attempts", result->attempts},
      {"container", result->media.container},
      {"duration_seconds", result->media.duration_seconds},
      {"has_audio", result->media.has_audio},
      {"seconds", seconds},
      {"mib_per_second", result->size_bytes / 1048576.0 / seconds},
      {"max_rss_kib_before_download", rss_before},
      {"max_rss_kib", MaxRssKib(RUSAGE_SELF)},
      {"probe_max_rss_kib", MaxRssKib(RUSAGE_CHILDREN)},
  };
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
