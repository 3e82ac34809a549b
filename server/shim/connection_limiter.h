// Caps on open HTTP connections: in total and per client IP address.
#ifndef VIDEOPLATFORM_SERVER_SHIM_CONNECTION_LIMITER_H_
#define VIDEOPLATFORM_SERVER_SHIM_CONNECTION_LIMITER_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace videoplatform::shim {

// Thread-safe. Must outlive every slot it hands out.
class ConnectionLimiter {
 public:
  // A connection's place under the caps; released when destroyed.
  class Slot {
   public:
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    friend class ConnectionLimiter;
    Slot(ConnectionLimiter* limiter, std::string ip)
        : limiter_(limiter), ip_(std::move(ip)) {}
    ConnectionLimiter* const limiter_;
    const std::string ip_;
  };

  // Both caps >= 1.
  ConnectionLimiter(int max_total, int max_per_ip);

  // A slot for a new connection from `ip`, or nullptr when either cap is
  // reached (the connection should be refused).
  std::unique_ptr<Slot> TryAcquire(const std::string& ip);

  int open() const;

 private:
  void Release(const std::string& ip);

  const int max_total_;
  const int max_per_ip_;
  mutable absl::Mutex mu_;
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, int> per_ip_ ABSL_GUARDED_BY(mu_);
};

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_CONNECTION_LIMITER_H_
