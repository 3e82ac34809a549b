#include "server/ingest/download_http.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace videoplatform::ingest {
namespace {

TEST(DownloadHttpTest, RetriesOnlyTransientAnswers) {
  for (int status : {408, 429, 500, 502, 503, 504}) {
    EXPECT_TRUE(IsRetryableHttpStatus(status)) << status;
  }
  for (int status : {200, 301, 400, 401, 403, 404, 410, 416}) {
    EXPECT_FALSE(IsRetryableHttpStatus(status)) << status;
  }
}

TEST(DownloadHttpTest, MapsStatuses) {
  EXPECT_EQ(CodeForDownloadHttpStatus(400),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeForDownloadHttpStatus(401), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(CodeForDownloadHttpStatus(403),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeForDownloadHttpStatus(404), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeForDownloadHttpStatus(410), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeForDownloadHttpStatus(418),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeForDownloadHttpStatus(302),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeForDownloadHttpStatus(429), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForDownloadHttpStatus(503), absl::StatusCode::kUnavailable);
}

TEST(DownloadHttpTest, ReadsServerErrorText) {
  EXPECT_EQ(ServerErrorText("<?xml version=\"1.0\"?><Error><Code>NoSuchKey"
                            "</Code><Message>The key does not exist."
                            "</Message></Error>"),
            "NoSuchKey: The key does not exist.");
  EXPECT_EQ(ServerErrorText(R"({"error":"not-found","info":"no recording"})"),
            "not-found: no recording");
  EXPECT_EQ(ServerErrorText(R"({"message":"gone"})"), "gone");
  EXPECT_EQ(ServerErrorText("  plain\ttext\n"), "plain text");
  EXPECT_EQ(ServerErrorText(""), "");
  EXPECT_EQ(ServerErrorText(std::string(1000, 'x')).size(), 300u);
}

TEST(DownloadHttpTest, ParsesRetryAfter) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(ParseRetryAfter("3", now), absl::Seconds(3));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("-1", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  // 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT.
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:13:30 GMT", now),
            absl::Seconds(10));
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:13:00 GMT", now),
            absl::ZeroDuration());
}

TEST(DownloadHttpTest, ParsesContentRange) {
  auto range = ParseContentRange("bytes 100-199/1000");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->first, 100);
  EXPECT_EQ(range->last, 199);
  EXPECT_EQ(range->total, 1000);
  range = ParseContentRange("bytes 0-9/*");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->total, -1);
  range = ParseContentRange("bytes */1000");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->first, -1);
  EXPECT_EQ(range->total, 1000);
  for (const char* bad : {"", "bytes", "bytes 5-1/10", "bytes 0-10/10",
                          "items 0-1/2", "bytes */*", "bytes a-b/c"}) {
    EXPECT_FALSE(ParseContentRange(bad).has_value()) << bad;
  }
}

TEST(DownloadHttpTest, ReadsTheSizeFromA416) {
  EXPECT_EQ(ServerSizeFrom416("bytes */1234", ""), 1234);
  EXPECT_EQ(ServerSizeFrom416("",
                              "<Error><Code>InvalidRange</Code>"
                              "<ActualObjectSize>99</ActualObjectSize>"
                              "</Error>"),
            99);
  EXPECT_EQ(ServerSizeFrom416("", "nothing"), -1);
}

TEST(DownloadHttpTest, BackoffIsCappedExponentialWithJitter) {
  absl::BitGen bitgen;
  for (int i = 0; i < 100; ++i) {
    const absl::Duration first =
        BackoffDelay(1, absl::Milliseconds(100), absl::Seconds(1), bitgen);
    EXPECT_GE(first, absl::Milliseconds(50));
    EXPECT_LE(first, absl::Milliseconds(100));
    const absl::Duration third =
        BackoffDelay(3, absl::Milliseconds(100), absl::Seconds(1), bitgen);
    EXPECT_GE(third, absl::Milliseconds(200));
    EXPECT_LE(third, absl::Milliseconds(400));
    const absl::Duration late =
        BackoffDelay(40, absl::Milliseconds(100), absl::Seconds(1), bitgen);
    EXPECT_GE(late, absl::Milliseconds(500));
    EXPECT_LE(late, absl::Seconds(1));
  }
}

}  // namespace
}  // namespace videoplatform::ingest
