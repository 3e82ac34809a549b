#include "server/startup_flags.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "server/common/status_macros.h"
#include "server/field_checks.h"
#include "spdlog/spdlog.h"

namespace videoplatform::server {
namespace {

constexpr char kMigrationEnabled[] = "DAILY_MIGRATION_ENABLED";
constexpr char kDefaultPlatform[] = "DEFAULT_VIDEO_PLATFORM";
constexpr char kRoomIds[] = "DAILY_MIGRATION_ROOM_IDS";
constexpr char kEnvSource[] = "env";

absl::StatusOr<bool> ParseBool(absl::string_view name, std::string value) {
  value = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  if (value == "true" || value == "1" || value == "yes" || value == "on") {
    return true;
  }
  if (value == "false" || value == "0" || value == "no" || value == "off") {
    return false;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": expected true or false, got \"", value, "\""));
}

absl::StatusOr<std::vector<std::string>> ParseRoomIds(
    absl::string_view name, const std::string& value) {
  const nlohmann::json parsed =
      nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": expected a JSON list of room ids, e.g. [\"room-1\"]"));
  }
  std::vector<std::string> room_ids;
  for (const nlohmann::json& item : parsed) {
    if (!item.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": every room id must be a JSON string"));
    }
    const std::string room_id = item.get<std::string>();
    RETURN_IF_ERROR(CheckRequiredText(room_id, name));
    room_ids.push_back(room_id);
  }
  return room_ids;
}

}  // namespace

absl::StatusOr<StartupFlags> ReadStartupFlags(
    const providers::SettingsLookup& settings) {
  StartupFlags flags;
  if (const auto value = settings(kMigrationEnabled)) {
    ASSIGN_OR_RETURN(flags.daily_migration_enabled,
                     ParseBool(kMigrationEnabled, *value));
  }
  if (const auto value = settings(kDefaultPlatform)) {
    const std::string platform =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(*value));
    RETURN_IF_ERROR(CheckRequiredText(platform, kDefaultPlatform));
    flags.default_platform = platform;
  }
  if (const auto value = settings(kRoomIds)) {
    ASSIGN_OR_RETURN(flags.daily_migration_room_ids,
                     ParseRoomIds(kRoomIds, *value));
  }
  return flags;
}

absl::Status ApplyStartupFlags(const StartupFlags& flags, storage::Store& store,
                               const providers::Providers& providers) {
  const absl::Time now = absl::Now();
  if (flags.default_platform.has_value()) {
    RETURN_IF_ERROR(
        providers.CheckKnown(*flags.default_platform, kDefaultPlatform));
  }
  if (flags.daily_migration_enabled.has_value() ||
      flags.default_platform.has_value()) {
    ASSIGN_OR_RETURN(
        const storage::GlobalFlags stored,
        store.UpdateFlags(flags.daily_migration_enabled, flags.default_platform,
                          kEnvSource, now));
    spdlog::info("flags from environment: {}={} {}={}", kMigrationEnabled,
                 stored.daily_migration_enabled, kDefaultPlatform,
                 stored.default_platform);
  }
  if (flags.daily_migration_room_ids.has_value()) {
    RETURN_IF_ERROR(providers.CheckKnown("daily", kRoomIds));
    RETURN_IF_ERROR(store.ReplaceRoomPlatformsFromSource(
        kRoomIdsSource, *flags.daily_migration_room_ids, "daily", now));
    spdlog::info("flags from environment: {} routes [{}] to daily", kRoomIds,
                 absl::StrJoin(*flags.daily_migration_room_ids, ", "));
  }
  return absl::OkStatus();
}

}  // namespace videoplatform::server
