// The webhook shim's /metrics and JSON logs after real HTTP traffic:
// requests counted by known route and status (unknown paths never become
// labels), connections open, and every log line one JSON object.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "nlohmann/json.hpp"
#include "tests/e2e/prometheus_scrape.h"
#include "tests/e2e/server_process.h"

namespace videoplatform::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "shim-metrics-token-0123456789";

TEST(ShimMetricsTest, CountsRequestsByRouteAndStatusAndLogsJson) {
  auto service =
      ServerProcess::Start({.env = {{"VIDEOPLATFORM_API_TOKEN", kToken},
                                    {"DEFAULT_VIDEO_PLATFORM", "mock"}}});
  ASSERT_TRUE(service.ok()) << service.status();
  const std::string metrics_port_file =
      ServerProcess::TempPath("shim_metrics_port");
  auto shim =
      ServerProcess::Start({.env = {{"VIDEOPLATFORM_API_TOKEN", kToken}},
                            .args = {"--service=" + (*service)->address(),
                                     "--metrics_port_file=" + metrics_port_file,
                                     "--log_format=json"},
                            .binary = "server/shim/webhook_shim"});
  ASSERT_TRUE(shim.ok()) << shim.status();
  int metrics_port = 0;
  ASSERT_TRUE(std::ifstream(metrics_port_file) >> metrics_port);

  httplib::Client http("127.0.0.1", (*shim)->port());
  for (int i = 0; i < 2; ++i) {
    auto live = http.Get("/healthz");
    ASSERT_TRUE(live);
    EXPECT_EQ(live->status, 200);
  }
  auto missing = http.Get("/no-such-path-123");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto unsigned_webhook = http.Post("/v1/whereby", "{}", "application/json");
  ASSERT_TRUE(unsigned_webhook);
  const int webhook_status = unsigned_webhook->status;
  EXPECT_GE(webhook_status, 400);

  const std::string text = ScrapeMetrics(metrics_port);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(SampleValue(text,
                        "webhook_shim_requests_total{code=\"200\",route="
                        "\"/healthz\"}"),
            2);
  EXPECT_EQ(SampleValue(text,
                        "webhook_shim_requests_total{code=\"404\",route="
                        "\"unknown\"}"),
            1);
  EXPECT_EQ(SampleValue(text, "webhook_shim_requests_total{code=\"" +
                                  std::to_string(webhook_status) +
                                  "\",route=\"/v1/whereby\"}"),
            1);
  EXPECT_EQ(SampleValue(text,
                        "webhook_shim_request_seconds_count{route="
                        "\"/healthz\"}"),
            2);
  EXPECT_GE(SampleValue(text, "webhook_shim_connections_open"), 0);
  EXPECT_THAT(text, Not(HasSubstr("no-such-path")));

  std::istringstream lines((*shim)->Output());
  int parsed = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto json = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << "not JSON: " << line;
    ++parsed;
  }
  EXPECT_GE(parsed, 4);  // Start-up and one line per request.
  EXPECT_THAT((*shim)->Output(), Not(HasSubstr(kToken)));
}

}  // namespace
}  // namespace videoplatform::testing
