// The providers compiled into videoplatformd.
#ifndef VIDEOPLATFORM_PROVIDERS_BUILTIN_PROVIDERS_H_
#define VIDEOPLATFORM_PROVIDERS_BUILTIN_PROVIDERS_H_

#include "absl/status/status.h"
#include "providers/registry.h"

namespace videoplatform::providers {

// Registers every built-in provider (one line each in the .cc file).
absl::Status RegisterBuiltinProviders(ProviderRegistry& registry);

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_BUILTIN_PROVIDERS_H_
