#include "providers/builtin_providers.h"

#include "providers/mock/mock_provider.h"
#include "server/common/status_macros.h"

namespace videoplatform::providers {

absl::Status RegisterBuiltinProviders(ProviderRegistry& registry) {
  // One line per provider, in any order (names are sorted on lookup).
  RETURN_IF_ERROR(registry.Register(MakeMockProviderFactory()));
  return absl::OkStatus();
}

}  // namespace videoplatform::providers
