#include "server/grpc_server.h"

#include <arpa/inet.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.pb.h"
#include "server/common/host_port.h"

namespace videoplatform::server {
namespace {

constexpr char kServiceName[] = "videoplatform.v1.VideoPlatformService";

bool IsLoopbackHost(absl::string_view host) {
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, std::string(host).c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, std::string(host).c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

}  // namespace

absl::Status CheckListenAddress(absl::string_view address, bool has_token) {
  absl::StatusOr<HostPort> parsed = ParseHostPort(address);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen ", parsed.status().message()));
  }
  const std::string& host = parsed->host;
  if (!has_token && !IsLoopbackHost(host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing to listen on ", address,
        " without an API token: set VIDEOPLATFORM_API_TOKEN, or listen on a "
        "loopback address such as 127.0.0.1"));
  }
  return absl::OkStatus();
}

absl::Status CheckTokenStrength(absl::string_view setting,
                                absl::string_view token) {
  if (token.empty() || token.size() >= kMinTokenLength) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      setting, " is ", token.size(), " characters long; use at least ",
      kMinTokenLength, " (e.g. openssl rand -hex 32)"));
}

GrpcServer::GrpcServer(const ServerOptions& options, storage::Store& store,
                       const providers::Providers& providers,
                       prometheus::Registry& metrics_registry)
    : metrics_(metrics_registry),
      service_metrics_(metrics_registry, providers),
      auth_(options.api_token, options.webhook_token),
      own_event_log_(options.event_log == nullptr
                         ? std::make_unique<EventLog>(store.database())
                         : nullptr),
      service_(
          store, providers, auth_,
          options.event_log != nullptr ? *options.event_log : *own_event_log_,
          service_metrics_, options.recording_rpcs),
      reflection_(auth_, {kServiceName, "grpc.health.v1.Health"}) {}

GrpcServer::~GrpcServer() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const ServerOptions& options, storage::Store& store,
    const providers::Providers& providers,
    prometheus::Registry& metrics_registry) {
  if (absl::Status status = CheckListenAddress(options.listen_address,
                                               !options.api_token.empty());
      !status.ok()) {
    return status;
  }
  if (absl::Status status =
          CheckTokenStrength("VIDEOPLATFORM_API_TOKEN", options.api_token);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckTokenStrength("VIDEOPLATFORM_WEBHOOK_TOKEN",
                                               options.webhook_token);
      !status.ok()) {
    return status;
  }
  if (!options.webhook_token.empty() && options.api_token.empty()) {
    return absl::InvalidArgumentError(
        "VIDEOPLATFORM_WEBHOOK_TOKEN is set without VIDEOPLATFORM_API_TOKEN: "
        "without an API token no RPC needs a token");
  }
  // Reflection can describe grpc.health.v1.Health only if its descriptor is
  // linked in: reference it so the linker keeps it.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);

  std::unique_ptr<GrpcServer> server(
      new GrpcServer(options, store, providers, metrics_registry));
  grpc::ServerBuilder builder;
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(server->metrics_.NewInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->metrics_.Preregister(kServiceName);
  server->metrics_.Preregister("grpc.health.v1.Health");
  builder.AddListeningPort(options.listen_address, options.credentials,
                           &server->port_);
  if (options.on_webhook_applied) {
    server->service_.set_on_webhook_applied(options.on_webhook_applied);
  }
  builder.RegisterService(&server->service_);
  builder.RegisterService(server->reflection_.v1());
  builder.RegisterService(server->reflection_.v1alpha());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     " (address in use or not available)"));
  }
  grpc::HealthCheckServiceInterface* health =
      server->server_->GetHealthCheckService();
  health->SetServingStatus(kServiceName, true);
  health->SetServingStatus(true);
  return server;
}

void GrpcServer::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  // Every service name and the server turn NOT_SERVING now, for good.
  server_->GetHealthCheckService()->Shutdown();
  // Streams waiting for events end at once; one stuck on a client that
  // does not read gets at most a second of the grace.
  service_.StopWatches(std::min(grace, absl::Seconds(1)));
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  server_.reset();
}

}  // namespace videoplatform::server
