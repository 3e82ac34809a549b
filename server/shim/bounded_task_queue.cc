#include "server/shim/bounded_task_queue.h"

#include <algorithm>
#include <utility>

namespace videoplatform::shim {

BoundedTaskQueue::BoundedTaskQueue(size_t workers, size_t max_queued)
    : max_queued_(std::max<size_t>(max_queued, 1)) {
  workers = std::max<size_t>(workers, 1);
  workers_.reserve(workers);
  for (size_t i = 0; i < workers; ++i)
    workers_.emplace_back([this] { Work(); });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &BoundedTaskQueue::HasRoom));
  queue_.push_back(std::move(fn));
}

void BoundedTaskQueue::shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

bool BoundedTaskQueue::HasRoom() const { return queue_.size() < max_queued_; }

bool BoundedTaskQueue::HasWorkOrStopping() const {
  return !queue_.empty() || stopping_;
}

void BoundedTaskQueue::Work() {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &BoundedTaskQueue::HasWorkOrStopping));
      if (queue_.empty()) return;  // Stopping, nothing left to run.
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace videoplatform::shim
