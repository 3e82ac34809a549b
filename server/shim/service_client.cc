#include "server/shim/service_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <future>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/webhook_metadata.h"
#include "spdlog/spdlog.h"

namespace videoplatform::shim {
namespace {

std::shared_ptr<grpc::Channel> CreateChannel(
    const ServiceClientOptions& options) {
  grpc::ChannelArguments args;
  if (!options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(options.target, options.credentials, args);
}

void Prepare(grpc::ClientContext& context, const std::string& token,
             absl::Duration timeout) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
}

// One HandleWebhook call: what gRPC needs alive until the callback.
struct WebhookCall {
  grpc::ClientContext context;
  v1::HandleWebhookRequest request;
  v1::HandleWebhookResponse response;
  ServiceClient::WebhookCallback done;
};

struct HealthCall {
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  std::function<void(bool)> done;
};

}  // namespace

ServiceClient::ServiceClient(const ServiceClientOptions& options)
    : options_(options),
      channel_(CreateChannel(options)),
      stub_(v1::VideoPlatformService::NewStub(channel_)),
      health_(grpc::health::v1::Health::NewStub(channel_)) {}

ServiceClient::~ServiceClient() { CancelAll(absl::Seconds(30)); }

void ServiceClient::Track(grpc::ClientContext* context) const {
  absl::MutexLock lock(&mu_);
  in_flight_.insert(context);
}

void ServiceClient::Untrack(grpc::ClientContext* context) const {
  absl::MutexLock lock(&mu_);
  in_flight_.erase(context);
}

void ServiceClient::HandleWebhookAsync(v1::HandleWebhookRequest request,
                                       WebhookCallback done) const {
  auto* call = new WebhookCall;
  call->request = std::move(request);
  call->done = std::move(done);
  Prepare(call->context, options_.api_token, options_.rpc_timeout);
  call->context.set_wait_for_ready(true);
  Track(&call->context);
  stub_->async()->HandleWebhook(
      &call->context, &call->request, &call->response,
      [this, call](grpc::Status status) {
        if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED &&
            call->context.GetServerTrailingMetadata().count(
                kWebhookRejectedMetadata) == 0) {
          // The service refused our token, not the webhook: a provider must
          // not see a 401 for that, but retry later (503).
          spdlog::error(
              "the service refused the shim's API token "
              "(VIDEOPLATFORM_API_TOKEN)");
          status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                "the shim is not authorized by the service");
        }
        WebhookCallback callback = std::move(call->done);
        v1::HandleWebhookResponse response = std::move(call->response);
        grpc::ClientContext* const key = &call->context;
        delete call;
        callback(std::move(status), std::move(response));
        // Last: CancelAll() returns only once the callbacks have run.
        Untrack(key);
      });
}

void ServiceClient::IsServingAsync(std::function<void(bool)> done) const {
  auto* call = new HealthCall;
  call->done = std::move(done);
  Prepare(call->context, options_.api_token, options_.readiness_timeout);
  Track(&call->context);
  health_->async()->Check(
      &call->context, &call->request, &call->response,
      [this, call](grpc::Status status) {
        const bool serving =
            status.ok() && call->response.status() ==
                               grpc::health::v1::HealthCheckResponse::SERVING;
        std::function<void(bool)> callback = std::move(call->done);
        grpc::ClientContext* const key = &call->context;
        delete call;
        callback(serving);
        Untrack(key);
      });
}

grpc::Status ServiceClient::HandleWebhook(
    const v1::HandleWebhookRequest& request,
    v1::HandleWebhookResponse* response) const {
  std::promise<std::pair<grpc::Status, v1::HandleWebhookResponse>> result;
  HandleWebhookAsync(request, [&result](grpc::Status status,
                                        v1::HandleWebhookResponse answer) {
    result.set_value({std::move(status), std::move(answer)});
  });
  auto [status, answer] = result.get_future().get();
  *response = std::move(answer);
  return status;
}

bool ServiceClient::IsServing() const {
  std::promise<bool> result;
  IsServingAsync([&result](bool serving) { result.set_value(serving); });
  return result.get_future().get();
}

void ServiceClient::CancelAll(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  for (grpc::ClientContext* context : in_flight_) context->TryCancel();
  mu_.AwaitWithTimeout(
      absl::Condition(
          +[](absl::flat_hash_set<grpc::ClientContext*>* calls) {
            return calls->empty();
          },
          &in_flight_),
      timeout);
}

}  // namespace videoplatform::shim
