// Test-only: a server with AuthenticatedReflection, for buf curl and for
// comparison with gRPC's own reflection (see test_server.h).
// Usage: reflection_test_server [token]
#include <string>

#include "server/bearer_auth.h"
#include "server/reflection/authenticated_reflection.h"
#include "server/reflection/test_server.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

int main(int argc, char** argv) {
  using videoplatform::server::BearerAuth;
  using videoplatform::server::reflection::AuthenticatedReflection;
  const BearerAuth auth(argc > 1 ? argv[1] : "");
  AuthenticatedReflection reflection(
      auth, {videoplatform::v1::VideoPlatformService::service_full_name(),
             "grpc.health.v1.Health"});
  grpc::ServerBuilder builder;
  builder.RegisterService(reflection.v1());
  builder.RegisterService(reflection.v1alpha());
  return videoplatform::server::reflection::testing::ServeUntilStdinCloses(
      builder);
}
