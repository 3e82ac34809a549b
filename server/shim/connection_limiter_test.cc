#include "server/shim/connection_limiter.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace videoplatform::shim {
namespace {

TEST(ConnectionLimiterTest, CapsPerIpAndInTotalAndReleases) {
  ConnectionLimiter limiter(/*max_total=*/3, /*max_per_ip=*/2);
  auto a1 = limiter.TryAcquire("10.0.0.1");
  auto a2 = limiter.TryAcquire("10.0.0.1");
  ASSERT_NE(a1, nullptr);
  ASSERT_NE(a2, nullptr);
  EXPECT_EQ(limiter.TryAcquire("10.0.0.1"), nullptr);  // Per-IP cap.
  auto b1 = limiter.TryAcquire("10.0.0.2");
  ASSERT_NE(b1, nullptr);
  EXPECT_EQ(limiter.TryAcquire("10.0.0.3"), nullptr);  // Total cap.
  EXPECT_EQ(limiter.open(), 3);
  a1.reset();
  EXPECT_EQ(limiter.open(), 2);
  EXPECT_NE(limiter.TryAcquire("10.0.0.1"), nullptr);  // Freed, then freed.
  b1.reset();
  a2.reset();
  EXPECT_EQ(limiter.open(), 0);
  std::vector<std::unique_ptr<ConnectionLimiter::Slot>> slots;
  slots.push_back(limiter.TryAcquire("10.0.0.9"));
  slots.push_back(limiter.TryAcquire("10.0.0.9"));
  EXPECT_NE(slots[1], nullptr);
}

}  // namespace
}  // namespace videoplatform::shim
