#include "server/common/metrics_endpoint.h"

#include <httplib.h>

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace videoplatform {
namespace {

using ::testing::HasSubstr;

std::string Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  const httplib::Result result = client.Get("/metrics");
  if (!result || result->status != 200) return "";
  return result->body;
}

TEST(MetricsEndpointTest, ServesTheRegistryIncludingMetricsAddedLater) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", registry);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_GT((*endpoint)->port(), 0);

  auto& family = prometheus::BuildCounter()
                     .Name("test_things_total")
                     .Help("Things counted by the test.")
                     .Register(*registry);
  family.Add({{"kind", "a"}}).Increment(3);

  const std::string text = Scrape((*endpoint)->port());
  EXPECT_THAT(text, HasSubstr("# HELP test_things_total Things counted"));
  EXPECT_THAT(text, HasSubstr("test_things_total{kind=\"a\"} 3"));
}

TEST(MetricsEndpointTest, RejectsAnAddressWithoutPort) {
  auto endpoint = MetricsEndpoint::Start(
      "127.0.0.1", std::make_shared<prometheus::Registry>());
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MetricsEndpointTest, ReportsAPortInUse) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto first = MetricsEndpoint::Start("127.0.0.1:0", registry);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = MetricsEndpoint::Start(
      "127.0.0.1:" + std::to_string((*first)->port()), registry);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace videoplatform
