#include "server/shim/connection_limiter.h"

namespace videoplatform::shim {

ConnectionLimiter::Slot::~Slot() { limiter_->Release(ip_); }

ConnectionLimiter::ConnectionLimiter(int max_total, int max_per_ip)
    : max_total_(max_total), max_per_ip_(max_per_ip) {}

std::unique_ptr<ConnectionLimiter::Slot> ConnectionLimiter::TryAcquire(
    const std::string& ip) {
  absl::MutexLock lock(&mu_);
  if (open_ >= max_total_) return nullptr;
  int& from_ip = per_ip_[ip];
  if (from_ip >= max_per_ip_) return nullptr;
  ++from_ip;
  ++open_;
  return std::unique_ptr<Slot>(new Slot(this, ip));
}

int ConnectionLimiter::open() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

void ConnectionLimiter::Release(const std::string& ip) {
  absl::MutexLock lock(&mu_);
  --open_;
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && --it->second <= 0) per_ip_.erase(it);
}

}  // namespace videoplatform::shim
