#include "providers/http/crypto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "providers/http/openssl_fips_only.h"
#include "server/common/status_matchers.h"

namespace videoplatform::providers::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

// RFC 4231 test cases 1 and 2.
TEST(HmacSha256Test, MatchesRfc4231Vectors) {
  EXPECT_EQ(HexEncode(*HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexEncode(*HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// Computed with: printf '' | openssl dgst -sha256 -hmac ''
TEST(HmacSha256Test, EmptyKeyAndData) {
  EXPECT_EQ(HexEncode(*HmacSha256("", "")),
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
    EXPECT_THAT(Base64Encode(plain), IsOk());
    EXPECT_EQ(*Base64Encode(plain), encoded);
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

// An empty side is what a failed computation or an empty presented
// signature looks like: it never matches, not even another empty one.
TEST(ConstantTimeEqualsTest, EmptyNeverMatches) {
  EXPECT_FALSE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", ""));
}

// OpenSSL refusing the algorithm (a FIPS-only configuration) is an error,
// never an empty digest.
TEST(FailClosedTest, HmacAndDigestFailWhenOpenSslRefuses) {
  testing::ScopedFipsOnlyOpenSsl fips;
  ASSERT_TRUE(fips.ok());
  EXPECT_THAT(
      HmacSha256("key", "data"),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("HMAC-SHA256 failed: ")));
  EXPECT_THAT(Sha256("data"), StatusIs(absl::StatusCode::kInternal,
                                       HasSubstr("SHA-256 failed: ")));
}

TEST(FailClosedTest, WorksAgainOnceOpenSslAllowsIt) {
  { testing::ScopedFipsOnlyOpenSsl fips; }
  EXPECT_THAT(HmacSha256("key", "data"), IsOk());
  // printf 'abc' | openssl dgst -sha256
  EXPECT_EQ(HexEncode(*Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace videoplatform::providers::http
