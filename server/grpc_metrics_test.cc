#include "server/grpc_metrics.h"

#include <string>

#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::server {
namespace {

using Type = grpc::experimental::ServerRpcInfo::Type;

TEST(GrpcServerMetricsTest, MadeUpMethodsShareOneUnknownSeries) {
  prometheus::Registry registry;
  GrpcServerMetrics metrics(registry);
  MethodSeries& first = metrics.SeriesFor("/evil.Service/a1", Type::UNARY);
  MethodSeries& second = metrics.SeriesFor("/evil.Service/a2", Type::UNARY);
  MethodSeries& garbage = metrics.SeriesFor("no slash at all", Type::UNARY);
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(&first, &garbage);
  const size_t families_before = registry.Collect().size();
  for (int i = 0; i < 100; ++i) {
    metrics.SeriesFor("/evil.Service/m" + std::to_string(i), Type::UNARY);
  }
  size_t samples = 0;
  for (const auto& family : registry.Collect()) samples += family.metric.size();
  EXPECT_EQ(registry.Collect().size(), families_before);
  // started, received, sent, histogram, and 17 handled codes: one method.
  EXPECT_EQ(samples, 4u + 17u);
}

TEST(GrpcServerMetricsTest, KnownMethodsGetTheirOwnSeries) {
  // Link the generated descriptors of the service.
  (void)v1::CreateMeetingRequest::descriptor();
  prometheus::Registry registry;
  GrpcServerMetrics metrics(registry);
  MethodSeries& create = metrics.SeriesFor(
      "/videoplatform.v1.VideoPlatformService/CreateMeeting", Type::UNARY);
  MethodSeries& get = metrics.SeriesFor(
      "/videoplatform.v1.VideoPlatformService/GetMeeting", Type::UNARY);
  EXPECT_NE(&create, &get);
  EXPECT_EQ(&create, &metrics.SeriesFor(
                         "/videoplatform.v1.VideoPlatformService/CreateMeeting",
                         Type::UNARY));
}

}  // namespace
}  // namespace videoplatform::server
