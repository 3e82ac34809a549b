#include "providers/http/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"
#include "tests/fakes/fake_http_server.h"

namespace videoplatform::providers::http {
namespace {

using ::testing::AllOf;
using ::testing::Each;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;
using ::videoplatform::fakes::FakeHttpServer;
using ::videoplatform::fakes::Fault;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

constexpr char kKey[] = "sk_test_SECRET_0123456789";

// A server whose routes the tests define.
class TestServer : public FakeHttpServer {
 public:
  TestServer() : FakeHttpServer("/api") {}
  using FakeHttpServer::Route;
  using FakeHttpServer::SendJson;

 protected:
  std::string ErrorBody(int status, const std::string& message) const override {
    return nlohmann::json{{"error", message}}.dump();
  }
};

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Route("GET", "/ok",
                  [](const httplib::Request&, httplib::Response& res) {
                    TestServer::SendJson(res, 200, {{"ok", true}});
                  });
    server_.Route("POST", "/echo",
                  [](const httplib::Request& req, httplib::Response& res) {
                    TestServer::SendJson(res, 201,
                                         nlohmann::json::parse(req.body));
                  });
    server_.Route("GET", "/status/([0-9]+)",
                  [](const httplib::Request& req, httplib::Response& res) {
                    TestServer::SendJson(
                        res, std::stoi(req.matches[1]),
                        {{"error", "invalid-request-error"},
                         {"info", "the provider's own words"}});
                  });
    server_.Route(
        "GET", "/echo-auth",
        [](const httplib::Request& req, httplib::Response& res) {
          TestServer::SendJson(
              res, 401,
              {{"error", "bad key: " + req.get_header_value("Authorization")}});
        });
    server_.Route(
        "GET", "/echo-auth-503",
        [](const httplib::Request& req, httplib::Response& res) {
          TestServer::SendJson(
              res, 503,
              {{"error", "down for " + req.get_header_value("Authorization")}});
        });
    server_.Route("GET", "/big",
                  [](const httplib::Request&, httplib::Response& res) {
                    res.set_content(std::string(4096, 'x'), "text/plain");
                  });
    server_.Route("PUT", "/upload",
                  [](const httplib::Request&, httplib::Response& res) {
                    res.status = 204;
                  });
    ASSERT_THAT(server_.Start(), IsOk());
    client_ = NewClient(server_.base_url());
  }
  void TearDown() override { client_.reset(); }

  std::unique_ptr<HttpClient> NewClient(const std::string& base_url,
                                        int max_attempts = 3) {
    HttpClientOptions options;
    options.provider = "acme";
    options.base_url = base_url;
    options.api_key = kKey;
    options.api_key_setting = "ACME_API_KEY";
    options.retry.max_attempts = max_attempts;
    options.retry.initial_backoff = absl::Milliseconds(10);
    options.retry.max_backoff = absl::Milliseconds(40);
    options.retry.max_retry_after = absl::Seconds(5);
    options.max_response_bytes = 1024;
    auto client = HttpClient::Create(options);
    EXPECT_THAT(client, IsOk());
    return client.ok() ? std::move(*client) : nullptr;
  }

  static HttpRequest Get(const std::string& path) {
    HttpRequest request;
    request.operation = "Probe";
    request.path = path;
    request.idempotent = true;
    return request;
  }

  static absl::Time In(absl::Duration d) { return absl::Now() + d; }

  TestServer server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpClientTest, SendsJsonWithAuthAndParsesTheAnswer) {
  HttpRequest request;
  request.operation = "Create";
  request.method = "POST";
  request.path = "/echo";
  request.query = {{"name", "/room a&b"}, {"x", "é"}};
  request.json_body = nlohmann::json{{"name", "Zoë"}, {"n", 1}};
  auto response = client_->Send(request, In(absl::Seconds(5)));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->attempts, 1);
  EXPECT_EQ(response->headers.at("content-type"), "application/json");
  auto json = client_->ParseJson(request, *response);
  ASSERT_THAT(json, IsOk());
  EXPECT_EQ((*json)["name"], "Zoë");

  auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].method, "POST");
  EXPECT_EQ(recorded[0].target, "/api/echo?name=%2Froom%20a%26b&x=%C3%A9");
  EXPECT_EQ(recorded[0].Header("authorization"), absl::StrCat("Bearer ", kKey));
  EXPECT_EQ(recorded[0].Header("content-type"), "application/json");
  EXPECT_EQ(recorded[0].Header("accept"), "application/json");
  EXPECT_EQ(recorded[0].body, R"({"n":1,"name":"Zoë"})");
}

TEST_F(HttpClientTest, ReusesConnectionsAcrossCalls) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(client_->Send(Get("/ok"), In(absl::Seconds(5))), IsOk());
  }
  auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 5u);
  for (const auto& r : recorded)
    EXPECT_EQ(r.remote_port, recorded[0].remote_port);
}

TEST_F(HttpClientTest, IsSafeToShareBetweenThreads) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        if (client_->Send(Get("/ok"), In(absl::Seconds(10))).ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 60);
  // At most one connection per concurrent caller.
  std::set<int> ports;
  for (const auto& r : server_.requests()) ports.insert(r.remote_port);
  EXPECT_LE(ports.size(), 6u);
}

TEST_F(HttpClientTest, MapsHttpStatusesPerTheTable) {
  struct Case {
    int http;
    absl::StatusCode code;
  };
  const Case kCases[] = {
      {400, absl::StatusCode::kInvalidArgument},
      {401, absl::StatusCode::kFailedPrecondition},
      {403, absl::StatusCode::kFailedPrecondition},
      {404, absl::StatusCode::kNotFound},
      {409, absl::StatusCode::kAborted},
      {412, absl::StatusCode::kFailedPrecondition},
      {418, absl::StatusCode::kUnknown},
      {422, absl::StatusCode::kInvalidArgument},
  };
  for (const Case& c : kCases) {
    auto result = client_->Send(Get(absl::StrCat("/status/", c.http)),
                                In(absl::Seconds(5)));
    EXPECT_THAT(result,
                StatusIs(c.code, AllOf(HasSubstr("acme Probe"),
                                       HasSubstr(absl::StrCat("HTTP ", c.http)),
                                       HasSubstr("invalid-request-error: the "
                                                 "provider's own words"))))
        << c.http;
    EXPECT_THAT(HttpStatusOf(result.status()), Optional(c.http));
  }
  EXPECT_EQ(server_.request_count(), std::size(kCases));  // None retried.
}

TEST_F(HttpClientTest, BadRequestCodeIsPerRequest) {
  HttpRequest request = Get("/status/400");
  request.bad_request_code = absl::StatusCode::kFailedPrecondition;
  EXPECT_THAT(
      client_->Send(request, In(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("HTTP 400")));
}

TEST_F(HttpClientTest, PassThroughStatusesAreResponses) {
  HttpRequest request = Get("/status/404");
  request.pass_through_statuses = {404};
  auto response = client_->Send(request, In(absl::Seconds(5)));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 404);
}

TEST_F(HttpClientTest, RetriesIdempotent5xxUntilSuccess) {
  server_.AddFault(Fault::Status(503, 2));
  auto response = client_->Send(Get("/ok"), In(absl::Seconds(5)));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->attempts, 3);
  EXPECT_EQ(server_.request_count(), 3u);
}

TEST_F(HttpClientTest, RetriesStopAtTheLimit) {
  server_.AddFault(Fault::Status(500, 100));
  const absl::Time start = absl::Now();
  auto response = client_->Send(Get("/ok"), In(absl::Seconds(5)));
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnavailable,
                                 AllOf(HasSubstr("HTTP 500"),
                                       HasSubstr("gave up after 3 attempts"))));
  EXPECT_EQ(server_.request_count(), 3u);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST_F(HttpClientTest, DoesNotRetryNonIdempotent5xx) {
  server_.AddFault(Fault::Status(500, 100));
  HttpRequest request = Get("/ok");
  request.idempotent = false;
  EXPECT_THAT(client_->Send(request, In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("HTTP 500")));
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(HttpClientTest, Retries429EvenForNonIdempotentHonouringRetryAfter) {
  server_.AddFault(Fault::RateLimited(1));
  HttpRequest request = Get("/ok");
  request.idempotent = false;
  const absl::Time start = absl::Now();
  auto response = client_->Send(request, In(absl::Seconds(5)));
  const absl::Duration elapsed = absl::Now() - start;
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->attempts, 2);
  EXPECT_GE(elapsed, absl::Seconds(1));
  EXPECT_LT(elapsed, absl::Seconds(2));
}

TEST_F(HttpClientTest, RetryAfterBeyondTheDeadlineFailsAtOnce) {
  server_.AddFault(Fault::RateLimited(3));
  const absl::Time start = absl::Now();
  auto response = client_->Send(Get("/ok"), In(absl::Seconds(2)));
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnavailable,
                                 AllOf(HasSubstr("HTTP 429"),
                                       HasSubstr("would pass the deadline"))));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(HttpClientTest, RetryAfterAboveTheCapIsNotWaitedFor) {
  server_.AddFault(Fault::RateLimited(3600));
  EXPECT_THAT(client_->Send(Get("/ok"), absl::InfiniteFuture()),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("asks to retry after 1h")));
}

TEST_F(HttpClientTest, SlowResponseEndsAtTheDeadline) {
  server_.AddFault(Fault::Slow(absl::Seconds(30)));
  const absl::Time start = absl::Now();
  auto response = client_->Send(Get("/ok"), In(absl::Milliseconds(300)));
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kDeadlineExceeded,
                                 HasSubstr("acme Probe: deadline exceeded")));
  EXPECT_GE(elapsed, absl::Milliseconds(290));
  EXPECT_LT(elapsed, absl::Milliseconds(800));
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(HttpClientTest, AttemptTimeoutShorterThanTheDeadlineIsRetried) {
  HttpClientOptions options;
  options.provider = "acme";
  options.base_url = server_.base_url();
  options.api_key = kKey;
  options.attempt_timeout = absl::Milliseconds(200);
  options.retry.initial_backoff = absl::Milliseconds(10);
  auto client = HttpClient::Create(options);
  ASSERT_THAT(client, IsOk());
  server_.AddFault(Fault::Slow(absl::Seconds(30)));
  auto response = (*client)->Send(Get("/ok"), In(absl::Seconds(5)));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->attempts, 2);
}

TEST_F(HttpClientTest, ExpiredDeadlineSendsNothing) {
  EXPECT_THAT(
      client_->Send(Get("/ok"), absl::Now() - absl::Seconds(1)),
      StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("acme Probe")));
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(HttpClientTest, DroppedConnectionIsUnavailableAndRetriedOnlyWhenSafe) {
  server_.AddFault(Fault::DropConnection());
  HttpRequest create = Get("/ok");
  create.idempotent = false;
  EXPECT_THAT(client_->Send(create, In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("acme Probe: connection failed")));
  EXPECT_EQ(server_.request_count(), 1u);

  server_.ClearRequests();
  server_.AddFault(Fault::DropConnection(2));
  auto response = client_->Send(Get("/ok"), In(absl::Seconds(5)));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->attempts, 3);
}

TEST_F(HttpClientTest, NonIdempotentRequestIsNeverResentOnAReusedConnection) {
  // A kept-alive connection to the provider first.
  ASSERT_THAT(client_->Send(Get("/ok"), In(absl::Seconds(5))), IsOk());
  // The provider acts on the POST, then the connection dies before a byte
  // of answer: libcurl, seeing a reused connection die, would re-send.
  server_.AddFault(Fault::HangUp().For("POST", "/echo").AfterHandling());
  HttpRequest create;
  create.operation = "Create";
  create.method = "POST";
  create.path = "/echo";
  create.json_body = nlohmann::json{{"n", 1}};
  EXPECT_THAT(client_->Send(create, In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("acme Create: connection failed")));
  int posts = 0;
  for (const auto& r : server_.requests()) posts += r.method == "POST";
  EXPECT_EQ(posts, 1);

  // Idempotent requests keep reusing connections.
  server_.ClearRequests();
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(client_->Send(Get("/ok"), In(absl::Seconds(5))), IsOk());
  }
  auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 3u);
  EXPECT_EQ(recorded[1].remote_port, recorded[0].remote_port);
  EXPECT_EQ(recorded[2].remote_port, recorded[0].remote_port);
}

TEST_F(HttpClientTest, RefusedApiKeyIsFailedPreconditionNamingTheSetting) {
  for (int http : {401, 403}) {
    auto result = client_->Send(Get(absl::StrCat("/status/", http)),
                                In(absl::Seconds(5)));
    EXPECT_THAT(
        result,
        StatusIs(absl::StatusCode::kFailedPrecondition,
                 AllOf(HasSubstr(absl::StrCat(
                           "acme Probe: acme refused the service's API key "
                           "(HTTP ",
                           http,
                           ": invalid-request-error: the provider's "
                           "own words); check ACME_API_KEY")),
                       Not(HasSubstr(kKey)))));
  }
  EXPECT_EQ(server_.request_count(), 2u);  // Never retried.
}

TEST_F(HttpClientTest, ConnectionRefusedIsRetriedThenUnavailable) {
  // A port that was just free: bind a server, note its port, stop it.
  int port = 0;
  {
    TestServer closed;
    ASSERT_THAT(closed.Start(), IsOk());
    port = closed.port();
  }
  auto client = NewClient(absl::StrCat("http://127.0.0.1:", port, "/api"));
  HttpRequest create = Get("/ok");
  create.idempotent = false;  // Nothing was sent, so retrying is safe.
  const absl::Time start = absl::Now();
  EXPECT_THAT(client->Send(create, In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("cannot connect"),
                             HasSubstr("gave up after 3 attempts"))));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST_F(HttpClientTest, MalformedJsonIsInternal) {
  server_.AddFault(Fault::MalformedJson());
  HttpRequest request = Get("/ok");
  auto response = client_->Send(request, In(absl::Seconds(5)));
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(client_->ParseJson(request, *response),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("acme Probe: malformed JSON")));
}

TEST_F(HttpClientTest, OversizedResponseIsInternal) {
  EXPECT_THAT(
      client_->Send(Get("/big"), In(absl::Seconds(5))),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("larger than 1024")));
}

TEST_F(HttpClientTest, ApiKeyNeverAppearsInErrors) {
  auto result = client_->Send(Get("/echo-auth"), In(absl::Seconds(5)));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kFailedPrecondition,
                               AllOf(HasSubstr("bad key: Bearer [redacted]"),
                                     Not(HasSubstr(kKey)))));
  EXPECT_THAT(result.status().ToString(), Not(HasSubstr(kKey)));
}

TEST_F(HttpClientTest, ApiKeyNeverAppearsInLogs) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured)));
  // A provider that echoes the key in its error body and fails over and
  // over: every retry is logged.
  auto result = client_->Send(Get("/echo-auth-503"), In(absl::Seconds(5)));
  spdlog::set_default_logger(previous);
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("[redacted]"), Not(HasSubstr(kKey)))));
  EXPECT_THAT(captured.str(), HasSubstr("retrying"));
  EXPECT_THAT(captured.str(), HasSubstr("[redacted]"));
  EXPECT_THAT(captured.str(), Not(HasSubstr(kKey)));
}

TEST_F(HttpClientTest, UploadsMultipartFiles) {
  HttpRequest request;
  request.operation = "Upload";
  request.method = "PUT";
  request.path = "/upload";
  request.file = MultipartFile{"image", "logo.png", "image/png",
                               std::string("\x89PNG\r\n\x1a\n\0data", 13)};
  ASSERT_THAT(client_->Send(request, In(absl::Seconds(5))), IsOk());
  auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].method, "PUT");
  EXPECT_THAT(recorded[0].Header("content-type"),
              HasSubstr("multipart/form-data; boundary="));
  ASSERT_EQ(recorded[0].files.size(), 1u);
  EXPECT_EQ(recorded[0].files[0].field_name, "image");
  EXPECT_EQ(recorded[0].files[0].filename, "logo.png");
  EXPECT_EQ(recorded[0].files[0].content_type, "image/png");
  EXPECT_EQ(recorded[0].files[0].content,
            std::string("\x89PNG\r\n\x1a\n\0data", 13));
}

TEST(CodeForHttpStatusTest, CoversTheTable) {
  using C = absl::StatusCode;
  EXPECT_EQ(CodeForHttpStatus(200), C::kOk);
  EXPECT_EQ(CodeForHttpStatus(204), C::kOk);
  EXPECT_EQ(CodeForHttpStatus(301), C::kUnknown);
  EXPECT_EQ(CodeForHttpStatus(400), C::kInvalidArgument);
  EXPECT_EQ(CodeForHttpStatus(400, C::kFailedPrecondition),
            C::kFailedPrecondition);
  EXPECT_EQ(CodeForHttpStatus(401), C::kFailedPrecondition);
  EXPECT_EQ(CodeForHttpStatus(403), C::kFailedPrecondition);
  EXPECT_EQ(CodeForHttpStatus(408), C::kUnavailable);
  EXPECT_EQ(CodeForHttpStatus(429), C::kUnavailable);
  EXPECT_EQ(CodeForHttpStatus(500), C::kUnavailable);
  EXPECT_EQ(CodeForHttpStatus(503), C::kUnavailable);
}

std::string Valid(const std::string& url) {
  auto result = ValidateBaseUrl("X_URL", url);
  return result.ok() ? *result : result.status().ToString();
}

TEST(ValidateBaseUrlTest, AcceptsHttpsAndLoopbackHttp) {
  EXPECT_EQ(Valid("https://api.whereby.dev/v1/"), "https://api.whereby.dev/v1");
  EXPECT_EQ(Valid("HTTPS://API.daily.co"), "https://api.daily.co");
  EXPECT_EQ(Valid("http://127.0.0.1:8080/v1"), "http://127.0.0.1:8080/v1");
  EXPECT_EQ(Valid("http://localhost:1/"), "http://localhost:1");
  EXPECT_EQ(Valid("http://[::1]:9/v1"), "http://[::1]:9/v1");
}

TEST(ValidateBaseUrlTest, RejectsMalformedUrlsNamingTheSetting) {
  for (const char* url :
       {"", "api.whereby.dev/v1", "ftp://api.whereby.dev", "https://",
        "http://api.whereby.dev/v1", "https://user:pw@api.whereby.dev",
        "https://api.whereby.dev/v1?x=1", "https://api.whereby.dev/#x",
        "https://api whereby.dev", "not a url", "http://127.0.0.1.evil.com/"}) {
    EXPECT_THAT(ValidateBaseUrl("WHEREBY_API_URL", url),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("WHEREBY_API_URL")))
        << url;
  }
  EXPECT_THAT(
      ValidateBaseUrl("X", "https://user:hunter2@h.example"),
      StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("hunter2"))));
}

TEST(UrlEscapeTest, EscapesAllButUnreserved) {
  EXPECT_EQ(UrlEscape("/abc-1_2.3~"), "%2Fabc-1_2.3~");
  EXPECT_EQ(UrlEscape("a b&c=d?é"), "a%20b%26c%3Dd%3F%C3%A9");
}

TEST(ProviderErrorTextTest, ReadsBothProvidersShapes) {
  EXPECT_EQ(
      ProviderErrorText(R"({"error":"Rate limit active","data":{"msLeft":3}})"),
      "Rate limit active");
  EXPECT_EQ(
      ProviderErrorText(R"({"error":"not-found","info":"room x not found"})"),
      "not-found: room x not found");
  EXPECT_EQ(ProviderErrorText("<html>Bad\ngateway</html>"),
            "<html>Bad gateway</html>");
  EXPECT_EQ(ProviderErrorText(""), "");
}

}  // namespace
}  // namespace videoplatform::providers::http
