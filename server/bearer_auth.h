// Bearer-token check for RPCs: `authorization: Bearer <token>` metadata.
#ifndef VIDEOPLATFORM_SERVER_BEARER_AUTH_H_
#define VIDEOPLATFORM_SERVER_BEARER_AUTH_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace videoplatform::server {

// The RPCs the webhook token opens (least privilege for the internet-facing
// webhook shim): HandleWebhook and VerifyWebhook.
bool IsWebhookRpc(absl::string_view rpc);

// Immutable; thread-safe.
class BearerAuth {
 public:
  // An empty `token` (the API token) disables the check (loopback-only
  // servers). `webhook_token`, when not empty, is accepted for webhook RPCs
  // only (IsWebhookRpc); the API token is accepted for everything.
  explicit BearerAuth(std::string token, std::string webhook_token = "");

  bool enabled() const { return enabled_; }

  // OK when disabled or when the metadata carries the API token (or the
  // webhook token and `rpc` is a webhook RPC); else UNAUTHENTICATED (never
  // echoing what was sent), or PERMISSION_DENIED for the webhook token on
  // any other RPC. `rpc` is the method name, e.g. "HandleWebhook" ("" for
  // none). Constant-time. Fails closed: INTERNAL (logged) when OpenSSL
  // cannot compute a digest.
  absl::Status Check(const grpc::ServerContext& context,
                     absl::string_view rpc = "") const;

  // The same check on a raw `authorization` header value.
  absl::Status CheckHeader(absl::string_view authorization,
                           absl::string_view rpc = "") const;

 private:
  bool enabled_;
  // SHA-256 of the tokens; empty when not set or when OpenSSL failed.
  std::string token_digest_;
  bool webhook_enabled_;
  std::string webhook_digest_;
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_BEARER_AUTH_H_
