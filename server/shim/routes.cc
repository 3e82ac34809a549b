#include "server/shim/routes.h"

#include <iterator>

namespace videoplatform::shim {
namespace {

constexpr Route kRoutes[] = {
    {"/v1/whereby", RouteKind::kWebhook, "whereby", "POST"},
    {"/v1/daily/webhook", RouteKind::kWebhook, "daily", "POST"},
    {"/healthz", RouteKind::kLiveness, "", "GET, HEAD"},
    {"/readyz", RouteKind::kReadiness, "", "GET, HEAD"},
};

}  // namespace

absl::Span<const Route> AllRoutes() { return kRoutes; }

const Route* FindRoute(absl::string_view path) {
  for (const Route& route : kRoutes) {
    if (route.path == path) return &route;
  }
  return nullptr;
}

bool AllowsMethod(const Route& route, absl::string_view method) {
  if (route.kind == RouteKind::kWebhook) return method == "POST";
  return method == "GET" || method == "HEAD";
}

}  // namespace videoplatform::shim
