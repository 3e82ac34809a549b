#include "providers/http/crypto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace videoplatform::providers::http {
namespace {

using ::testing::Optional;

// RFC 4231 test cases 1 and 2.
TEST(HmacSha256Test, MatchesRfc4231Vectors) {
  EXPECT_EQ(HexEncode(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// Computed with: printf '' | openssl dgst -sha256 -hmac ''
TEST(HmacSha256Test, EmptyKeyAndData) {
  EXPECT_EQ(HexEncode(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HexTest, RoundTripsAndRejectsBadInput) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_THAT(HexDecode("00FF10"), Optional(std::string("\x00\xff\x10", 3)));
  EXPECT_EQ(HexDecode("abc"), std::nullopt);
  EXPECT_EQ(HexDecode("zz"), std::nullopt);
}

// RFC 4648 section 10.
TEST(Base64Test, MatchesRfc4648Vectors) {
  const std::pair<std::string, std::string> kVectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_THAT(Base64Decode(encoded), Optional(plain)) << encoded;
  }
}

TEST(Base64Test, DecodesWithoutPaddingAndBinary) {
  EXPECT_THAT(Base64Decode("Zm9vYg"), Optional(std::string("foob")));
  EXPECT_THAT(Base64Decode("Zm9vYmE"), Optional(std::string("fooba")));
  EXPECT_THAT(Base64Decode("AAD/"), Optional(std::string("\x00\x00\xff", 3)));
}

TEST(Base64Test, RejectsMalformedInput) {
  EXPECT_EQ(Base64Decode("Zm9v YmFy"), std::nullopt);
  EXPECT_EQ(Base64Decode(" Zm9v"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9v\n"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zg="), std::nullopt);
  EXPECT_EQ(Base64Decode("Zg==="), std::nullopt);
  EXPECT_EQ(Base64Decode("Z"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm=v"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9v-_"), std::nullopt);
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace videoplatform::providers::http
