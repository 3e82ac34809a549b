// Addresses of S3 objects and the checks on their names, for the SigV4
// download path of CurlDownloader.
//
// Contract:
// - AWS (empty endpoint): virtual-host style
//   https://<bucket>.s3.<region>.amazonaws.com/<key>, or path style
//   https://s3.<region>.amazonaws.com/<bucket>/<key> for bucket names with a
//   '.' (they would not match the wildcard TLS certificate).
// - A custom endpoint (tests, MinIO): path style <endpoint>/<bucket>/<key>.
//   The endpoint is operator configuration: http or https, a host, an
//   optional port and path prefix, no user info, query or fragment.
// - The key is percent-encoded segment by segment ('/' kept), which is also
//   the canonical URI SigV4 signs, so keys with ':' or spaces (Whereby's
//   "<room>-<ISO time>.mp4") are signed correctly.
// - Errors are INVALID_ARGUMENT naming the field; the secret never appears.
#ifndef VIDEOPLATFORM_SERVER_INGEST_S3_URL_H_
#define VIDEOPLATFORM_SERVER_INGEST_S3_URL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/ingest/downloader.h"

namespace videoplatform::ingest {

// S3 bucket naming rules: 3-63 characters of [a-z0-9.-], starting and
// ending with a letter or digit, no "..", not an IP address.
absl::Status ValidateS3Bucket(absl::string_view bucket);

// Non-empty, at most 1024 bytes, no control characters.
absl::Status ValidateS3Key(absl::string_view key);

// Region [a-z0-9-]+ (e.g. "us-east-1"); access key id and secret present.
absl::Status ValidateS3Credentials(const S3Credentials& credentials);

// Percent-encodes each '/'-separated segment of `key` (RFC 3986 unreserved
// characters kept).
std::string EncodeS3Key(absl::string_view key);

// The object's URL (see the contract above), after validating bucket, key,
// credentials and endpoint.
absl::StatusOr<std::string> S3ObjectUrl(const S3Credentials& credentials,
                                        absl::string_view bucket,
                                        absl::string_view key);

// CURLOPT_AWS_SIGV4's parameter: "aws:amz:<region>:s3".
std::string S3SigV4Provider(absl::string_view region);

// The SHA-256 of an empty payload, sent as x-amz-content-sha256 on GETs
// (S3 requires the header; libcurl signs its value as the payload hash).
inline constexpr char kEmptyPayloadSha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_S3_URL_H_
