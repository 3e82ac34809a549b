// A small client for tests: every call gets a deadline and, when set, the
// bearer token.
#ifndef VIDEOPLATFORM_TESTS_E2E_RPC_CLIENT_H_
#define VIDEOPLATFORM_TESTS_E2E_RPC_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::testing {

using Stub = v1::VideoPlatformService::Stub;

class RpcClient {
 public:
  explicit RpcClient(std::shared_ptr<grpc::Channel> channel)
      : channel_(channel), stub_(v1::VideoPlatformService::NewStub(channel)) {}

  void set_token(std::string token) { token_ = std::move(token); }

  // Calls `method` with a 20 s deadline, e.g.
  //   client.Call(&Stub::GetMeeting, request, &response)
  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    if (!token_.empty()) {
      context.AddMetadata("authorization", "Bearer " + token_);
    }
    return ((*stub_).*method)(&context, request, response);
  }

  // The health service's answer for `service` ("" = the whole server), as
  // the ServingStatus name, or the error message.
  std::string HealthStatus(const std::string& service) {
    auto health = grpc::health::v1::Health::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = health->Check(&context, request, &response);
    if (!status.ok()) return "error: " + status.error_message();
    return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
        response.status());
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Stub> stub_;
  std::string token_;
};

}  // namespace videoplatform::testing

#endif  // VIDEOPLATFORM_TESTS_E2E_RPC_CLIENT_H_
