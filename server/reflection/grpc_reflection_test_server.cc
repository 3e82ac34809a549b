// Test-only: the same server with gRPC's own reflection plugin instead, the
// reference that matches_grpc_test compares AuthenticatedReflection with.
#include <grpcpp/ext/proto_server_reflection_plugin.h>

#include "server/reflection/test_server.h"

int main() {
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  return videoplatform::server::reflection::testing::ServeUntilStdinCloses(
      builder);
}
