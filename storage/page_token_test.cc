#include "storage/page_token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "server/common/status_matchers.h"

namespace videoplatform::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

TEST(PageTokenTest, RoundTripsArbitraryBytes) {
  const std::vector<std::string> fields = {"", "a:b", std::string("x\0y", 3),
                                           "1700000000000000", "ü\n,"};
  const std::string token = EncodePageToken("kind", fields);
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                                    "opqrstuvwxyz0123456789-_"),
            std::string::npos)
      << token;
  absl::StatusOr<std::vector<std::string>> decoded =
      DecodePageToken(token, "kind", fields.size());
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, fields);
}

TEST(PageTokenTest, RejectsMalformedTokens) {
  const std::string good = EncodePageToken("k", {"a", "b"});
  const std::vector<std::string> bad = {
      "",
      "not base64 !",
      absl::WebSafeBase64Escape("garbage"),
      absl::WebSafeBase64Escape("1:k1:a"),         // Too few fields.
      absl::WebSafeBase64Escape("1:k1:a1:b1:c"),   // Too many fields.
      absl::WebSafeBase64Escape("1:k9:a1:b"),      // Length past the end.
      absl::WebSafeBase64Escape("1:k-1:a1:b"),     // Negative length.
      absl::WebSafeBase64Escape("1:k99999999:a"),  // Huge length.
      good.substr(0, good.size() - 2),
  };
  for (const std::string& token : bad) {
    EXPECT_THAT(
        DecodePageToken(token, "k", 2),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")))
        << token;
  }
  EXPECT_THAT(DecodePageToken(good, "k", 2),
              ::testing::AllOf(
                  IsOk(), ::testing::Property(
                              &absl::StatusOr<std::vector<std::string>>::value,
                              ElementsAre("a", "b"))));
}

TEST(PageTokenTest, RejectsTokenOfAnotherKind) {
  const std::string token = EncodePageToken("rooms", {"a"});
  EXPECT_THAT(
      DecodePageToken(token, "meetings", 1),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

}  // namespace
}  // namespace videoplatform::storage
