#include "providers/setting_aliases.h"

#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace videoplatform::providers {

absl::Status CheckSettingAliases(const SettingsLookup& settings,
                                 const std::vector<SettingAliases>& all) {
  for (const SettingAliases& setting : all) {
    std::optional<std::string> first_value;
    std::string first_name;
    std::vector<std::string> names = {setting.canonical};
    names.insert(names.end(), setting.aliases.begin(), setting.aliases.end());
    for (const std::string& name : names) {
      std::optional<std::string> value = settings(name);
      if (!value.has_value()) continue;
      if (!first_value.has_value()) {
        first_value = std::move(value);
        first_name = name;
      } else if (*value != *first_value) {
        return absl::InvalidArgumentError(absl::StrCat(
            first_name, " and ", name, " name the same setting (",
            setting.canonical, ") but are set to different values"));
      }
    }
  }
  return absl::OkStatus();
}

SettingsLookup WithSettingAliases(SettingsLookup settings,
                                  std::vector<SettingAliases> all) {
  auto by_canonical = std::make_shared<
      std::map<std::string, std::vector<std::string>, std::less<>>>();
  for (SettingAliases& setting : all) {
    std::vector<std::string>& names = (*by_canonical)[setting.canonical];
    names.insert(names.end(), setting.aliases.begin(), setting.aliases.end());
  }
  return [settings = std::move(settings),
          by_canonical](absl::string_view name) -> std::optional<std::string> {
    if (std::optional<std::string> value = settings(name)) return value;
    const auto it = by_canonical->find(name);
    if (it == by_canonical->end()) return std::nullopt;
    for (const std::string& alias : it->second) {
      if (std::optional<std::string> value = settings(alias)) return value;
    }
    return std::nullopt;
  };
}

}  // namespace videoplatform::providers
