#include "server/ingest/testing/s3rver.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/ingest/s3_url.h"
#include "server/ingest/testing/media_fixtures.h"

extern char** environ;

namespace videoplatform::ingest::testing {
namespace {

constexpr char kListening[] = "S3rver listening on 127.0.0.1:";

}  // namespace

absl::StatusOr<std::string> FindS3rver(const std::string& package_json) {
  char resolved[PATH_MAX];
  if (realpath(package_json.c_str(), resolved) == nullptr) {
    return absl::NotFoundError(absl::StrCat("no ", package_json));
  }
  std::string dir(resolved);
  dir.resize(dir.rfind('/'));
  std::string s3rver = absl::StrCat(dir, "/node_modules/.bin/s3rver");
  if (access(s3rver.c_str(), X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat(s3rver, " missing: run tools/setup.sh"));
  }
  return s3rver;
}

absl::StatusOr<std::string> FindS3rverInRunfiles() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) {
    return absl::FailedPreconditionError(
        "TEST_SRCDIR/TEST_WORKSPACE unset: run under bazel test");
  }
  return FindS3rver(
      absl::StrCat(srcdir, "/", workspace, "/tools/npm/package.json"));
}

S3rverProcess::~S3rverProcess() { Stop(); }

absl::Status S3rverProcess::Start(const std::string& s3rver,
                                  const std::string& data_dir,
                                  const std::vector<std::string>& buckets) {
  if (pid_ > 0) return absl::FailedPreconditionError("s3rver already started");
  mkdir(data_dir.c_str(), 0755);
  log_path_ = absl::StrCat(data_dir, ".log");
  std::vector<std::string> argv = {s3rver,      "-d", data_dir, "-a",
                                   "127.0.0.1", "-p", "0",      "--silent"};
  for (const std::string& bucket : buckets) {
    argv.push_back("--configure-bucket");
    argv.push_back(bucket);
  }
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int rc =
      posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return absl::FailedPreconditionError(
        absl::StrCat("cannot start ", s3rver, ": ", std::strerror(rc)));
  }
  // Wait for its "listening" line (it prints the port it bound).
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    absl::StatusOr<std::string> log = ReadFile(log_path_);
    if (log.ok()) {
      const size_t at = log->find(kListening);
      if (at != std::string::npos) {
        const size_t from = at + strlen(kListening);
        const size_t end = log->find_first_not_of("0123456789", from);
        if (end != std::string::npos &&
            absl::SimpleAtoi(log->substr(from, end - from), &port_)) {
          return absl::OkStatus();
        }
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(
          absl::StrCat("s3rver exited: ", ReadFile(log_path_).value_or("")));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  Stop();
  return absl::DeadlineExceededError("s3rver did not start within 30 s");
}

void S3rverProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  pid_ = -1;
}

std::string S3rverProcess::endpoint() const {
  return absl::StrCat("http://127.0.0.1:", port_);
}

S3Credentials S3rverProcess::Credentials(const std::string& region) const {
  S3Credentials credentials;
  credentials.access_key_id = kS3rverAccessKey;
  credentials.secret_access_key = kS3rverSecret;
  credentials.region = region;
  credentials.endpoint = endpoint();
  return credentials;
}

absl::Status S3PutObject(const S3Credentials& credentials,
                         const std::string& bucket, const std::string& key,
                         const std::string& file_path) {
  absl::StatusOr<std::string> url = S3ObjectUrl(credentials, bucket, key);
  if (!url.ok()) return url.status();
  std::unique_ptr<FILE, int (*)(FILE*)> file(fopen(file_path.c_str(), "rb"),
                                             &fclose);
  struct stat st;
  if (file == nullptr || fstat(fileno(file.get()), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot read ", file_path));
  }
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(),
                                              &curl_easy_cleanup);
  // The payload is streamed, so it is not hashed: S3's UNSIGNED-PAYLOAD
  // (libcurl signs this header's value as the payload hash).
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(
      curl_slist_append(nullptr, "x-amz-content-sha256: UNSIGNED-PAYLOAD"),
      &curl_slist_free_all);
  const std::string provider = S3SigV4Provider(credentials.region);
  CURL* h = curl.get();
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(h, CURLOPT_URL, url->c_str());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READDATA, file.get());
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                   static_cast<curl_off_t>(st.st_size));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, provider.c_str());
  curl_easy_setopt(h, CURLOPT_USERNAME, credentials.access_key_id.c_str());
  curl_easy_setopt(h, CURLOPT_PASSWORD, credentials.secret_access_key.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 600L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(
      h, CURLOPT_WRITEFUNCTION,
      +[](char*, size_t size, size_t n, void*) { return size * n; });
  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK || status != 200) {
    return absl::UnavailableError(absl::StrCat(
        "PUT ", bucket, "/", key, ": ", rc != CURLE_OK ? errbuf : "HTTP ",
        rc != CURLE_OK ? "" : absl::StrCat(status)));
  }
  return absl::OkStatus();
}

}  // namespace videoplatform::ingest::testing
