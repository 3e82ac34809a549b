// Settings (environment variables) a provider declares: their help, and the
// other names operators use for a setting. The backend's `.env` files and
// the specification name the same S3 settings differently; each setting has
// one canonical name and any number of aliases, all accepted.
#ifndef VIDEOPLATFORM_PROVIDERS_SETTING_ALIASES_H_
#define VIDEOPLATFORM_PROVIDERS_SETTING_ALIASES_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace videoplatform::providers {

// Reads one setting (an environment variable in production). Returns nullopt
// when the setting is unset or empty. Must be safe to call concurrently.
using SettingsLookup =
    std::function<std::optional<std::string>(absl::string_view name)>;

// One setting as --help lists it.
struct SettingDoc {
  std::string name;
  // "" when the setting has no default.
  std::string default_value;
  // What it does, one line.
  std::string help;
};

struct SettingAliases {
  std::string canonical;
  std::vector<std::string> aliases;
};

// INVALID_ARGUMENT naming both settings when two names of one setting are
// set to different values (the values are not echoed: they may be secrets).
absl::Status CheckSettingAliases(const SettingsLookup& settings,
                                 const std::vector<SettingAliases>& all);

// A lookup that answers a canonical name from the first of its names that is
// set (canonical first, then aliases in order); other names pass through.
// Call CheckSettingAliases first so the order never matters.
SettingsLookup WithSettingAliases(SettingsLookup settings,
                                  std::vector<SettingAliases> all);

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_SETTING_ALIASES_H_
