#include "server/shim/forwarded_headers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace videoplatform::shim
