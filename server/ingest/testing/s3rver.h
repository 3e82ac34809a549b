// A real S3-compatible server for tests: npm s3rver (tools/npm), started on
// 127.0.0.1 with an ephemeral port and a temporary directory, plus a
// SigV4-signed upload helper.
//
// What s3rver checks (3.7.1, read from its source and observed): for SigV4
// requests only that the access key id is known (S3RVER, else 403
// InvalidAccessKeyId) and that x-amz-content-sha256 is present; it does not
// verify the signature itself (a wrong secret is accepted). Tests that need
// signature checking use FaultFileServer::RequireSigV4.
#ifndef VIDEOPLATFORM_SERVER_INGEST_TESTING_S3RVER_H_
#define VIDEOPLATFORM_SERVER_INGEST_TESTING_S3RVER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/ingest/downloader.h"

namespace videoplatform::ingest::testing {

// The only key pair s3rver knows.
inline constexpr char kS3rverAccessKey[] = "S3RVER";
inline constexpr char kS3rverSecret[] = "S3RVER";

// The s3rver executable next to a runfile of //tools/npm:package.json
// (tools/npm/node_modules/.bin/s3rver); NOT_FOUND naming tools/setup.sh
// when npm packages are not installed.
absl::StatusOr<std::string> FindS3rver(const std::string& package_json);
// The same, from Bazel's test environment (TEST_SRCDIR/TEST_WORKSPACE).
absl::StatusOr<std::string> FindS3rverInRunfiles();

class S3rverProcess {
 public:
  S3rverProcess() = default;
  ~S3rverProcess();  // Stops the server.
  S3rverProcess(const S3rverProcess&) = delete;
  S3rverProcess& operator=(const S3rverProcess&) = delete;

  // Starts `s3rver` with `data_dir` (created) and `buckets`, waiting (up to
  // 30 s) until it listens.
  absl::Status Start(const std::string& s3rver, const std::string& data_dir,
                     const std::vector<std::string>& buckets);
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:<port>".
  std::string endpoint() const;
  // Credentials for this server in `region`.
  S3Credentials Credentials(const std::string& region = "us-east-1") const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

// PUTs the file at `file_path` as `bucket`/`key` (signed with SigV4 through
// libcurl, streamed from disk).
absl::Status S3PutObject(const S3Credentials& credentials,
                         const std::string& bucket, const std::string& key,
                         const std::string& file_path);

}  // namespace videoplatform::ingest::testing

#endif  // VIDEOPLATFORM_SERVER_INGEST_TESTING_S3RVER_H_
