// A cpp-httplib task queue that caps connections: a fixed number of worker
// threads, each serving one connection at a time, and a bounded queue of
// accepted connections waiting for a worker. When the queue is full,
// enqueue() blocks, so httplib's accept loop stops accepting and further
// clients wait in the kernel's listen backlog instead of costing a thread
// or memory each.
#ifndef VIDEOPLATFORM_SERVER_SHIM_BOUNDED_TASK_QUEUE_H_
#define VIDEOPLATFORM_SERVER_SHIM_BOUNDED_TASK_QUEUE_H_

#include <httplib.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace videoplatform::shim {

// enqueue() and shutdown() are called by one thread (httplib's listener);
// the tasks run on the workers.
class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  // `workers` >= 1 threads; at most `max_queued` tasks waiting.
  BoundedTaskQueue(size_t workers, size_t max_queued);
  BoundedTaskQueue(const BoundedTaskQueue&) = delete;
  BoundedTaskQueue& operator=(const BoundedTaskQueue&) = delete;
  // Calls shutdown().
  ~BoundedTaskQueue() override;

  // Queues `fn`; blocks while `max_queued` tasks are already waiting.
  void enqueue(std::function<void()> fn) override;

  // Runs every queued task, then joins the workers. Idempotent.
  void shutdown() override;

 private:
  void Work();
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_queued_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_BOUNDED_TASK_QUEUE_H_
