#include "server/shim/service_client.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/webhook_metadata.h"
#include "spdlog/spdlog.h"

namespace videoplatform::shim {
namespace {

std::shared_ptr<grpc::Channel> CreateChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

void Prepare(grpc::ClientContext& context, const std::string& token,
             absl::Duration timeout) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
}

}  // namespace

ServiceClient::ServiceClient(const ServiceClientOptions& options)
    : options_(options),
      channel_(CreateChannel(options.target)),
      stub_(v1::VideoPlatformService::NewStub(channel_)),
      health_(grpc::health::v1::Health::NewStub(channel_)) {}

grpc::Status ServiceClient::HandleWebhook(
    const v1::HandleWebhookRequest& request,
    v1::HandleWebhookResponse* response) const {
  grpc::ClientContext context;
  Prepare(context, options_.api_token, options_.rpc_timeout);
  context.set_wait_for_ready(true);
  const grpc::Status status = stub_->HandleWebhook(&context, request, response);
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED &&
      context.GetServerTrailingMetadata().count(kWebhookRejectedMetadata) ==
          0) {
    // The service refused our token, not the webhook: a provider must not
    // see a 401 for that, but retry later (503).
    spdlog::error(
        "the service refused the shim's API token (VIDEOPLATFORM_API_TOKEN)");
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the shim is not authorized by the service");
  }
  return status;
}

bool ServiceClient::IsServing() const {
  grpc::ClientContext context;
  Prepare(context, options_.api_token, options_.readiness_timeout);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = health_->Check(&context, request, &response);
  return status.ok() &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

}  // namespace videoplatform::shim
