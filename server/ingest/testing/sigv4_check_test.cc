#include "server/ingest/testing/sigv4_check.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace videoplatform::ingest::testing {
namespace {

using ::testing::HasSubstr;

// A request libcurl 7.88 signed (curl --aws-sigv4 "aws:amz:us-east-1:s3"
// -u AKID:secret), with its signature checked by an independent Python
// implementation of SigV4.
const std::map<std::string, std::string> kHeaders = {
    {"host", "127.0.0.1:18999"},
    {"x-amz-date", "20261124T203919Z"},
    {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"},
    {"authorization",
     "AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/s3/aws4_request, "
     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
     "Signature="
     "a3f38387b9c413e4ccd6b58b270dc8a9c6d21ad4c6bc9d5f430c2cc20ea4ac18"},
};
const char kTarget[] = "/bucket/a%3Ab/c%20d.mp4";

std::string Header(const std::map<std::string, std::string>& headers,
                   const std::string& name) {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

absl::Status Check(const std::map<std::string, std::string>& headers,
                   const SigV4Key& key, const std::string& target = kTarget) {
  return CheckSigV4(
      "GET", target, [&](const std::string& n) { return Header(headers, n); },
      key);
}

TEST(SigV4CheckTest, AcceptsAKnownGoodSignature) {
  EXPECT_TRUE(Check(kHeaders, {"AKID", "secret", "us-east-1"}).ok());
}

TEST(SigV4CheckTest, RefusesAWrongSecret) {
  absl::Status status = Check(kHeaders, {"AKID", "other", "us-east-1"});
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("SignatureDoesNotMatch"));
}

TEST(SigV4CheckTest, RefusesAnUnknownKeyId) {
  absl::Status status = Check(kHeaders, {"OTHER", "secret", "us-east-1"});
  EXPECT_THAT(std::string(status.message()), HasSubstr("InvalidAccessKeyId"));
}

TEST(SigV4CheckTest, RefusesATamperedPathOrHeader) {
  EXPECT_FALSE(
      Check(kHeaders, {"AKID", "secret", "us-east-1"}, "/bucket/other").ok());
  auto headers = kHeaders;
  headers["host"] = "127.0.0.1:1";
  EXPECT_FALSE(Check(headers, {"AKID", "secret", "us-east-1"}).ok());
}

TEST(SigV4CheckTest, RefusesAnUnsignedRequest) {
  absl::Status status = Check({}, {"AKID", "secret", "us-east-1"});
  EXPECT_THAT(std::string(status.message()), HasSubstr("AccessDenied"));
}

}  // namespace
}  // namespace videoplatform::ingest::testing
