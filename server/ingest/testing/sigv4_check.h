// Checks an AWS Signature Version 4 Authorization header the way S3 does,
// for tests: an implementation of the algorithm independent of libcurl's,
// so a test server can refuse a wrong secret (s3rver checks only the access
// key id of SigV4 requests, not the signature).
#ifndef VIDEOPLATFORM_SERVER_INGEST_TESTING_SIGV4_CHECK_H_
#define VIDEOPLATFORM_SERVER_INGEST_TESTING_SIGV4_CHECK_H_

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace videoplatform::ingest::testing {

struct SigV4Key {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region;
  std::string service = "s3";
};

// `target` is the request target as sent ("/bucket/a%3Ab?x=1"); `header`
// returns a request header's value by name ("" when absent). OK, or
// PERMISSION_DENIED whose message is S3's error code and text:
// "AccessDenied" (no or malformed signature), "InvalidAccessKeyId",
// "SignatureDoesNotMatch".
absl::Status CheckSigV4(
    const std::string& method, const std::string& target,
    const std::function<std::string(const std::string&)>& header,
    const SigV4Key& key);

}  // namespace videoplatform::ingest::testing

#endif  // VIDEOPLATFORM_SERVER_INGEST_TESTING_SIGV4_CHECK_H_
