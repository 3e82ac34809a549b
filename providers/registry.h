// Provider registry: maps platform names to factories, and the set of
// provider instances built from it at start-up.
//
// Adding a provider: a new folder under providers/ with a
// `ProviderFactory Make<Name>ProviderFactory()` and one line in
// builtin_providers.cc. Nothing in server/ changes.
#ifndef VIDEOPLATFORM_PROVIDERS_REGISTRY_H_
#define VIDEOPLATFORM_PROVIDERS_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "providers/setting_aliases.h"
#include "providers/video_platform.h"

namespace videoplatform::providers {

// SettingsLookup over the process environment.
SettingsLookup EnvironmentSettings();

// SettingsLookup over fixed values (an empty value counts as unset, as in
// EnvironmentSettings). For tests and embedders.
SettingsLookup MapSettings(std::map<std::string, std::string> values);

// Describes and builds one provider.
struct ProviderFactory {
  // Lower-case platform name: [a-z][a-z0-9_]*, at most 32 characters.
  std::string name;
  Capabilities capabilities;
  // Settings without which the provider cannot work (e.g. WHEREBY_API_KEY).
  std::vector<std::string> required_settings;
  // Other names operators use for this provider's settings (the backend's
  // and the specification's); see setting_aliases.h.
  std::vector<SettingAliases> setting_aliases;
  // Every setting the provider reads, for --help.
  std::vector<SettingDoc> setting_docs;
  // Builds the provider; called only when every required setting is present.
  // Returns INVALID_ARGUMENT naming the setting when a value is malformed.
  std::function<absl::StatusOr<std::unique_ptr<VideoPlatform>>(
      const SettingsLookup& settings)>
      create;
};

// Name -> factory. Not thread-safe while registering; read-only afterwards.
class ProviderRegistry {
 public:
  // ALREADY_EXISTS when the name is taken; INVALID_ARGUMENT for a bad name
  // or a factory without `create`.
  absl::Status Register(ProviderFactory factory);

  // Registered names, sorted.
  std::vector<std::string> Names() const;

  // nullptr when unknown.
  const ProviderFactory* Find(absl::string_view name) const;

  // The setting aliases of every registered provider.
  std::vector<SettingAliases> AllSettingAliases() const;
  // The setting docs of every registered provider, by provider name.
  std::vector<SettingDoc> AllSettingDocs() const;

 private:
  std::map<std::string, ProviderFactory, std::less<>> factories_;
};

// What ListPlatforms reports for one platform.
struct PlatformStatus {
  std::string name;
  bool configured = false;
  std::vector<std::string> missing_settings;
  Capabilities capabilities;
};

// Wraps a provider instance in another VideoPlatform (a decorator).
using PlatformDecorator = std::function<std::unique_ptr<VideoPlatform>(
    std::unique_ptr<VideoPlatform>)>;

// The provider instances of a running server: one per configured platform.
// Immutable after Create(); thread-safe.
class Providers {
 public:
  // Builds every registered provider whose required settings are present.
  // Fails when a present setting is malformed (so a typo stops the server
  // at start instead of failing every call).
  // `decorate`, when set, wraps each instance (e.g. to measure its calls);
  // it must return a provider with the same name.
  static absl::StatusOr<std::unique_ptr<Providers>> Create(
      const ProviderRegistry& registry, const SettingsLookup& settings,
      const PlatformDecorator& decorate = nullptr);

  // The provider for `name`. INVALID_ARGUMENT listing the known names when
  // unknown; FAILED_PRECONDITION naming the missing settings when the
  // platform is registered but not configured. The pointer lives as long as
  // this object.
  absl::StatusOr<VideoPlatform*> Get(absl::string_view name) const;

  // OK when `name` is registered (configured or not); else INVALID_ARGUMENT
  // listing the known names. `field` names the request field in the error.
  absl::Status CheckKnown(absl::string_view name,
                          absl::string_view field) const;

  // Every registered platform, sorted by name.
  std::vector<PlatformStatus> Statuses() const;

 private:
  Providers() = default;
  std::vector<PlatformStatus> statuses_;
  std::map<std::string, std::unique_ptr<VideoPlatform>, std::less<>> instances_;
};

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_REGISTRY_H_
