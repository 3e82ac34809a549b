// Drain: on SIGTERM, health watchers see NOT_SERVING for the whole server
// and for the service name before the server stops.
// (gRPC's health service keeps Watch streams open until the shutdown grace
// ends, so this test takes about --shutdown_grace.)
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/e2e/server_process.h"

namespace videoplatform::testing {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// Watches `service` and records the statuses streamed until it ends.
class HealthWatch {
 public:
  HealthWatch(std::shared_ptr<grpc::Channel> channel,
              const std::string& service)
      : stub_(grpc::health::v1::Health::NewStub(channel)) {
    context_.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    HealthCheckRequest request;
    request.set_service(service);
    reader_ = stub_->Watch(&context_, request);
    HealthCheckResponse first;
    first_ok_ =
        reader_->Read(&first) && first.status() == HealthCheckResponse::SERVING;
  }

  bool started_serving() const { return first_ok_; }

  // Reads until the stream ends; whether NOT_SERVING was among the updates.
  bool SawNotServing() {
    HealthCheckResponse response;
    bool saw = false;
    while (reader_->Read(&response)) {
      saw = saw || response.status() == HealthCheckResponse::NOT_SERVING;
    }
    return saw;
  }

 private:
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> reader_;
  bool first_ok_ = false;
};

TEST(LifecycleTest, DrainTurnsHealthNotServingOverallAndPerService) {
  ServerProcessOptions options;
  options.env = {{"DEFAULT_VIDEO_PLATFORM", "mock"}};
  auto server = ServerProcess::Start(std::move(options));
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = (*server)->Channel();
  HealthWatch overall(channel, "");
  HealthWatch service(channel, "videoplatform.v1.VideoPlatformService");
  ASSERT_TRUE(overall.started_serving());
  ASSERT_TRUE(service.started_serving());

  bool overall_saw = false, service_saw = false;
  std::thread watcher_overall([&] { overall_saw = overall.SawNotServing(); });
  std::thread watcher_service([&] { service_saw = service.SawNotServing(); });
  auto code = (*server)->Stop(SIGTERM, absl::Seconds(20));
  watcher_overall.join();
  watcher_service.join();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  EXPECT_TRUE(overall_saw);
  EXPECT_TRUE(service_saw);
}

TEST(LifecycleTest, AShortTokenStopsTheServerAtStart) {
  ServerProcessOptions options;
  options.env = {{"VIDEOPLATFORM_API_TOKEN", "short-secret"}};
  std::string output;
  auto code = RunServerToExit(std::move(options), absl::Seconds(20), &output);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_NE(*code, 0);
  EXPECT_THAT(output, ::testing::HasSubstr(
                          "VIDEOPLATFORM_API_TOKEN is 12 characters long"));
  EXPECT_THAT(output, ::testing::Not(::testing::HasSubstr("short-secret")));
}

}  // namespace
}  // namespace videoplatform::testing
