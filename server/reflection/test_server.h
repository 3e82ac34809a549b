// Test-only: a gRPC server process that a test or script controls through
// its stdin and stdout.
#ifndef VIDEOPLATFORM_SERVER_REFLECTION_TEST_SERVER_H_
#define VIDEOPLATFORM_SERVER_REFLECTION_TEST_SERVER_H_

#include <grpcpp/server_builder.h>

namespace videoplatform::server::reflection::testing {

// Starts `builder`'s services on 127.0.0.1:0 with the default health service
// and the API service (unimplemented, for its descriptor), prints the port
// and a newline on stdout, serves until stdin reaches end-of-file, then shuts
// down. Returns the process's exit code.
int ServeUntilStdinCloses(grpc::ServerBuilder& builder);

}  // namespace videoplatform::server::reflection::testing

#endif  // VIDEOPLATFORM_SERVER_REFLECTION_TEST_SERVER_H_
