#include "server/reflection/test_server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "grpc/health/v1/health.pb.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::server::reflection::testing {

int ServeUntilStdinCloses(grpc::ServerBuilder& builder) {
  // Reflection describes only what is linked in: keep health.proto.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  v1::VideoPlatformService::Service api;
  builder.RegisterService(&api);
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:0\n");
    return 1;
  }
  std::printf("%d\n", port);
  std::fflush(stdout);
  char buffer[256];
  while (read(STDIN_FILENO, buffer, sizeof(buffer)) > 0) {
  }
  server->Shutdown();
  return 0;
}

}  // namespace videoplatform::server::reflection::testing
