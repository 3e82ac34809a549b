#include "server/shim/request_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "server/shim/routes.h"

namespace videoplatform::shim {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::Pair;

httplib::Request MakeRequest(const std::string& method, const std::string& path,
                             httplib::Headers headers = {}) {
  httplib::Request request;
  request.method = method;
  request.path = path;
  request.headers = std::move(headers);
  return request;
}

std::optional<int> StatusOf(const httplib::Request& request,
                            const RequestLimits& limits = {}) {
  std::optional<HttpAnswer> answer = CheckRequest(request, limits);
  if (!answer.has_value()) return std::nullopt;
  return answer->status;
}

TEST(RoutesTest, ExactPaths) {
  ASSERT_NE(FindRoute("/v1/whereby"), nullptr);
  EXPECT_EQ(FindRoute("/v1/whereby")->platform, "whereby");
  ASSERT_NE(FindRoute("/v1/daily/webhook"), nullptr);
  EXPECT_EQ(FindRoute("/v1/daily/webhook")->platform, "daily");
  EXPECT_EQ(FindRoute("/healthz")->kind, RouteKind::kLiveness);
  EXPECT_EQ(FindRoute("/readyz")->kind, RouteKind::kReadiness);
  EXPECT_EQ(FindRoute("/v1/whereby/"), nullptr);
  EXPECT_EQ(FindRoute("/v1/Whereby"), nullptr);
  EXPECT_EQ(FindRoute(""), nullptr);
}

TEST(RequestChecksTest, ValidWebhooksPass) {
  EXPECT_EQ(
      StatusOf(MakeRequest("POST", "/v1/whereby", {{"Content-Length", "10"}})),
      std::nullopt);
  EXPECT_EQ(StatusOf(MakeRequest("POST", "/v1/daily/webhook",
                                 {{"Transfer-Encoding", "Chunked"}})),
            std::nullopt);
  EXPECT_EQ(StatusOf(MakeRequest(
                "POST", "/v1/whereby",
                {{"Content-Length", "0"}, {"Content-Encoding", "identity"}})),
            std::nullopt);
  EXPECT_EQ(StatusOf(MakeRequest("GET", "/healthz")), std::nullopt);
  EXPECT_EQ(StatusOf(MakeRequest("HEAD", "/readyz")), std::nullopt);
}

TEST(RequestChecksTest, RouteAndMethod) {
  EXPECT_THAT(StatusOf(MakeRequest("POST", "/nope")), Optional(404));
  const std::optional<HttpAnswer> answer =
      CheckRequest(MakeRequest("GET", "/v1/whereby"), {});
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 405);
  EXPECT_THAT(answer->headers, ElementsAre(Pair("Allow", "POST")));
  EXPECT_THAT(StatusOf(MakeRequest("OPTIONS", "/v1/daily/webhook")),
              Optional(405));
  EXPECT_THAT(StatusOf(MakeRequest("POST", "/healthz")), Optional(405));
}

TEST(RequestChecksTest, DeclaredBodySize) {
  RequestLimits limits;
  limits.max_body_bytes = 100;
  EXPECT_EQ(
      StatusOf(MakeRequest("POST", "/v1/whereby", {{"Content-Length", "100"}}),
               limits),
      std::nullopt);
  EXPECT_THAT(
      StatusOf(MakeRequest("POST", "/v1/whereby", {{"Content-Length", "101"}}),
               limits),
      Optional(413));
  EXPECT_THAT(
      StatusOf(MakeRequest("POST", "/v1/whereby",
                           {{"Content-Length", "99999999999999999999"}}),
               limits),
      Optional(400));
}

TEST(RequestChecksTest, Framing) {
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "1.0", "abc"}) {
    EXPECT_THAT(
        StatusOf(MakeRequest("POST", "/v1/whereby", {{"Content-Length", bad}})),
        Optional(400))
        << "\"" << bad << "\"";
  }
  EXPECT_THAT(
      StatusOf(MakeRequest("POST", "/v1/whereby",
                           {{"Content-Length", "5"}, {"Content-Length", "6"}})),
      Optional(400));
  EXPECT_EQ(
      StatusOf(MakeRequest("POST", "/v1/whereby",
                           {{"Content-Length", "5"}, {"Content-Length", "5"}})),
      std::nullopt);
  EXPECT_THAT(StatusOf(MakeRequest("POST", "/v1/whereby")), Optional(411));
  EXPECT_THAT(StatusOf(MakeRequest("POST", "/v1/whereby",
                                   {{"Transfer-Encoding", "gzip, chunked"}})),
              Optional(501));
  EXPECT_THAT(StatusOf(MakeRequest(
                  "POST", "/v1/whereby",
                  {{"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}})),
              Optional(400));
}

TEST(RequestChecksTest, ContentEncodingAndMultipart) {
  EXPECT_THAT(StatusOf(MakeRequest(
                  "POST", "/v1/whereby",
                  {{"Content-Length", "3"}, {"Content-Encoding", "gzip"}})),
              Optional(415));
  EXPECT_THAT(StatusOf(MakeRequest(
                  "POST", "/v1/whereby",
                  {{"Content-Length", "3"},
                   {"Content-Type", "multipart/form-data; boundary=x"}})),
              Optional(415));
}

TEST(RequestChecksTest, HeaderLimits) {
  RequestLimits limits;
  limits.max_header_count = 3;
  limits.max_header_bytes = 40;
  EXPECT_EQ(StatusOf(MakeRequest("POST", "/v1/whereby",
                                 {{"Content-Length", "3"}, {"A", "b"}}),
                     limits),
            std::nullopt);
  EXPECT_THAT(
      StatusOf(
          MakeRequest(
              "POST", "/v1/whereby",
              {{"Content-Length", "3"}, {"A", "1"}, {"B", "2"}, {"C", "3"}}),
          limits),
      Optional(431));
  EXPECT_THAT(StatusOf(MakeRequest("GET", "/healthz",
                                   {{"X-Long", std::string(40, 'x')}}),
                       limits),
              Optional(431));
}

TEST(RequestChecksTest, ReasonsAreShortAndNeverEchoTheRequest) {
  const std::optional<HttpAnswer> answer = CheckRequest(
      MakeRequest("POST", "/secret-path", {{"X-Secret", "secret"}}), {});
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->body, "not found\n");
  EXPECT_EQ(answer->outcome, "not_found");
}

}  // namespace
}  // namespace videoplatform::shim
