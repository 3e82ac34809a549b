#include "server/shim/bounded_task_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace videoplatform::shim {
namespace {

TEST(BoundedTaskQueueTest, RunsEveryTaskBeforeShutdownReturns) {
  std::atomic<int> ran{0};
  {
    BoundedTaskQueue queue(3, 2);
    for (int i = 0; i < 50; ++i) queue.enqueue([&] { ++ran; });
    queue.shutdown();
    EXPECT_EQ(ran.load(), 50);
    queue.shutdown();  // Idempotent.
  }
  EXPECT_EQ(ran.load(), 50);
}

TEST(BoundedTaskQueueTest, EnqueueBlocksWhileTheQueueIsFull) {
  BoundedTaskQueue queue(1, 1);
  absl::Notification release;
  absl::Notification started;
  queue.enqueue([&] {
    started.Notify();
    release.WaitForNotification();
  });
  ASSERT_TRUE(started.WaitForNotificationWithTimeout(absl::Seconds(10)));
  queue.enqueue([] {});  // Fills the only queue slot.

  absl::Notification third_enqueued;
  std::thread producer([&] {
    queue.enqueue([] {});
    third_enqueued.Notify();
  });
  EXPECT_FALSE(
      third_enqueued.WaitForNotificationWithTimeout(absl::Milliseconds(100)));
  release.Notify();
  EXPECT_TRUE(third_enqueued.WaitForNotificationWithTimeout(absl::Seconds(10)));
  producer.join();
  queue.shutdown();
}

}  // namespace
}  // namespace videoplatform::shim
