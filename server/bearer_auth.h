// Bearer-token check for RPCs: `authorization: Bearer <token>` metadata.
#ifndef VIDEOPLATFORM_SERVER_BEARER_AUTH_H_
#define VIDEOPLATFORM_SERVER_BEARER_AUTH_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace videoplatform::server {

// Immutable; thread-safe.
class BearerAuth {
 public:
  // An empty token disables the check (loopback-only servers).
  explicit BearerAuth(std::string token);

  bool enabled() const { return enabled_; }

  // OK when disabled or when the metadata carries the token; else
  // UNAUTHENTICATED (never echoing what was sent). Constant-time. Fails
  // closed: INTERNAL (logged) when OpenSSL cannot compute a digest.
  absl::Status Check(const grpc::ServerContext& context) const;

  // The same check on a raw `authorization` header value.
  absl::Status CheckHeader(absl::string_view authorization) const;

 private:
  bool enabled_;
  // SHA-256 of the token; empty when disabled or when OpenSSL failed.
  std::string token_digest_;
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_BEARER_AUTH_H_
