// The shim through its real path: a real HTTP client (httplib::Client or a
// raw socket where the test must control the bytes) -> WebhookShim on
// 127.0.0.1:0 -> a real gRPC server on 127.0.0.1:0 with a fake
// VideoPlatformService.
#include "server/shim/webhook_shim.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "server/shim/fake_service.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace videoplatform::shim {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Eq;
using testing::FakeServiceServer;
using testing::FakeVideoPlatformService;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using testing::ReceivedWebhook;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

constexpr char kToken[] = "test-token-123";
constexpr char kWhereby[] = "/v1/whereby";
constexpr char kDaily[] = "/v1/daily/webhook";

// Writes `request` to a fresh connection and returns everything the server
// sends until it closes the connection (or 10 s pass).
std::string RawExchange(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "<socket failed>";
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
          0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0)
      reply.append(buffer, n);
  }
  close(fd);
  return reply;
}

bool CanConnect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected =
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

// Bytes a JSON parser would choke on, and non-ASCII text: the service must
// get them exactly as sent.
std::string AwkwardBody() {
  std::string body = "{\"displayName\":\"Zo\xC3\xAB \xF0\x9F\x8E\x89\"}";
  body += std::string("\0\x01\xFF\xFE\r\n", 6);
  return body;
}

class WebhookShimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = FakeServiceServer::Start(service_);
    ASSERT_NE(server_, nullptr);
  }

  ShimOptions Options() const {
    ShimOptions options;
    options.listen_address = "127.0.0.1:0";
    options.service.target = server_->target();
    options.service.api_token = kToken;
    return options;
  }

  void StartShim(const ShimOptions& options) {
    absl::StatusOr<std::unique_ptr<WebhookShim>> shim =
        WebhookShim::Start(options);
    ASSERT_THAT(shim, IsOk());
    shim_ = *std::move(shim);
    ASSERT_GT(shim_->port(), 0);
  }
  void StartShim() { StartShim(Options()); }

  std::unique_ptr<httplib::Client> Client() const {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", shim_->port());
    client->set_connection_timeout(5);
    client->set_read_timeout(10);
    client->set_write_timeout(10);
    return client;
  }

  httplib::Result Post(const std::string& path, const std::string& body,
                       const httplib::Headers& headers = {}) const {
    return Client()->Post(path.c_str(), headers, body, "application/json");
  }

  FakeVideoPlatformService service_;
  std::unique_ptr<FakeServiceServer> server_;
  std::unique_ptr<WebhookShim> shim_;
};

TEST_F(WebhookShimTest, ForwardsWherebyBodyHeadersAndToken) {
  StartShim();
  const std::string body = AwkwardBody();
  const httplib::Headers headers = {
      {"Whereby-Signature", "t=1700000000,v1=abc123"},
      {"X-Custom", "one"},
      {"X-Custom", "two"},
      {"Authorization", "Bearer provider-secret"},
      {"Cookie", "session=cookie-secret"},
      {"Connection", "close, X-Hop"},
      {"X-Hop", "hop-secret"},
  };
  const httplib::Result result = Post(kWhereby, body, headers);
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "applied\n");

  const std::vector<ReceivedWebhook> received = service_.Received();
  ASSERT_THAT(received, SizeIs(1));
  const ReceivedWebhook& webhook = received[0];
  EXPECT_EQ(webhook.platform, "whereby");
  EXPECT_EQ(webhook.body, body);
  EXPECT_THAT(webhook.Header("whereby-signature"),
              ElementsAre("t=1700000000,v1=abc123"));
  EXPECT_THAT(webhook.Header("x-custom"), ElementsAre("one", "two"));
  EXPECT_THAT(webhook.Header("content-type"), ElementsAre("application/json"));
  EXPECT_THAT(webhook.Header("content-length"),
              ElementsAre(std::to_string(body.size())));
  for (const auto& [name, value] : webhook.headers) {
    EXPECT_EQ(name, absl::AsciiStrToLower(name));
    for (const char* dropped :
         {"authorization", "cookie", "connection", "x-hop", "remote_addr",
          "remote_port", "local_addr", "local_port"}) {
      EXPECT_NE(name, dropped);
    }
    EXPECT_THAT(value, AllOf(Not(HasSubstr("secret"))));
  }
  EXPECT_THAT(webhook.authorization,
              ElementsAre(absl::StrCat("Bearer ", kToken)));
}

TEST_F(WebhookShimTest, HeaderValuesKeepTabsAndInnerSpaces) {
  StartShim();
  // HTTP strips the spaces around a value, nothing inside it.
  const std::string reply =
      RawExchange(shim_->port(),
                  "POST /v1/whereby HTTP/1.1\r\nHost: x\r\n"
                  "Connection: close\r\nX-Tab:  a\tb  c \r\n"
                  "Content-Length: 2\r\n\r\n{}");
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 200"));
  const std::vector<ReceivedWebhook> received = service_.Received();
  ASSERT_THAT(received, SizeIs(1));
  EXPECT_THAT(received[0].Header("x-tab"), ElementsAre("a\tb  c"));
}

TEST_F(WebhookShimTest, HeaderValuesTravelAsExactBytes) {
  StartShim();
  // obs-text (RFC 9110 5.5): bytes that are not UTF-8 text.
  const std::string reply =
      RawExchange(shim_->port(),
                  "POST /v1/daily/webhook HTTP/1.1\r\nHost: x\r\n"
                  "Connection: close\r\nX-Bin: a\xFF\xFE\tb\r\n"
                  "X-Text: Zo\xC3\xAB\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 200"));
  const std::vector<ReceivedWebhook> received = service_.Received();
  ASSERT_THAT(received, SizeIs(1));
  EXPECT_THAT(received[0].Header("x-bin"), ElementsAre("a\xFF\xFE\tb"));
  EXPECT_THAT(received[0].Header("x-text"), ElementsAre("Zo\xC3\xAB"));
  // The text field only where it is lossless.
  EXPECT_THAT(received[0].text_values,
              AllOf(Contains(Pair("x-bin", "")),
                    Contains(Pair("x-text", "Zo\xC3\xAB"))));
}

TEST_F(WebhookShimTest, ForwardsDailyWithoutTokenWhenNoneIsSet) {
  ShimOptions options = Options();
  options.service.api_token = "";
  StartShim(options);
  const httplib::Result result =
      Post(kDaily, R"({"test":"test"})",
           {{"X-Webhook-Signature", "c2ln"}, {"X-Webhook-Timestamp", "17"}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  const std::vector<ReceivedWebhook> received = service_.Received();
  ASSERT_THAT(received, SizeIs(1));
  EXPECT_EQ(received[0].platform, "daily");
  EXPECT_EQ(received[0].body, R"({"test":"test"})");
  EXPECT_THAT(received[0].Header("x-webhook-signature"), ElementsAre("c2ln"));
  EXPECT_THAT(received[0].Header("x-webhook-timestamp"), ElementsAre("17"));
  EXPECT_THAT(received[0].authorization, IsEmpty());
}

TEST_F(WebhookShimTest, ForwardsChunkedBody) {
  StartShim();
  const std::string part = AwkwardBody();
  const httplib::Result result = Client()->Post(
      kWhereby, {},
      [&](size_t offset, httplib::DataSink& sink) {
        for (int i = 0; i < 3; ++i) sink.write(part.data(), part.size());
        sink.done();
        return true;
      },
      "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  const std::vector<ReceivedWebhook> received = service_.Received();
  ASSERT_THAT(received, SizeIs(1));
  EXPECT_EQ(received[0].body, part + part + part);
  EXPECT_THAT(received[0].Header("transfer-encoding"), IsEmpty());
}

TEST_F(WebhookShimTest, EveryOkOutcomeIs200) {
  StartShim();
  const std::map<v1::WebhookOutcome, std::string> bodies = {
      {v1::WEBHOOK_OUTCOME_APPLIED, "applied\n"},
      {v1::WEBHOOK_OUTCOME_DUPLICATE, "duplicate\n"},
      {v1::WEBHOOK_OUTCOME_IGNORED, "ignored\n"},
      {v1::WEBHOOK_OUTCOME_UNSPECIFIED, "ok\n"},
  };
  for (const auto& [outcome, body] : bodies) {
    service_.SetAnswer(grpc::Status::OK, outcome);
    for (const char* path : {kWhereby, kDaily}) {
      const httplib::Result result = Post(path, "{}");
      ASSERT_TRUE(result);
      EXPECT_EQ(result->status, 200) << path << " " << outcome;
      EXPECT_EQ(result->body, body);
    }
  }
}

TEST_F(WebhookShimTest, ARefusedShimTokenIsA503NotA401) {
  StartShim();
  // UNAUTHENTICATED without the signature marker: the service refused the
  // shim's own token. Providers must retry, not see their webhook refused.
  service_.SetAnswer(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "token"),
                     v1::WEBHOOK_OUTCOME_APPLIED, /*token_rejected=*/true);
  const httplib::Result result = Post(kDaily, "{}");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503);
}

TEST_F(WebhookShimTest, MapsServiceErrorsWithoutEchoingThem) {
  StartShim();
  const std::map<grpc::StatusCode, int> expected = {
      {grpc::StatusCode::UNAUTHENTICATED, 401},
      {grpc::StatusCode::INVALID_ARGUMENT, 400},
      {grpc::StatusCode::UNAVAILABLE, 503},
      {grpc::StatusCode::DEADLINE_EXCEEDED, 503},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, 503},
      {grpc::StatusCode::INTERNAL, 500},
      {grpc::StatusCode::UNKNOWN, 500},
      {grpc::StatusCode::FAILED_PRECONDITION, 500},
      {grpc::StatusCode::PERMISSION_DENIED, 500},
      {grpc::StatusCode::NOT_FOUND, 500},
      {grpc::StatusCode::ABORTED, 500},
  };
  for (const auto& [code, http_status] : expected) {
    service_.SetAnswer(grpc::Status(code, "service-message-with-detail"));
    const httplib::Result result = Post(kWhereby, R"({"marker":"body-bytes"})");
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, http_status) << code;
    EXPECT_FALSE(result->body.empty());
    EXPECT_THAT(result->body, AllOf(Not(HasSubstr("service-message")),
                                    Not(HasSubstr("body-bytes"))));
  }
}

TEST_F(WebhookShimTest, SlowServiceHitsTheDeadlineAnd503) {
  ShimOptions options = Options();
  options.service.rpc_timeout = absl::Milliseconds(300);
  StartShim(options);
  service_.Hold();
  const absl::Time start = absl::Now();
  const httplib::Result result = Post(kWhereby, "{}");
  service_.Release();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST_F(WebhookShimTest, ServiceDownIs503AndNotReady) {
  ShimOptions options = Options();
  options.service.rpc_timeout = absl::Milliseconds(300);
  server_->Stop();  // Nothing listens on the target any more.
  StartShim(options);
  const httplib::Result result = Post(kDaily, "{}");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503);
  const httplib::Result ready = Client()->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  const httplib::Result live = Client()->Get("/healthz");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
}

TEST_F(WebhookShimTest, HealthAndReadiness) {
  StartShim();
  httplib::Result live = Client()->Get("/healthz");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(live->body, "ok\n");
  live = Client()->Head("/healthz");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);

  httplib::Result ready = Client()->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  server_->SetServing(false);
  ready = Client()->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_FALSE(ready->body.empty());
  server_->SetServing(true);
  ready = Client()->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
}

TEST_F(WebhookShimTest, BodyTooLargeByContentLength) {
  ShimOptions options = Options();
  options.limits.max_body_bytes = 1024;
  StartShim(options);
  httplib::Result result = Post(kWhereby, std::string(1024, 'a'));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  result = Post(kWhereby, std::string(1025, 'a'));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 413);
  EXPECT_THAT(result->body, HasSubstr("too large"));

  // Refused from the headers alone: no body byte is ever sent.
  const std::string reply =
      RawExchange(shim_->port(),
                  "POST /v1/whereby HTTP/1.1\r\nHost: x\r\n"
                  "Content-Length: 10000000000\r\n\r\n");
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 413"));
  // Likewise when the client waits for 100 Continue.
  const std::string expect_reply =
      RawExchange(shim_->port(),
                  "POST /v1/daily/webhook HTTP/1.1\r\nHost: x\r\n"
                  "Expect: 100-continue\r\nContent-Length: 2048\r\n\r\n");
  EXPECT_THAT(expect_reply, StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(service_.Received(), SizeIs(1));
}

TEST_F(WebhookShimTest, BodyTooLargeWhenChunked) {
  ShimOptions options = Options();
  options.limits.max_body_bytes = 1024;
  StartShim(options);
  const httplib::Result result = Client()->Post(
      kWhereby, {},
      [](size_t offset, httplib::DataSink& sink) {
        const std::string chunk(600, 'a');
        sink.write(chunk.data(), chunk.size());
        sink.write(chunk.data(), chunk.size());
        sink.done();
        return true;
      },
      "application/json");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 413);
  EXPECT_THAT(service_.Received(), IsEmpty());
}

TEST_F(WebhookShimTest, WrongMethodIs405WithAllow) {
  StartShim();
  auto client = Client();
  httplib::Result result = client->Get(kWhereby);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_EQ(result->get_header_value("Allow"), "POST");
  EXPECT_FALSE(result->body.empty());
  result = client->Put(kDaily, "{}", "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_EQ(result->get_header_value("Allow"), "POST");
  result = client->Delete(kDaily);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  result = client->Post("/healthz", "{}", "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_EQ(result->get_header_value("Allow"), "GET, HEAD");
  result = client->Post("/readyz", "{}", "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_THAT(service_.Received(), IsEmpty());
}

TEST_F(WebhookShimTest, UnknownPathIs404) {
  StartShim();
  for (const char* path :
       {"/", "/v1/whereby/", "/v1/daily", "/v1/unknown", "/V1/WHEREBY"}) {
    httplib::Result result = Post(path, "{}");
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 404) << path;
    EXPECT_FALSE(result->body.empty());
    result = Client()->Get(path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 404) << path;
  }
  EXPECT_THAT(service_.Received(), IsEmpty());
}

TEST_F(WebhookShimTest, RefusesBodiesItCannotPassOnAsSent) {
  StartShim();
  httplib::Result result = Post(kWhereby, "{}", {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 415);
  result =
      Client()->Post(kWhereby, "--b--\r\n", "multipart/form-data; boundary=b");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 415);

  EXPECT_THAT(RawExchange(shim_->port(),
                          "POST /v1/whereby HTTP/1.1\r\nHost: x\r\n\r\n"),
              StartsWith("HTTP/1.1 411"));
  EXPECT_THAT(RawExchange(shim_->port(),
                          "POST /v1/whereby HTTP/1.1\r\nHost: x\r\n"
                          "Transfer-Encoding: gzip, chunked\r\n\r\n"),
              StartsWith("HTTP/1.1 501"));
  EXPECT_THAT(RawExchange(shim_->port(),
                          "POST /v1/whereby HTTP/1.1\r\nHost: x\r\n"
                          "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"),
              StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(RawExchange(shim_->port(),
                          "POST /v1/whereby HTTP/1.1\r\nHost: x\r\n"
                          "Content-Length: -2\r\n\r\n{}"),
              StartsWith("HTTP/1.1 400"));
  // An unknown method is a method the route does not allow.
  EXPECT_THAT(RawExchange(shim_->port(), "BREW /v1/whereby HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 405"));
  // A malformed request line or header.
  EXPECT_THAT(RawExchange(shim_->port(), "GARBAGE\r\n\r\n"),
              StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(RawExchange(shim_->port(),
                          "POST /v1/whereby HTTP/1.1\r\nHost: x\r\n"
                          "Bad Header: v\r\nContent-Length: 2\r\n\r\n{}"),
              StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(service_.Received(), IsEmpty());
}

TEST_F(WebhookShimTest, HeadersTooLargeIs431) {
  StartShim();
  httplib::Headers headers;
  for (int i = 0; i < 120; ++i) headers.emplace(absl::StrCat("X-H", i), "v");
  httplib::Result result = Post(kWhereby, "{}", headers);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 431);
  result = Post(kWhereby, "{}",
                {{"X-A", std::string(6000, 'a')},
                 {"X-B", std::string(6000, 'b')},
                 {"X-C", std::string(6000, 'c')},
                 {"X-D", std::string(6000, 'd')},
                 {"X-E", std::string(6000, 'e')},
                 {"X-F", std::string(6000, 'f')}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 431);
  EXPECT_THAT(service_.Received(), IsEmpty());
}

TEST_F(WebhookShimTest, ShutdownFinishesTheRequestInFlight) {
  StartShim();
  service_.Hold();
  std::optional<httplib::Result> result;
  std::thread poster(
      [&] { result.emplace(Post(kWhereby, R"({"slow":true})")); });
  ASSERT_TRUE(service_.WaitForCalls(1, absl::Seconds(10)));

  absl::Notification stopped;
  std::thread stopper([&] {
    shim_->Shutdown();
    stopped.Notify();
  });
  // The listener closes first; the request in flight keeps Shutdown waiting.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (CanConnect(shim_->port()) && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_FALSE(CanConnect(shim_->port()));
  EXPECT_FALSE(stopped.HasBeenNotified());

  service_.Release();
  poster.join();
  stopper.join();
  ASSERT_TRUE(result.has_value() && *result)
      << httplib::to_string(result->error());
  EXPECT_EQ((*result)->status, 200);
  EXPECT_EQ((*result)->body, "applied\n");
}

TEST_F(WebhookShimTest, ShutdownRightAfterStartReturns) {
  StartShim();
  shim_->Shutdown();
  shim_->Shutdown();
  EXPECT_FALSE(CanConnect(shim_->port()));
}

TEST_F(WebhookShimTest, ConcurrentBurstIsAnsweredAndReceivedOnce) {
  ShimOptions options = Options();
  // Fewer io threads than clients, each client a keep-alive connection.
  options.io_threads = 2;
  StartShim(options);
  constexpr int kThreads = 16;
  constexpr int kPerThread = 200 / kThreads + 1;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = Client();
      for (int i = 0; i < kPerThread; ++i) {
        const std::string body = absl::StrCat(R"({"id":")", t, "-", i, R"("})");
        const httplib::Result result = client->Post(
            t % 2 == 0 ? kWhereby : kDaily, body, "application/json");
        if (result && result->status == 200) ++ok;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const int total = kThreads * kPerThread;
  EXPECT_EQ(ok.load(), total);
  std::multiset<std::string> bodies;
  for (const ReceivedWebhook& webhook : service_.Received()) {
    bodies.insert(webhook.body);
  }
  EXPECT_THAT(bodies, SizeIs(total));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      EXPECT_EQ(bodies.count(absl::StrCat(R"({"id":")", t, "-", i, R"("})")),
                1u);
    }
  }
}

TEST_F(WebhookShimTest, LogsOneLinePerRequestWithoutSecrets) {
  std::ostringstream log;
  auto logger = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  StartShim();
  service_.SetAnswer(grpc::Status::OK, v1::WEBHOOK_OUTCOME_IGNORED);
  ASSERT_TRUE(Post(kWhereby, R"({"secret-body":1})",
                   {{"Whereby-Signature", "t=1,v1=secret-signature"},
                    {"Authorization", "Bearer secret-token"}}));
  service_.SetAnswer(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "x"));
  ASSERT_TRUE(Post(kDaily, R"({"secret-body":2})"));
  ASSERT_TRUE(Client()->Get("/nowhere\n"));
  shim_->Shutdown();  // Every log line is written.
  spdlog::set_default_logger(previous);

  const std::string text = log.str();
  EXPECT_THAT(text, HasSubstr("http POST /v1/whereby 200 platform=whereby "
                              "outcome=ignored"));
  EXPECT_THAT(text, HasSubstr("detail=\"fake detail\""));
  EXPECT_THAT(text, HasSubstr("http POST /v1/daily/webhook 401 platform=daily "
                              "outcome=UNAUTHENTICATED"));
  // The path as sent (httplib's client percent-encodes the newline).
  EXPECT_THAT(text, HasSubstr("http GET /nowhere%0A 404 platform=- "
                              "outcome=not_found"));
  EXPECT_THAT(text, Not(HasSubstr("secret")));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
}

TEST_F(WebhookShimTest, StartRefusesBadOptionsAndBusyPorts) {
  ShimOptions options = Options();
  options.listen_address = "127.0.0.1";
  EXPECT_THAT(
      WebhookShim::Start(options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("listen")));
  StartShim();
  options.listen_address = absl::StrCat("127.0.0.1:", shim_->port());
  EXPECT_THAT(WebhookShim::Start(options),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("listen")));
}

}  // namespace
}  // namespace videoplatform::shim
