#include "server/ingest/s3_url.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/status_matchers.h"

namespace videoplatform::ingest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::videoplatform::testing::StatusIs;

S3Credentials Aws(const std::string& region = "eu-west-1") {
  S3Credentials credentials;
  credentials.access_key_id = "AKIAEXAMPLE";
  credentials.secret_access_key = "very-secret";
  credentials.region = region;
  return credentials;
}

TEST(S3UrlTest, VirtualHostStyleOnAws) {
  EXPECT_EQ(*S3ObjectUrl(Aws(), "whereby-recordings",
                         "room-2025-01-18T12:00:00Z.mp4"),
            "https://whereby-recordings.s3.eu-west-1.amazonaws.com/"
            "room-2025-01-18T12%3A00%3A00Z.mp4");
}

TEST(S3UrlTest, PathStyleOnAwsForDottedBuckets) {
  EXPECT_EQ(*S3ObjectUrl(Aws(), "rec.example.com", "a.mp4"),
            "https://s3.eu-west-1.amazonaws.com/rec.example.com/a.mp4");
}

TEST(S3UrlTest, PathStyleOnACustomEndpoint) {
  S3Credentials credentials = Aws("us-east-1");
  credentials.endpoint = "http://127.0.0.1:4568/";
  EXPECT_EQ(*S3ObjectUrl(credentials, "bucket",
                         "daily.co/room/1700000000000-u-cam-audio-1"),
            "http://127.0.0.1:4568/bucket/daily.co/room/"
            "1700000000000-u-cam-audio-1");
}

TEST(S3UrlTest, EncodesEachKeySegment) {
  EXPECT_EQ(EncodeS3Key("a b/c+d/é?#%/~x_y-z.w"),
            "a%20b/c%2Bd/%C3%A9%3F%23%25/~x_y-z.w");
  EXPECT_EQ(EncodeS3Key("/lead//double/"), "/lead//double/");
}

TEST(S3UrlTest, ValidatesBucketNames) {
  for (const char* bad : {"ab", "Upper", "under_score", "-lead", "trail-",
                          "a..b", "192.168.1.1", "with/slash", "at@host"}) {
    EXPECT_THAT(
        S3ObjectUrl(Aws(), bad, "k"),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s3 bucket")))
        << bad;
  }
}

TEST(S3UrlTest, ValidatesKeysAndCredentials) {
  EXPECT_THAT(
      S3ObjectUrl(Aws(), "bucket", ""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s3 key")));
  EXPECT_THAT(
      S3ObjectUrl(Aws(), "bucket", std::string(1025, 'k')),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s3 key")));
  EXPECT_THAT(
      S3ObjectUrl(Aws(), "bucket", "a\nb"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s3 key")));
  EXPECT_THAT(
      S3ObjectUrl(Aws("EU/WEST"), "bucket", "k"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s3 region")));
  S3Credentials no_key = Aws();
  no_key.access_key_id.clear();
  EXPECT_THAT(
      S3ObjectUrl(no_key, "bucket", "k"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("access key")));
  S3Credentials no_secret = Aws();
  no_secret.secret_access_key.clear();
  EXPECT_THAT(
      S3ObjectUrl(no_secret, "bucket", "k"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("secret")));
}

TEST(S3UrlTest, ValidatesTheEndpointWithoutEchoingIt) {
  for (const char* bad : {"ftp://host/", "http://user:pw@host/",
                          "http://host/?q=1", "nonsense"}) {
    S3Credentials credentials = Aws();
    credentials.endpoint = bad;
    absl::StatusOr<std::string> url = S3ObjectUrl(credentials, "bucket", "k");
    EXPECT_THAT(url, StatusIs(absl::StatusCode::kInvalidArgument,
                              HasSubstr("s3 endpoint")))
        << bad;
    EXPECT_THAT(std::string(url.status().message()), Not(HasSubstr("pw")));
  }
}

TEST(S3UrlTest, SigV4Provider) {
  EXPECT_EQ(S3SigV4Provider("eu-west-1"), "aws:amz:eu-west-1:s3");
}

}  // namespace
}  // namespace videoplatform::ingest
