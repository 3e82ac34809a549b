// The shim's gRPC client of VideoPlatformService: one shared channel for
// HandleWebhook calls and readiness checks, used through gRPC's callback API
// so that no thread waits for a call.
#ifndef VIDEOPLATFORM_SERVER_SHIM_SERVICE_CLIENT_H_
#define VIDEOPLATFORM_SERVER_SHIM_SERVICE_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::shim {

struct ServiceClientOptions {
  // gRPC target, e.g. "127.0.0.1:50051" or "dns:///videoplatform:50051".
  std::string target = "127.0.0.1:50051";
  // Sent as `authorization: Bearer <token>` metadata when not empty.
  std::string api_token;
  // Deadline of each HandleWebhook call. Below Whereby's 5 s delivery
  // timeout, so a provider gets the shim's answer rather than timing out.
  absl::Duration rpc_timeout = absl::Seconds(4);
  // Deadline of each readiness check.
  absl::Duration readiness_timeout = absl::Seconds(1);
  // Transport to the service: plaintext by default, or TLS
  // (server_tls.h's ChannelCredentialsFor).
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  // The name the service's certificate must carry when it is not the
  // target's host (empty: the target's host).
  std::string tls_server_name;
};

// Thread-safe. The *Async calls return at once; their callback runs exactly
// once, on a gRPC thread, and must not block (post the work elsewhere).
// The destructor cancels the calls in flight and waits for their callbacks.
class ServiceClient {
 public:
  using WebhookCallback =
      std::function<void(grpc::Status, v1::HandleWebhookResponse)>;

  // Creates the channel; it connects lazily and reconnects on its own
  // (reconnect backoff capped at 1 s, so a restarted service is found fast).
  explicit ServiceClient(const ServiceClientOptions& options);
  ~ServiceClient();
  ServiceClient(const ServiceClient&) = delete;
  ServiceClient& operator=(const ServiceClient&) = delete;

  // Calls HandleWebhook with the deadline and the token. The call waits for
  // the channel to become ready (within the deadline), so a service that is
  // restarting gets the webhook instead of a prompt 503; a service that stays
  // down gives DEADLINE_EXCEEDED (or UNAVAILABLE). UNAUTHENTICATED that is
  // not about the webhook's signature (the service refused the shim's own
  // token) is turned into UNAVAILABLE.
  void HandleWebhookAsync(v1::HandleWebhookRequest request,
                          WebhookCallback done) const;

  // Whether grpc.health.v1.Health/Check (service "") answers SERVING within
  // the readiness timeout. Does not wait for a connection.
  void IsServingAsync(std::function<void(bool)> done) const;

  // Blocking forms of the calls above (for tools and tests).
  grpc::Status HandleWebhook(const v1::HandleWebhookRequest& request,
                             v1::HandleWebhookResponse* response) const;
  bool IsServing() const;

  // Cancels every call in flight (their callbacks get CANCELLED) and waits
  // up to `timeout` for their callbacks to have run. Calls started later are
  // not affected.
  void CancelAll(absl::Duration timeout) const;

 private:
  // Registers a call's context so CancelAll() can reach it.
  void Track(grpc::ClientContext* context) const;
  void Untrack(grpc::ClientContext* context) const;

  const ServiceClientOptions options_;
  const std::shared_ptr<grpc::Channel> channel_;
  const std::unique_ptr<v1::VideoPlatformService::Stub> stub_;
  const std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_set<grpc::ClientContext*> in_flight_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_SERVICE_CLIENT_H_
