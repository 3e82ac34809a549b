// Test double for the shim's tests: a real in-process gRPC server on
// 127.0.0.1:0 with a controllable VideoPlatformService (HandleWebhook only)
// and the standard health service.
#ifndef VIDEOPLATFORM_SERVER_SHIM_FAKE_SERVICE_H_
#define VIDEOPLATFORM_SERVER_SHIM_FAKE_SERVICE_H_

#include <grpcpp/server.h>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::shim::testing {

struct ReceivedWebhook {
  std::string platform;
  // Name and value (raw_value when set, else value).
  std::vector<std::pair<std::string, std::string>> headers;
  // Name and the text `value` field as sent.
  std::vector<std::pair<std::string, std::string>> text_values;
  std::string body;
  // Every `authorization` metadata value of the call.
  std::vector<std::string> authorization;

  // The values of header `name` (exact match), in order.
  std::vector<std::string> Header(const std::string& name) const;
};

// Thread-safe.
class FakeVideoPlatformService final
    : public v1::VideoPlatformService::Service {
 public:
  // The answer to every HandleWebhook call from now on. Default: OK with
  // outcome APPLIED. The response's detail is "fake detail". Like the real
  // service, an UNAUTHENTICATED answer is marked as the webhook signature's
  // (server/common/webhook_metadata.h) unless `token_rejected`.
  void SetAnswer(grpc::Status status,
                 v1::WebhookOutcome outcome = v1::WEBHOOK_OUTCOME_APPLIED,
                 bool token_rejected = false);
  // While held, calls (recorded on arrival) block until Release(), or fail
  // with DEADLINE_EXCEEDED 2 s after their deadline (at most 30 s).
  void Hold();
  void Release();
  // Waits until at least `count` calls have arrived.
  bool WaitForCalls(size_t count, absl::Duration timeout);
  std::vector<ReceivedWebhook> Received() const;

  grpc::Status HandleWebhook(grpc::ServerContext* context,
                             const v1::HandleWebhookRequest* request,
                             v1::HandleWebhookResponse* response) override;

 private:
  mutable absl::Mutex mu_;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  v1::WebhookOutcome outcome_ ABSL_GUARDED_BY(mu_) =
      v1::WEBHOOK_OUTCOME_APPLIED;
  bool token_rejected_ ABSL_GUARDED_BY(mu_) = false;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<ReceivedWebhook> received_ ABSL_GUARDED_BY(mu_);
};

// Serves `service` (which must outlive it) plus health, SERVING at start.
class FakeServiceServer {
 public:
  static std::unique_ptr<FakeServiceServer> Start(
      FakeVideoPlatformService& service);
  ~FakeServiceServer();

  // "127.0.0.1:<port>".
  std::string target() const;
  // The health status of service "" (what the shim's /readyz checks).
  void SetServing(bool serving);
  // Stops serving (calls in flight are cancelled after 1 s). Idempotent.
  void Stop();

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace videoplatform::shim::testing

#endif  // VIDEOPLATFORM_SERVER_SHIM_FAKE_SERVICE_H_
