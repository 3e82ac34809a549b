// The shim's gRPC client of VideoPlatformService: one shared channel for
// HandleWebhook calls and readiness checks.
#ifndef VIDEOPLATFORM_SERVER_SHIM_SERVICE_CLIENT_H_
#define VIDEOPLATFORM_SERVER_SHIM_SERVICE_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <memory>
#include <string>

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
};

// Thread-safe; calls block the calling thread.
class ServiceClient {
 public:
  // Creates the channel; it connects lazily and reconnects on its own
  // (reconnect backoff capped at 1 s, so a restarted service is found fast).
  explicit ServiceClient(const ServiceClientOptions& options);

  // Calls HandleWebhook with the deadline and the token. The call waits for
  // the channel to become ready (within the deadline), so a service that is
  // restarting gets the webhook instead of a prompt 503; a service that stays
  // down gives DEADLINE_EXCEEDED (or UNAVAILABLE).
  grpc::Status HandleWebhook(const v1::HandleWebhookRequest& request,
                             v1::HandleWebhookResponse* response) const;

  // Whether grpc.health.v1.Health/Check (service "") answers SERVING within
  // the readiness timeout. Does not wait for a connection.
  bool IsServing() const;

 private:
  const ServiceClientOptions options_;
  const std::shared_ptr<grpc::Channel> channel_;
  const std::unique_ptr<v1::VideoPlatformService::Stub> stub_;
  const std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_SERVICE_CLIENT_H_
