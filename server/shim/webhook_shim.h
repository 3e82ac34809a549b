// The webhook shim: an HTTP/1.1 server (cpp-httplib) that video providers
// post webhooks to. It hands each webhook (platform, forwarded headers, raw
// body) to VideoPlatformService.HandleWebhook over one shared gRPC channel
// and answers from the result. Routes: routes.h. Answers: the table in
// status_mapping.h. Request log: request_log.h.
//
// Limits: the body size (Content-Length checked before reading, chunked
// bodies while reading), header size (request_checks.h), the read and write
// timeouts, and max_connections (bounded_task_queue.h). Each connection
// serves one request (keep-alive off: the answer carries Connection: close),
// so a body left unread after an early answer is never parsed as a next
// request and idle connections never hold a worker.
//
// Known limits of cpp-httplib 0.11: its read timeout applies to each read,
// not to the whole request, so a client trickling bytes holds a worker; and
// it reads every header line (8 KiB each, no count limit) before the shim's
// header check runs. When the shim faces the internet, put it behind a proxy
// that buffers requests and bounds headers.
#ifndef VIDEOPLATFORM_SERVER_SHIM_WEBHOOK_SHIM_H_
#define VIDEOPLATFORM_SERVER_SHIM_WEBHOOK_SHIM_H_

#include <httplib.h>

#include <memory>
#include <thread>

#include "absl/base/call_once.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "server/shim/http_answer.h"
#include "server/shim/routes.h"
#include "server/shim/service_client.h"
#include "server/shim/shim_options.h"

namespace videoplatform::shim {

namespace internal {
// httplib::Server with a settable listen backlog: Debian's cpp-httplib
// listens with a backlog of 5, which a burst of connections overflows; the
// kernel then drops SYNs and clients wait out a 1 s retransmission.
class HttpServer : public httplib::Server {
 public:
  // After binding: listens again with `backlog` (Linux updates it).
  bool SetListenBacklog(int backlog);
};
}  // namespace internal

// Requests are served on the shim's worker threads. port() may be called
// from any thread; Shutdown() too (concurrent callers all return once it is
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

  // Stops accepting connections, lets requests in flight finish (each is
  // bounded by the read/write timeouts and the RPC deadline), then returns.
  // Connections accepted but not yet started are closed unanswered.
  // Idempotent.
  void Shutdown();

 private:
  explicit WebhookShim(const ShimOptions& options);

  void Configure();
  void ServeWebhook(const Route& route, const httplib::Request& request,
                    httplib::Response& response,
                    const httplib::ContentReader& read_body);
  void ServeReadiness(httplib::Response& response);

  const ShimOptions options_;
  const ServiceClient client_;
  internal::HttpServer server_;
  int port_ = 0;
  std::thread listener_;
  absl::Notification listener_done_;
  absl::once_flag shutdown_once_;
};

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_WEBHOOK_SHIM_H_
