#include "server/ingest/url_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/status_matchers.h"

namespace videoplatform::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

UrlPolicy Default() { return *UrlPolicy::Create({}); }

UrlPolicy WithLoopback() {
  UrlPolicyOptions options;
  options.allow_loopback_http_for_tests = true;
  return *UrlPolicy::Create(options);
}

void ExpectRefused(const UrlPolicy& policy, const std::string& url,
                   const std::string& reason) {
  EXPECT_THAT(policy.Check("download_url", url),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("download_url: "),
                                        HasSubstr(reason))))
      << url;
}

TEST(UrlPolicyTest, AcceptsProviderAndS3Hosts) {
  const UrlPolicy policy = Default();
  for (const char* url : {
           "https://prod-recordings.daily.co/abc.mp4?token=x",
           "https://daily.co/x",
           "https://bucket.s3.eu-west-1.amazonaws.com/room-2025.mp4",
           "https://cdn.whereby.com/r.mp4",
           "https://api.whereby.dev/v1/r.mp4",
           "https://A.DAILY.CO./x",
           "https://a.daily.co:443/x",
       }) {
    EXPECT_THAT(policy.Check("url", url), IsOk()) << url;
  }
}

TEST(UrlPolicyTest, ReturnsTheNormalizedUrlWithoutFragment) {
  EXPECT_EQ(*Default().Check("url", "https://a.daily.co/x/../y?q=1#frag"),
            "https://a.daily.co/y?q=1");
}

TEST(UrlPolicyTest, RefusesOtherSchemes) {
  const UrlPolicy policy = Default();
  ExpectRefused(policy, "http://a.daily.co/x", "scheme must be https");
  ExpectRefused(policy, "ftp://a.daily.co/x", "scheme must be https");
  ExpectRefused(policy, "file:///etc/passwd", "scheme must be https");
  ExpectRefused(policy, "gopher://a.daily.co/x", "scheme must be https");
}

TEST(UrlPolicyTest, RefusesUnparsableUrls) {
  const UrlPolicy policy = Default();
  ExpectRefused(policy, "", "empty URL");
  ExpectRefused(policy, "a.daily.co/x", "not a valid URL");
  ExpectRefused(policy, "https://a b.daily.co/", "not a valid URL");
  ExpectRefused(policy, "https://a.daily.co/" + std::string(9000, 'x'),
                "longer than");
}

TEST(UrlPolicyTest, RefusesUserInfo) {
  const UrlPolicy policy = Default();
  ExpectRefused(policy, "https://user:pw@a.daily.co/x", "user info");
  ExpectRefused(policy, "https://a.daily.co%2f@evil.example/", "user info");
  ExpectRefused(policy, "https://evil.example\\@a.daily.co/", "user info");
}

TEST(UrlPolicyTest, RefusesIpLiteralsInEverySpelling) {
  const UrlPolicy policy = Default();
  for (const char* url :
       {"https://127.0.0.1/x", "https://169.254.169.254/latest/meta-data",
        "https://2130706433/", "https://0x7f.1/", "https://017700000001/",
        "https://[::1]/", "https://[fe80::1%25eth0]/",
        "https://[::ffff:10.0.0.1]/"}) {
    ExpectRefused(policy, url, "IP address hosts are not allowed");
  }
}

TEST(UrlPolicyTest, RefusesOtherHostsNamingThem) {
  const UrlPolicy policy = Default();
  ExpectRefused(policy, "https://evil.example/x",
                "host \"evil.example\" is not an allowed download host");
  // Suffix matching is on labels, not characters.
  ExpectRefused(policy, "https://evildaily.co/x", "not an allowed");
  ExpectRefused(policy, "https://a.daily.co.evil.example/x", "not an allowed");
  ExpectRefused(policy, "https://localhost/x", "not an allowed");
  ExpectRefused(policy, "https://xn--bcher-kva.example/", "not an allowed");
  ExpectRefused(policy, "https://bücher.daily.co/", "ASCII");
}

TEST(UrlPolicyTest, RefusesOtherPorts) {
  ExpectRefused(Default(), "https://a.daily.co:8443/x", "port 8443");
}

TEST(UrlPolicyTest, DoesNotEchoTheQuery) {
  absl::StatusOr<std::string> refused =
      Default().Check("url", "http://a.daily.co/x?X-Amz-Signature=secret");
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.status().message()),
              Not(HasSubstr("secret")));
}

TEST(UrlPolicyTest, LoopbackOnlyWhenAllowedForTests) {
  ExpectRefused(Default(), "http://127.0.0.1:8080/x", "scheme");
  const UrlPolicy policy = WithLoopback();
  EXPECT_THAT(policy.Check("url", "http://127.0.0.1:8080/x"), IsOk());
  EXPECT_THAT(policy.Check("url", "http://localhost:1/x"), IsOk());
  EXPECT_THAT(policy.Check("url", "http://[::1]:1/x"), IsOk());
  // Still no other plain-http host, and still no user info.
  ExpectRefused(policy, "http://a.daily.co/x", "scheme must be https");
  ExpectRefused(policy, "http://10.0.0.1/x", "scheme must be https");
  ExpectRefused(policy, "http://u:p@127.0.0.1/x", "user info");
}

TEST(UrlPolicyTest, ConfiguredSuffixes) {
  UrlPolicyOptions options;
  options.allowed_host_suffixes = {"recordings.example.com"};
  const UrlPolicy policy = *UrlPolicy::Create(options);
  EXPECT_THAT(policy.Check("url", "https://a.recordings.example.com/x"),
              IsOk());
  ExpectRefused(policy, "https://a.daily.co/x", "not an allowed");
}

TEST(UrlPolicyTest, ParsesHostSuffixes) {
  EXPECT_THAT(*ParseHostSuffixes("S", " .daily.co, Amazonaws.com ,,"),
              ElementsAre(".daily.co", ".amazonaws.com"));
  EXPECT_THAT(ParseHostSuffixes("S", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("S: ")));
  EXPECT_THAT(
      ParseHostSuffixes("S", ".com"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("single label")));
  EXPECT_THAT(
      ParseHostSuffixes("S", "10.0.0.1"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("IP address")));
  EXPECT_THAT(ParseHostSuffixes("S", "a/b.com"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a host suffix")));
  EXPECT_THAT(ParseHostSuffixes("S", "a..b.com"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a..b")));
}

TEST(UrlPolicyTest, OptionsFromEnvironment) {
  unsetenv(kDownloadHostsEnv);
  EXPECT_EQ(UrlPolicyOptionsFromEnv()->allowed_host_suffixes,
            DefaultDownloadHostSuffixes());
  setenv(kDownloadHostsEnv, ".example.org,.daily.co", 1);
  EXPECT_THAT(UrlPolicyOptionsFromEnv()->allowed_host_suffixes,
              ElementsAre(".example.org", ".daily.co"));
  EXPECT_FALSE(UrlPolicyOptionsFromEnv()->allow_loopback_http_for_tests);
  setenv(kDownloadHostsEnv, ".com", 1);
  EXPECT_THAT(UrlPolicyOptionsFromEnv(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(kDownloadHostsEnv)));
  unsetenv(kDownloadHostsEnv);
}

bool ForbiddenV4(const char* text, bool allow_loopback = false) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  inet_pton(AF_INET, text, &address.sin_addr);
  return IsForbiddenAddress(reinterpret_cast<sockaddr*>(&address),
                            allow_loopback);
}

bool ForbiddenV6(const char* text, bool allow_loopback = false) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  inet_pton(AF_INET6, text, &address.sin6_addr);
  return IsForbiddenAddress(reinterpret_cast<sockaddr*>(&address),
                            allow_loopback);
}

TEST(IsForbiddenAddressTest, RefusesInternalAddresses) {
  for (const char* v4 :
       {"0.0.0.0", "10.1.2.3", "100.64.0.1", "127.0.0.1", "127.9.9.9",
        "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "224.0.0.1", "255.255.255.255", "198.18.0.1"}) {
    EXPECT_TRUE(ForbiddenV4(v4)) << v4;
  }
  for (const char* v6 : {"::", "::1", "fe80::1", "fc00::1", "fd12:3456::1",
                         "ff02::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
                         "64:ff9b::a9fe:a9fe", "2002:a00:1::1"}) {
    EXPECT_TRUE(ForbiddenV6(v6)) << v6;
  }
}

TEST(IsForbiddenAddressTest, AllowsPublicAddresses) {
  for (const char* v4 :
       {"52.216.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1"}) {
    EXPECT_FALSE(ForbiddenV4(v4)) << v4;
  }
  for (const char* v6 : {"2600:1f18::1", "::ffff:52.216.1.1"}) {
    EXPECT_FALSE(ForbiddenV6(v6)) << v6;
  }
}

TEST(IsForbiddenAddressTest, LoopbackOnlyWhenAllowed) {
  EXPECT_FALSE(ForbiddenV4("127.0.0.1", /*allow_loopback=*/true));
  EXPECT_FALSE(ForbiddenV6("::1", /*allow_loopback=*/true));
  EXPECT_TRUE(ForbiddenV4("10.0.0.1", /*allow_loopback=*/true));
}

TEST(RedactUrlTest, DropsQueryAndUserInfo) {
  EXPECT_EQ(RedactUrl("https://u:p@a.daily.co/r.mp4?X-Amz-Signature=s#f"),
            "https://a.daily.co/r.mp4?...");
  EXPECT_EQ(RedactUrl("https://a.daily.co/r.mp4"), "https://a.daily.co/r.mp4");
  EXPECT_EQ(RedactUrl("not a url"), "<unparsable URL>");
}

}  // namespace
}  // namespace videoplatform::ingest
