// The shim's HTTP routes: exact paths (query strings are ignored).
//
//   POST /v1/whereby          Whereby webhooks  -> platform "whereby"
//   POST /v1/daily/webhook    Daily webhooks    -> platform "daily"
//   GET  /healthz             liveness: the shim runs
//   GET  /readyz              readiness: the gRPC service is SERVING
//
// The webhook paths are the ones the backend (Reflector) serves today, so
// providers' configured URLs keep working when the shim takes over.
#ifndef VIDEOPLATFORM_SERVER_SHIM_ROUTES_H_
#define VIDEOPLATFORM_SERVER_SHIM_ROUTES_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace videoplatform::shim {

enum class RouteKind { kWebhook, kLiveness, kReadiness };

struct Route {
  absl::string_view path;
  RouteKind kind;
  // The HandleWebhookRequest.platform of a webhook route; empty otherwise.
  absl::string_view platform;
  // The methods the route serves, as an Allow header value.
  absl::string_view allow;
};

// Every route, in a fixed order. Static storage.
absl::Span<const Route> AllRoutes();

// The route serving `path` exactly, or nullptr.
const Route* FindRoute(absl::string_view path);

// Whether `route` serves `method` (HEAD counts as GET).
bool AllowsMethod(const Route& route, absl::string_view method);

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_ROUTES_H_
