// The shim against slow, idle, oversized and too many clients, over real
// sockets (raw ones where the test controls the bytes and their timing):
// WebhookShim on 127.0.0.1:0 -> a real gRPC server with a fake service.
// Hostile clients connect from 127.0.0.2 and up (all of 127/8 is loopback
// on Linux), honest ones from 127.0.0.1, so the per-IP cap tells them apart.
#include <arpa/inet.h>
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "server/shim/fake_service.h"
#include "server/shim/webhook_shim.h"

namespace videoplatform::shim {
namespace {

using testing::FakeServiceServer;
using testing::FakeVideoPlatformService;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::videoplatform::testing::IsOk;

// A client socket; closed when destroyed.
class RawClient {
 public:
  // Connects from `source` to 127.0.0.1:`port`; connected() says whether
  // it worked.
  RawClient(int port, const char* source = "127.0.0.1") {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, source, &local.sin_addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      return;
    }
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(static_cast<uint16_t>(port));
    remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) == 0;
    SetTimeout(absl::Seconds(10));
  }
  ~RawClient() { close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  int fd_for_test() const { return fd_; }

  void SetTimeout(absl::Duration timeout) {
    const timeval tv = absl::ToTimeval(timeout);
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }

  bool Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n =
          send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Everything until the server closes (or an error or the timeout).
  std::string ReadAll() {
    std::string reply;
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd_, buffer, sizeof(buffer), 0)) > 0) {
      reply.append(buffer, static_cast<size_t>(n));
    }
    closed_ = n == 0 || (n < 0 && errno == ECONNRESET);
    return reply;
  }
  // Whether the last ReadAll() ended because the server closed.
  bool closed() const { return closed_; }

  // One response: its head and a Content-Length body. Empty on failure.
  std::string ReadResponse() {
    std::string reply;
    char c;
    while (!absl::EndsWith(reply, "\r\n\r\n")) {
      if (recv(fd_, &c, 1, 0) != 1) return "";
      reply.push_back(c);
    }
    const size_t at = reply.find("Content-Length: ");
    size_t length = 0;
    if (at != std::string::npos) {
      length = std::stoul(reply.substr(at + 16));
    }
    while (length-- > 0) {
      if (recv(fd_, &c, 1, 0) != 1) return "";
      reply.push_back(c);
    }
    return reply;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
};

std::string Webhook(const std::string& body, const std::string& extra = "") {
  return absl::StrCat("POST /v1/whereby HTTP/1.1\r\nHost: x\r\n", extra,
                      "Content-Length: ", body.size(), "\r\n\r\n", body);
}

int ThreadCount() {
  int count = 0;
  if (DIR* dir = opendir("/proc/self/task")) {
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++count;
    }
    closedir(dir);
  }
  return count;
}

class WebhookShimHostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = FakeServiceServer::Start(service_);
    ASSERT_NE(server_, nullptr);
  }

  ShimOptions Options() const {
    ShimOptions options;
    options.listen_address = "127.0.0.1:0";
    options.service.target = server_->target();
    return options;
  }

  void StartShim(const ShimOptions& options) {
    absl::StatusOr<std::unique_ptr<WebhookShim>> shim =
        WebhookShim::Start(options);
    ASSERT_THAT(shim, IsOk());
    shim_ = *std::move(shim);
  }

  // An honest delivery from 127.0.0.1; its status (0: no answer).
  int Deliver(absl::Duration* took = nullptr) {
    httplib::Client client("127.0.0.1", shim_->port());
    client.set_read_timeout(10);
    const absl::Time start = absl::Now();
    const httplib::Result result =
        client.Post("/v1/whereby", "{}", "application/json");
    if (took != nullptr) *took = absl::Now() - start;
    return result ? result->status : 0;
  }

  bool WaitForOpenConnections(int count) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (shim_->open_connections() != count) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(2));
    }
    return true;
  }

  FakeVideoPlatformService service_;
  std::unique_ptr<FakeServiceServer> server_;
  std::unique_ptr<WebhookShim> shim_;
};

TEST_F(WebhookShimHostileTest, OneDeadlineCoversTheWholeRequest) {
  ShimOptions options = Options();
  options.read_timeout = absl::Milliseconds(600);
  StartShim(options);
  for (const bool trickle_body : {false, true}) {
    RawClient client(shim_->port());
    ASSERT_TRUE(client.connected());
    std::atomic<bool> stop{false};
    const absl::Time start = absl::Now();
    // Every read is well within the deadline; the request never ends.
    std::thread trickler([&] {
      client.Send(
          trickle_body
              ? "POST /v1/whereby HTTP/1.1\r\nContent-Length: 999\r\n\r\n"
              : "POST /v1/whereby HTTP/1.1\r\n");
      while (!stop && client.Send(trickle_body ? "x" : "X-A: b\r\n")) {
        absl::SleepFor(absl::Milliseconds(50));
      }
    });
    client.ReadAll();
    const absl::Duration took = absl::Now() - start;
    stop = true;
    trickler.join();
    EXPECT_TRUE(client.closed()) << trickle_body;
    EXPECT_GE(took, absl::Milliseconds(550)) << trickle_body;
    EXPECT_LT(took, absl::Seconds(2)) << trickle_body;
  }
  EXPECT_EQ(Deliver(), 200);
}

TEST_F(WebhookShimHostileTest, KeepAliveThenIdleTimeoutCloses) {
  ShimOptions options = Options();
  options.idle_timeout = absl::Milliseconds(300);
  StartShim(options);
  RawClient client(shim_->port());
  ASSERT_TRUE(client.connected());
  // Two requests, one connection; then nothing: the idle timeout closes it.
  ASSERT_TRUE(client.Send(Webhook("{}")));
  std::string reply = client.ReadResponse();
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(reply, Not(HasSubstr("close")));
  ASSERT_TRUE(client.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_THAT(client.ReadResponse(), StartsWith("HTTP/1.1 200"));
  const absl::Time start = absl::Now();
  EXPECT_EQ(client.ReadAll(), "");
  EXPECT_TRUE(client.closed());
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));

  // A client that connects and sends nothing is closed as well.
  RawClient silent(shim_->port());
  ASSERT_TRUE(silent.connected());
  EXPECT_EQ(silent.ReadAll(), "");
  EXPECT_TRUE(silent.closed());
}

TEST_F(WebhookShimHostileTest, PipelinedRequestsAndExpectContinue) {
  StartShim(Options());
  RawClient client(shim_->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Webhook(R"({"n":1})") + Webhook(R"({"n":2})")));
  EXPECT_THAT(client.ReadResponse(), StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(client.ReadResponse(), StartsWith("HTTP/1.1 200"));

  ASSERT_TRUE(client.Send(
      "POST /v1/whereby HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
      "Content-Length: 7\r\n\r\n"));
  char buffer[64] = {};
  ASSERT_GT(recv(client.fd_for_test(), buffer, 25, MSG_WAITALL), 0);
  EXPECT_THAT(std::string(buffer), StartsWith("HTTP/1.1 100 Continue"));
  ASSERT_TRUE(client.Send(R"({"n":3})"));
  EXPECT_THAT(client.ReadResponse(), StartsWith("HTTP/1.1 200"));
  EXPECT_EQ(service_.Received().size(), 3u);
}

TEST_F(WebhookShimHostileTest, HonestDeliveriesStayFastAmongSlowloris) {
  ShimOptions options = Options();
  options.io_threads = 2;
  StartShim(options);
  ASSERT_EQ(Deliver(), 200);  // gRPC's own threads exist from here on.
  const int threads_before = ThreadCount();

  constexpr int kSlowloris = 200;
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < kSlowloris; ++i) {
    slow.push_back(std::make_unique<RawClient>(shim_->port(), "127.0.0.2"));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(
        slow.back()->Send("POST /v1/whereby HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  }
  for (int round = 0; round < 5; ++round) {
    for (auto& client : slow) client->Send("a");  // Still "sending".
    absl::Duration took;
    EXPECT_EQ(Deliver(&took), 200);
    EXPECT_LT(took, absl::Seconds(1));
    httplib::Client health("127.0.0.1", shim_->port());
    const httplib::Result live = health.Get("/healthz");
    ASSERT_TRUE(live);
    EXPECT_EQ(live->status, 200);
  }
  // Connections cost no thread.
  EXPECT_LE(ThreadCount(), threads_before + 4);  // gRPC may add a few.
}

TEST_F(WebhookShimHostileTest, ConnectionsBeyondTheCapsGet503) {
  ShimOptions options = Options();
  options.max_connections = 5;
  options.max_connections_per_ip = 3;
  StartShim(options);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(shim_->port(), "127.0.0.2"));
    ASSERT_TRUE(held.back()->connected());
    ASSERT_TRUE(held.back()->Send("POST /v1/whereby HTTP/1.1\r\n"));
  }
  RawClient refused(shim_->port(), "127.0.0.2");
  ASSERT_TRUE(refused.connected());
  EXPECT_THAT(refused.ReadAll(), StartsWith("HTTP/1.1 503"));
  EXPECT_TRUE(refused.closed());
  // Another address is still served.
  EXPECT_EQ(Deliver(), 200);
  ASSERT_TRUE(WaitForOpenConnections(3));  // The honest one is gone.

  // The total cap: 3 + 2 more from elsewhere, then a sixth is refused.
  held.push_back(std::make_unique<RawClient>(shim_->port(), "127.0.0.3"));
  held.push_back(std::make_unique<RawClient>(shim_->port(), "127.0.0.4"));
  ASSERT_TRUE(WaitForOpenConnections(5));
  RawClient beyond(shim_->port(), "127.0.0.5");
  ASSERT_TRUE(beyond.connected());
  EXPECT_THAT(beyond.ReadAll(), StartsWith("HTTP/1.1 503"));

  // Freed places are given again.
  held.clear();
  ASSERT_TRUE(WaitForOpenConnections(0));
  EXPECT_EQ(Deliver(), 200);
}

TEST_F(WebhookShimHostileTest, BodyTooLargeIs413EvenForASenderThatSendsAll) {
  StartShim(Options());  // 1 MiB limit.
  RawClient client(shim_->port());
  ASSERT_TRUE(client.connected());
  const std::string body(2 << 20, 'a');
  // The whole 2 MiB body is sent before reading; it must not be reset.
  EXPECT_TRUE(client.Send(Webhook(body)));
  const std::string reply = client.ReadAll();
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(reply, HasSubstr("Connection: close"));
  EXPECT_TRUE(service_.Received().empty());
}

TEST_F(WebhookShimHostileTest, HeaderFloodIsCutOffWith431) {
  StartShim(Options());
  RawClient client(shim_->port());
  ASSERT_TRUE(client.connected());
  std::atomic<size_t> sent{0};
  std::thread flooder([&] {
    if (!client.Send("POST /v1/whereby HTTP/1.1\r\n")) return;
    const std::string header = "X-Flood: " + std::string(8 << 10, 'f') + "\r\n";
    for (int i = 0; i < 20000 && client.Send(header); ++i) {
      sent += header.size();
    }
  });
  const std::string reply = client.ReadAll();
  flooder.join();
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 431"));
  // Cut off long before the 160 MB were sent.
  EXPECT_LT(sent.load(), 32u << 20);
  EXPECT_EQ(Deliver(), 200);
}

TEST_F(WebhookShimHostileTest, ShutdownReturnsAtOnceDespiteSlowClients) {
  StartShim(Options());  // Grace 5 s, read timeout 5 s, idle timeout 10 s.
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<RawClient>(shim_->port(), "127.0.0.2"));
    ASSERT_TRUE(slow.back()->connected());
    if (i % 2 == 0) slow.back()->Send("POST /v1/whereby HTTP/1.1\r\n");
  }
  ASSERT_EQ(Deliver(), 200);
  const absl::Time start = absl::Now();
  shim_->Shutdown();
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  for (auto& client : slow) {
    client->ReadAll();
    EXPECT_TRUE(client->closed());
  }
}

TEST_F(WebhookShimHostileTest, ShutdownGraceBoundsARequestInFlight) {
  ShimOptions options = Options();
  options.shutdown_grace = absl::Milliseconds(300);
  StartShim(options);
  service_.Hold();
  std::atomic<int> status{-1};
  std::thread poster([&] { status = Deliver(); });
  ASSERT_TRUE(service_.WaitForCalls(1, absl::Seconds(10)));
  const absl::Time start = absl::Now();
  shim_->Shutdown();
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  service_.Release();
  poster.join();
  EXPECT_NE(status.load(), 200);  // Never acknowledged.
}

}  // namespace
}  // namespace videoplatform::shim
