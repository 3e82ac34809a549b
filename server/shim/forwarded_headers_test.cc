#include "server/shim/forwarded_headers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"

namespace videoplatform::shim {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

MATCHER_P2(IsHeader, name, value, "") {
  return arg.name == name && arg.value == value;
}

TEST(ForwardedHeadersTest, LowerCasesNamesAndKeepsValuesAndRepeats) {
  const httplib::Headers headers = {
      {"Whereby-Signature", "t=1,v1=AbC"},
      {"X-Webhook-Timestamp", "1700000000"},
      {"X-Repeated", "1"},
      {"x-repeated", "2"},
      {"Content-Type", "application/json"},
  };
  EXPECT_THAT(ForwardedHeaders(headers),
              UnorderedElementsAre(
                  IsHeader("whereby-signature", "t=1,v1=AbC"),
                  IsHeader("x-webhook-timestamp", "1700000000"),
                  IsHeader("x-repeated", "1"), IsHeader("x-repeated", "2"),
                  IsHeader("content-type", "application/json")));
}

TEST(ForwardedHeadersTest, DropsCredentialsHopByHopAndPseudoHeaders) {
  const httplib::Headers headers = {
      {"Authorization", "Bearer x"},
      {"Proxy-Authorization", "Basic y"},
      {"Cookie", "a=b"},
      {"Connection", "keep-alive, X-Private , x-other"},
      {"Keep-Alive", "timeout=5"},
      {"Proxy-Connection", "keep-alive"},
      {"TE", "trailers"},
      {"Trailer", "X-T"},
      {"Transfer-Encoding", "chunked"},
      {"Upgrade", "h2c"},
      {"Expect", "100-continue"},
      {"X-Private", "hop"},
      {"X-Other", "hop"},
      {"REMOTE_ADDR", "127.0.0.1"},
      {"REMOTE_PORT", "1234"},
      {"LOCAL_ADDR", "127.0.0.1"},
      {"LOCAL_PORT", "8080"},
      {"X-Kept", "yes"},
  };
  EXPECT_THAT(ForwardedHeaders(headers),
              ElementsAre(IsHeader("x-kept", "yes")));
  EXPECT_THAT(ForwardedHeaders({}), IsEmpty());
}

TEST(IsValidUtf8Test, AcceptsWellFormedAndRefusesTheRest) {
  for (const char* valid :
       {"", "plain ascii", "tab\there", "Zo\xC3\xAB", "\xE2\x82\xAC",
        "\xF0\x9F\x8E\x89", "\xED\x9F\xBF", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_TRUE(IsValidUtf8(valid)) << valid;
  }
  for (const char* invalid :
       {"\xFF", "\xFE\xFF", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80",
        "\xED\xA0\x80", "\xF0\x80\x80\x80", "\xF4\x90\x80\x80",
        "\xF5\x80\x80\x80", "\xC3", "ok\xE2\x82", "\x80", "a\xC3(b"}) {
    EXPECT_FALSE(IsValidUtf8(invalid)) << absl::CHexEscape(invalid);
  }
}

}  // namespace
}  // namespace videoplatform::shim
