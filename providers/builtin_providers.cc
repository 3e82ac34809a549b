#include "providers/builtin_providers.h"

#include "providers/daily/daily_provider.h"
#include "providers/mock/mock_provider.h"
#include "providers/whereby/whereby_provider.h"
#include "server/common/status_macros.h"

namespace videoplatform::providers {

absl::Status RegisterBuiltinProviders(ProviderRegistry& registry) {
  // One line per provider, in any order (names are sorted on lookup).
  RETURN_IF_ERROR(registry.Register(MakeMockProviderFactory()));
  RETURN_IF_ERROR(registry.Register(MakeWherebyProviderFactory()));
  RETURN_IF_ERROR(registry.Register(MakeDailyProviderFactory()));
  return absl::OkStatus();
}

}  // namespace videoplatform::providers
