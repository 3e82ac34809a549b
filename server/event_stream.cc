#include "server/event_stream.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/status_macros.h"

namespace videoplatform::server {

void EventNotifier::Notify(int64_t sequence) {
  absl::MutexLock lock(&mu_);
  last_ = std::max(last_, sequence);
  // Waiters wait on a Condition over last_; the Mutex re-evaluates it on
  // unlock, so no explicit signal is needed.
}

EventNotifier::Wake EventNotifier::WaitForNewerThan(int64_t sequence,
                                                    absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto ready = [this, sequence]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return shutdown_ || last_ > sequence;
  };
  mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
  if (shutdown_) return Wake::kShutdown;
  return last_ > sequence ? Wake::kNewEvents : Wake::kTimeout;
}

void EventNotifier::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
}

bool EventNotifier::is_shut_down() const {
  absl::MutexLock lock(&mu_);
  return shutdown_;
}

int64_t EventNotifier::last_notified() const {
  absl::MutexLock lock(&mu_);
  return last_;
}

EventStream::EventStream(storage::EventStore& events, EventNotifier& notifier,
                         EventStreamOptions options)
    : events_(events),
      notifier_(notifier),
      options_{std::clamp(options.batch_size, 1, storage::kMaxEventPage),
               std::max(options.cancel_check_interval, absl::Milliseconds(1))} {
}

absl::Status EventStream::Watch(
    const v1::WatchEventsRequest& request,
    const std::function<bool(const v1::WatchEventsResponse&)>& write,
    const std::function<bool()>& cancelled) {
  if (request.after_sequence() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("after_sequence: must not be negative, got ",
                     request.after_sequence()));
  }
  int64_t after = request.after_sequence();
  // Why the stream must end now, if it must; cancellation first.
  auto must_stop = [&]() -> absl::Status {
    if (cancelled()) return absl::CancelledError("the client cancelled");
    if (notifier_.is_shut_down()) {
      return absl::UnavailableError(absl::StrCat(
          "the server is shutting down; reconnect with after_sequence = ",
          after));
    }
    return absl::OkStatus();
  };
  while (true) {
    RETURN_IF_ERROR(must_stop());
    store_reads_.fetch_add(1, std::memory_order_relaxed);
    ASSIGN_OR_RETURN(const std::vector<v1::Event> batch,
                     events_.ReadEvents(after, options_.batch_size));
    for (const v1::Event& event : batch) {
      v1::WatchEventsResponse response;
      *response.mutable_event() = event;
      if (!write(response)) return absl::CancelledError("the client went away");
      after = event.sequence();
      RETURN_IF_ERROR(must_stop());
    }
    // A full batch: more may be stored already.
    if (static_cast<int>(batch.size()) == options_.batch_size) continue;
    // Idle: wait for a commit above `after` without touching the store,
    // waking only to check for cancellation.
    while (true) {
      const EventNotifier::Wake wake = notifier_.WaitForNewerThan(
          after, absl::Now() + options_.cancel_check_interval);
      if (wake == EventNotifier::Wake::kNewEvents) break;
      RETURN_IF_ERROR(must_stop());
    }
  }
}

}  // namespace videoplatform::server
