// The webhook shim: an HTTP/1.1 server that video providers post webhooks
// to. It hands each webhook (platform, forwarded headers, raw body) to
// VideoPlatformService.HandleWebhook over one shared gRPC channel and
// answers from the result. Routes: routes.h. Answers: the table in
// status_mapping.h. Request log: request_log.h. One connection's protocol
// and limits: http_connection.h.
//
// Why Boost.Beast (on Boost.Asio), rather than the thread-per-connection
// cpp-httplib it replaces:
//  - limits are enforced by the parser before anything is buffered:
//    `header_limit` (431) and `body_limit` (413), so a header flood costs
//    at most the head limit per connection;
//  - one timer per connection gives a deadline for the WHOLE request
//    (headers and body), not per read, so a client trickling bytes is cut
//    off on time;
//  - I/O is asynchronous on a few io threads (`io_threads`), so idle
//    keep-alive and slow or hostile connections cost memory and a file
//    descriptor, never a thread; honest requests are served meanwhile;
//  - the forward uses gRPC's callback API (`stub->async()->HandleWebhook`)
//    on one channel, and its answer is posted back to the connection's
//    strand: no thread waits for the service.
// Connections are capped in total and per client IP (connection_limiter.h);
// beyond the caps a connection gets a canned 503 and is closed at once.
#ifndef VIDEOPLATFORM_SERVER_SHIM_WEBHOOK_SHIM_H_
#define VIDEOPLATFORM_SERVER_SHIM_WEBHOOK_SHIM_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/shim/connection_limiter.h"
#include "server/shim/http_connection.h"
#include "server/shim/service_client.h"
#include "server/shim/shim_metrics.h"
#include "server/shim/shim_options.h"
#include "server/shim/webhook_handler.h"

namespace videoplatform::shim {

// Requests are served on the shim's io threads. port() may be called from
// any thread; Shutdown() too (concurrent callers all return once it is
// done).
class WebhookShim {
 public:
  // Validates `options`, binds the listening socket and starts serving.
  // INVALID_ARGUMENT for bad options; UNAVAILABLE when the address cannot be
  // bound. The service need not be up.
  static absl::StatusOr<std::unique_ptr<WebhookShim>> Start(
      const ShimOptions& options);
  WebhookShim(const WebhookShim&) = delete;
  WebhookShim& operator=(const WebhookShim&) = delete;
  // Shutdown().
  ~WebhookShim();

  // The bound port (the real one when listening on port 0).
  int port() const { return port_; }

  // The shim's metrics (shim_metrics.h), for a /metrics endpoint.
  std::shared_ptr<prometheus::Registry> metrics_registry() const {
    return metrics_.registry();
  }

  // Connections open now (under the caps). Thread-safe.
  int open_connections() const { return limiter_.open(); }

  // Stops accepting connections and closes idle connections and those still
  // sending their request (nothing of theirs was acknowledged) at once.
  // Requests already complete finish: their answers are written, for at
  // most `shutdown_grace`; then whatever remains is closed and the service
  // calls still in flight are cancelled. Returns within about the grace
  // whatever clients do. Idempotent.
  void Shutdown();

 private:
  explicit WebhookShim(const ShimOptions& options);

  void Accept();
  void OnAccept(boost::system::error_code error,
                boost::asio::ip::tcp::socket socket);
  // Counts a refused connection; warns at most every 10 s with the count.
  void NoteRefusal();
  // Connections open now (alive HttpConnection objects).
  std::vector<std::shared_ptr<HttpConnection>> Connections();
  // Waits until no connection is left or `deadline` passes; true if none.
  bool WaitForNoConnections(absl::Time deadline);

  const ShimOptions options_;
  ShimMetrics metrics_;  // Before settings_, which points at it.
  const ConnectionSettings settings_;
  ServiceClient client_;
  WebhookHandler handler_;
  ConnectionLimiter limiter_;

  absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, std::weak_ptr<HttpConnection>> connections_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_connection_id_ = 0;  // Used on the acceptor's strand.

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;   // On its own strand.
  boost::asio::steady_timer accept_backoff_;  // Same strand.
  bool accepting_ = true;                     // Used on that strand.
  // Connections refused by the caps since the last warning (same strand).
  int64_t refused_since_warning_ = 0;
  absl::Time last_refusal_warning_ = absl::InfinitePast();
  std::vector<std::thread> threads_;
  int port_ = 0;
  absl::once_flag shutdown_once_;
};

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_WEBHOOK_SHIM_H_
