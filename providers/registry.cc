#include "providers/registry.h"

#include <cstdlib>
#include <string>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace videoplatform::providers {
namespace {

constexpr size_t kMaxNameLength = 32;
// Caller-supplied names are echoed in errors; long ones are cut here.
constexpr size_t kMaxEchoedNameLength = 64;

bool IsValidName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (!absl::ascii_islower(name[0])) return false;
  for (char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return false;
    }
  }
  return true;
}

// `name` quoted and C-escaped, so that control characters or quotes in a
// request cannot garble the message.
std::string Quoted(absl::string_view name) {
  if (name.size() > kMaxEchoedNameLength) {
    return absl::StrCat(
        "\"", absl::CHexEscape(name.substr(0, kMaxEchoedNameLength)), "\"...");
  }
  return absl::StrCat("\"", absl::CHexEscape(name), "\"");
}

std::string KnownList(const std::vector<PlatformStatus>& statuses) {
  if (statuses.empty()) return "none registered";
  return absl::StrJoin(statuses, ", ",
                       [](std::string* out, const PlatformStatus& status) {
                         out->append(status.name);
                       });
}

const PlatformStatus* FindStatus(const std::vector<PlatformStatus>& statuses,
                                 absl::string_view name) {
  for (const PlatformStatus& status : statuses) {
    if (status.name == name) return &status;
  }
  return nullptr;
}

}  // namespace

std::vector<SettingAliases> ProviderRegistry::AllSettingAliases() const {
  std::vector<SettingAliases> all;
  for (const auto& [name, factory] : factories_) {
    all.insert(all.end(), factory.setting_aliases.begin(),
               factory.setting_aliases.end());
  }
  return all;
}

std::vector<SettingDoc> ProviderRegistry::AllSettingDocs() const {
  std::vector<SettingDoc> all;
  for (const auto& [name, factory] : factories_) {
    all.insert(all.end(), factory.setting_docs.begin(),
               factory.setting_docs.end());
  }
  return all;
}

SettingsLookup MapSettings(std::map<std::string, std::string> values) {
  return [values = std::move(values)](
             absl::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

SettingsLookup EnvironmentSettings() {
  return [](absl::string_view name) -> std::optional<std::string> {
    // getenv needs a NUL-terminated name. Concurrent getenv calls are safe as
    // long as nobody modifies the environment, which the server never does
    // after start-up.
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

absl::Status ProviderRegistry::Register(ProviderFactory factory) {
  if (!IsValidName(factory.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid platform name ", Quoted(factory.name),
                     ": must match [a-z][a-z0-9_]* and have at most ",
                     kMaxNameLength, " characters"));
  }
  if (!factory.create) {
    return absl::InvalidArgumentError(absl::StrCat(
        "platform \"", factory.name, "\": factory has no create function"));
  }
  if (factories_.count(factory.name) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("platform \"", factory.name, "\" is already registered"));
  }
  std::string name = factory.name;
  factories_.emplace(std::move(name), std::move(factory));
  return absl::OkStatus();
}

std::vector<std::string> ProviderRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(factories_.size());
  for (const auto& [name, factory] : factories_) names.push_back(name);
  return names;  // std::map keeps them sorted.
}

const ProviderFactory* ProviderRegistry::Find(absl::string_view name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::unique_ptr<Providers>> Providers::Create(
    const ProviderRegistry& registry, const SettingsLookup& settings,
    const PlatformDecorator& decorate) {
  if (!settings) {
    return absl::InvalidArgumentError("Providers::Create: no settings lookup");
  }
  auto providers = absl::WrapUnique(new Providers());
  for (const std::string& name : registry.Names()) {
    const ProviderFactory& factory = *registry.Find(name);
    PlatformStatus status;
    status.name = name;
    status.capabilities = factory.capabilities;
    for (const std::string& setting : factory.required_settings) {
      if (!settings(setting).has_value()) {
        status.missing_settings.push_back(setting);
      }
    }
    status.configured = status.missing_settings.empty();
    if (status.configured) {
      absl::StatusOr<std::unique_ptr<VideoPlatform>> instance =
          factory.create(settings);
      if (!instance.ok()) {
        // Keep the code (INVALID_ARGUMENT for a malformed setting) and add
        // which platform failed. Factories never put values in messages.
        return absl::Status(
            instance.status().code(),
            absl::StrCat("platform \"", name, "\": cannot be created: ",
                         instance.status().message()));
      }
      if (*instance == nullptr) {
        return absl::InternalError(absl::StrCat(
            "platform \"", name, "\": factory returned no provider"));
      }
      if ((*instance)->name() != name) {
        return absl::InternalError(absl::StrCat(
            "platform \"", name, "\": factory built a provider named \"",
            (*instance)->name(), "\""));
      }
      std::unique_ptr<VideoPlatform> platform = *std::move(instance);
      if (decorate) platform = decorate(std::move(platform));
      providers->instances_.emplace(name, std::move(platform));
    }
    providers->statuses_.push_back(std::move(status));
  }
  return providers;
}

absl::StatusOr<VideoPlatform*> Providers::Get(absl::string_view name) const {
  auto it = instances_.find(name);
  if (it != instances_.end()) return it->second.get();
  const PlatformStatus* status = FindStatus(statuses_, name);
  if (status == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown platform ", Quoted(name),
                     " (known platforms: ", KnownList(statuses_), ")"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("platform \"", status->name, "\" is not configured: set ",
                   absl::StrJoin(status->missing_settings, ", ")));
}

absl::Status Providers::CheckKnown(absl::string_view name,
                                   absl::string_view field) const {
  if (FindStatus(statuses_, name) != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": unknown platform ", Quoted(name),
                   " (known: ", KnownList(statuses_), ")"));
}

std::vector<PlatformStatus> Providers::Statuses() const { return statuses_; }

}  // namespace videoplatform::providers
