// gRPC server reflection that requires the API's bearer token.
#ifndef VIDEOPLATFORM_SERVER_REFLECTION_AUTHENTICATED_REFLECTION_H_
#define VIDEOPLATFORM_SERVER_REFLECTION_AUTHENTICATED_REFLECTION_H_

#include <grpcpp/impl/service_type.h>

#include <memory>
#include <string>
#include <vector>

#include "server/bearer_auth.h"
#include "server/reflection/descriptor_lookup.h"

namespace videoplatform::server::reflection {

// The server reflection services grpc.reflection.v1.ServerReflection and
// grpc.reflection.v1alpha.ServerReflection, answering as gRPC's own
// ProtoServerReflection (1.51) does, except that:
//   - each stream first passes `auth.Check()`; if it fails, the stream ends
//     with UNAUTHENTICATED before any request is read;
//   - every response is complete on its own (gRPC 1.51 reuses one response
//     message per stream, so repeating a request repeats files in it).
//
// Answers come from DescriptorPool::generated_pool(), so every listed
// service's .proto must be linked into the binary (and referenced, e.g.
// `Message::descriptor()`, so the linker keeps it). Unknown names get an
// error_response (NOT_FOUND) inside the stream, not a failed stream.
//
// Register both services on the server:
//   AuthenticatedReflection reflection(auth, {"pkg.MyService"});
//   builder.RegisterService(reflection.v1());
//   builder.RegisterService(reflection.v1alpha());
// and do not also use gRPC's reflection plugin (libgrpc++_reflection): it
// defines the same v1alpha messages.
//
// Thread-safe: immutable after construction, so the server may run any
// number of streams at once. Does not own `auth`, which must outlive this
// object; this object must outlive the grpc::Server it is registered with.
class AuthenticatedReflection {
 public:
  // `services`: full names of the other services the server registers,
  // e.g. "grpc.health.v1.Health". list_services reports them in this order,
  // then the two reflection services themselves (as gRPC lists its own),
  // without duplicates.
  AuthenticatedReflection(const BearerAuth& auth,
                          std::vector<std::string> services);
  ~AuthenticatedReflection();

  AuthenticatedReflection(const AuthenticatedReflection&) = delete;
  AuthenticatedReflection& operator=(const AuthenticatedReflection&) = delete;

  // grpc.reflection.v1.ServerReflection, for grpc::ServerBuilder.
  grpc::Service* v1() { return v1_.get(); }
  // grpc.reflection.v1alpha.ServerReflection, for grpc::ServerBuilder.
  grpc::Service* v1alpha() { return v1alpha_.get(); }

  // What list_services reports.
  const std::vector<std::string>& services() const { return services_; }

 private:
  const std::vector<std::string> services_;
  const DescriptorLookup lookup_;
  const std::unique_ptr<grpc::Service> v1_;
  const std::unique_ptr<grpc::Service> v1alpha_;
};

}  // namespace videoplatform::server::reflection

#endif  // VIDEOPLATFORM_SERVER_REFLECTION_AUTHENTICATED_REFLECTION_H_
