#include "server/flag_rpcs.h"

#include <optional>

#include "absl/time/clock.h"
#include "server/common/status_macros.h"
#include "server/field_checks.h"
#include "server/proto_convert.h"

namespace videoplatform::server {

absl::StatusOr<Resolution> ResolveRoomPlatform(storage::Store& store,
                                               absl::string_view room_id) {
  ASSIGN_OR_RETURN(const storage::GlobalFlags flags, store.GetFlags());
  if (!flags.daily_migration_enabled) {
    return Resolution{std::string(kLegacyPlatform),
                      v1::RESOLUTION_REASON_MIGRATION_DISABLED};
  }
  ASSIGN_OR_RETURN(const std::optional<storage::RoomPlatform> override_platform,
                   store.GetRoomPlatform(room_id));
  if (override_platform.has_value()) {
    return Resolution{override_platform->platform,
                      v1::RESOLUTION_REASON_ROOM_OVERRIDE};
  }
  return Resolution{flags.default_platform, v1::RESOLUTION_REASON_DEFAULT};
}

absl::StatusOr<v1::GetFlagsResponse> FlagRpcs::GetFlags(
    const v1::GetFlagsRequest&) {
  ASSIGN_OR_RETURN(const storage::GlobalFlags flags, store_.GetFlags());
  v1::GetFlagsResponse response;
  *response.mutable_flags() = ToProto(flags);
  return response;
}

absl::StatusOr<v1::UpdateFlagsResponse> FlagRpcs::UpdateFlags(
    const v1::UpdateFlagsRequest& request) {
  RETURN_IF_ERROR(CheckOptionalText(request.updated_by(), "updated_by"));
  std::optional<bool> migration;
  std::optional<std::string> default_platform;
  if (request.has_daily_migration_enabled()) {
    migration = request.daily_migration_enabled();
  }
  if (request.has_default_platform()) {
    RETURN_IF_ERROR(
        providers_.CheckKnown(request.default_platform(), "default_platform"));
    default_platform = request.default_platform();
  }
  ASSIGN_OR_RETURN(const storage::GlobalFlags flags,
                   store_.UpdateFlags(migration, default_platform,
                                      request.updated_by(), absl::Now()));
  v1::UpdateFlagsResponse response;
  *response.mutable_flags() = ToProto(flags);
  return response;
}

absl::StatusOr<v1::SetRoomPlatformResponse> FlagRpcs::SetRoomPlatform(
    const v1::SetRoomPlatformRequest& request) {
  RETURN_IF_ERROR(CheckRequiredText(request.room_id(), "room_id"));
  RETURN_IF_ERROR(CheckRequiredText(request.platform(), "platform"));
  RETURN_IF_ERROR(providers_.CheckKnown(request.platform(), "platform"));
  RETURN_IF_ERROR(CheckOptionalText(request.updated_by(), "updated_by"));
  ASSIGN_OR_RETURN(const storage::RoomPlatform room_platform,
                   store_.SetRoomPlatform(request.room_id(), request.platform(),
                                          request.updated_by(), absl::Now()));
  v1::SetRoomPlatformResponse response;
  *response.mutable_room_platform() = ToProto(room_platform);
  return response;
}

absl::StatusOr<v1::ClearRoomPlatformResponse> FlagRpcs::ClearRoomPlatform(
    const v1::ClearRoomPlatformRequest& request) {
  RETURN_IF_ERROR(CheckRequiredText(request.room_id(), "room_id"));
  ASSIGN_OR_RETURN(const bool existed,
                   store_.ClearRoomPlatform(request.room_id()));
  v1::ClearRoomPlatformResponse response;
  response.set_existed(existed);
  return response;
}

absl::StatusOr<v1::ListRoomPlatformsResponse> FlagRpcs::ListRoomPlatforms(
    const v1::ListRoomPlatformsRequest& request) {
  ASSIGN_OR_RETURN(const int limit,
                   CheckPageSize(request.page_size(), "page_size"));
  RETURN_IF_ERROR(CheckOptionalText(request.page_token(), "page_token", 1024));
  ASSIGN_OR_RETURN(const storage::RoomPlatformPage page,
                   store_.ListRoomPlatforms(limit, request.page_token()));
  v1::ListRoomPlatformsResponse response;
  for (const storage::RoomPlatform& room_platform : page.room_platforms) {
    *response.add_room_platforms() = ToProto(room_platform);
  }
  response.set_next_page_token(page.next_cursor);
  return response;
}

absl::StatusOr<v1::ResolvePlatformResponse> FlagRpcs::ResolvePlatform(
    const v1::ResolvePlatformRequest& request) {
  RETURN_IF_ERROR(CheckRequiredText(request.room_id(), "room_id"));
  ASSIGN_OR_RETURN(const Resolution resolution,
                   ResolveRoomPlatform(store_, request.room_id()));
  v1::ResolvePlatformResponse response;
  response.set_platform(resolution.platform);
  response.set_reason(resolution.reason);
  return response;
}

}  // namespace videoplatform::server
