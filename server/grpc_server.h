// Runs VideoPlatformService with the standard health service and server
// reflection on one listening address.
#ifndef VIDEOPLATFORM_SERVER_GRPC_SERVER_H_
#define VIDEOPLATFORM_SERVER_GRPC_SERVER_H_

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "prometheus/registry.h"
#include "providers/registry.h"
#include "server/bearer_auth.h"
#include "server/event_stream.h"
#include "server/grpc_metrics.h"
#include "server/reflection/authenticated_reflection.h"
#include "server/service_metrics.h"
#include "server/videoplatform_service.h"
#include "storage/store.h"

namespace videoplatform::server {

struct ServerOptions {
  // host:port; port 0 picks a free port (see GrpcServer::port()).
  std::string listen_address = "127.0.0.1:50051";
  // Transport security of the listening port (server_tls.h); plaintext by
  // default.
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::InsecureServerCredentials();
  // Bearer token every RPC except health must carry; empty for none, which
  // is allowed on loopback addresses only.
  std::string api_token;
  // Bearer token accepted for HandleWebhook and VerifyWebhook only (the
  // webhook shim's); empty for none. Needs api_token.
  std::string webhook_token;
  // The recording RPCs (not owned; must outlive the server). Null: they
  // answer UNIMPLEMENTED.
  RecordingRpcs* recording_rpcs = nullptr;
  // The event log webhooks append to and WatchEvents streams (not owned;
  // must outlive the server). Null: the server keeps its own over the
  // store's connection. Share one with every other writer of events
  // (recording ingestion) so that watchers see their events at once.
  EventLog* event_log = nullptr;
  // Called after HandleWebhook applied an event; see
  // WebhookRpcs::set_on_applied.
  WebhookRpcs::AppliedHook on_webhook_applied;
};

// INVALID_ARGUMENT when `address` is not host:port, or when it is not a
// loopback address and `has_token` is false.
absl::Status CheckListenAddress(absl::string_view address, bool has_token);

// The shortest bearer token the server accepts (a guessable token is no
// protection once the port is reachable).
inline constexpr size_t kMinTokenLength = 16;

// OK for an empty token (auth off) or one of at least kMinTokenLength
// bytes; else INVALID_ARGUMENT naming `setting` (never the token).
absl::Status CheckTokenStrength(absl::string_view setting,
                                absl::string_view token);

// Calls are served on gRPC's threads; Start/Shutdown/destruction belong to
// one owning thread.
class GrpcServer {
 public:
  // Starts serving. `store`, `providers` and `metrics_registry` must
  // outlive the server; the gRPC server metrics (grpc_metrics.h) are
  // registered in `metrics_registry`.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const ServerOptions& options, storage::Store& store,
      const providers::Providers& providers,
      prometheus::Registry& metrics_registry);
  ~GrpcServer();

  // The bound port.
  int port() const { return port_; }

  // Reports NOT_SERVING through health, ends WatchEvents streams (so they
  // do not hold shutdown up), stops accepting calls and waits up to `grace`
  // for calls in flight, then cancels the rest. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  GrpcServer(const ServerOptions& options, storage::Store& store,
             const providers::Providers& providers,
             prometheus::Registry& metrics_registry);

  GrpcServerMetrics metrics_;
  ServiceMetrics service_metrics_;

  BearerAuth auth_;
  // Set when ServerOptions::event_log is null.
  std::unique_ptr<EventLog> own_event_log_;
  VideoPlatformService service_;
  // Server reflection behind the same token (gRPC's own plugin cannot be).
  reflection::AuthenticatedReflection reflection_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_GRPC_SERVER_H_
