// Platform switches given in the environment at start, under the names the
// backend already uses:
//   DAILY_MIGRATION_ENABLED   true/false (also 1/0, yes/no, on/off)
//   DEFAULT_VIDEO_PLATFORM    a registered platform name
//   DAILY_MIGRATION_ROOM_IDS  JSON list of room ids routed to "daily"
// A variable that is set is written to the flag store (and logged) at start;
// an unset one leaves the stored value alone, so changes made through the
// flag RPCs survive restarts.
#ifndef VIDEOPLATFORM_SERVER_STARTUP_FLAGS_H_
#define VIDEOPLATFORM_SERVER_STARTUP_FLAGS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "providers/registry.h"
#include "storage/store.h"

namespace videoplatform::server {

// The `updated_by` of overrides written from DAILY_MIGRATION_ROOM_IDS.
inline constexpr char kRoomIdsSource[] = "env:DAILY_MIGRATION_ROOM_IDS";

struct StartupFlags {
  std::optional<bool> daily_migration_enabled;
  std::optional<std::string> default_platform;
  std::optional<std::vector<std::string>> daily_migration_room_ids;
};

// INVALID_ARGUMENT naming the variable when a value is malformed.
absl::StatusOr<StartupFlags> ReadStartupFlags(
    const providers::SettingsLookup& settings);

// Writes the set values to `store`. INVALID_ARGUMENT when
// DEFAULT_VIDEO_PLATFORM names an unknown platform.
absl::Status ApplyStartupFlags(const StartupFlags& flags, storage::Store& store,
                               const providers::Providers& providers);

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_STARTUP_FLAGS_H_
