// The one place where absl::Status becomes grpc::Status (the RPC edge).
#ifndef VIDEOPLATFORM_SERVER_GRPC_STATUS_H_
#define VIDEOPLATFORM_SERVER_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace videoplatform::server {

// Same canonical code and message. Codes are numerically identical in Abseil
// and gRPC; anything unknown becomes UNKNOWN.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_GRPC_STATUS_H_
