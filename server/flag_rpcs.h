// The feature-flag RPCs: global switches, per-room platform overrides and
// platform resolution.
//
// Thread-safe (state lives in the Store). Errors: INVALID_ARGUMENT naming the
// request field; storage errors pass through.
#ifndef VIDEOPLATFORM_SERVER_FLAG_RPCS_H_
#define VIDEOPLATFORM_SERVER_FLAG_RPCS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "providers/registry.h"
#include "storage/store.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::server {

// Every room uses this platform while the Daily migration is disabled, as the
// backend did before it had a choice.
inline constexpr absl::string_view kLegacyPlatform = "whereby";

struct Resolution {
  std::string platform;
  v1::ResolutionReason reason = v1::RESOLUTION_REASON_UNSPECIFIED;
};

// The platform rule of the specification: migration disabled -> whereby;
// room override -> its platform; otherwise the default platform.
absl::StatusOr<Resolution> ResolveRoomPlatform(storage::Store& store,
                                               absl::string_view room_id);

class FlagRpcs {
 public:
  // Both must outlive this object.
  FlagRpcs(storage::Store& store, const providers::Providers& providers)
      : store_(store), providers_(providers) {}

  absl::StatusOr<v1::GetFlagsResponse> GetFlags(const v1::GetFlagsRequest&);
  absl::StatusOr<v1::UpdateFlagsResponse> UpdateFlags(
      const v1::UpdateFlagsRequest& request);
  absl::StatusOr<v1::SetRoomPlatformResponse> SetRoomPlatform(
      const v1::SetRoomPlatformRequest& request);
  absl::StatusOr<v1::ClearRoomPlatformResponse> ClearRoomPlatform(
      const v1::ClearRoomPlatformRequest& request);
  absl::StatusOr<v1::ListRoomPlatformsResponse> ListRoomPlatforms(
      const v1::ListRoomPlatformsRequest& request);
  absl::StatusOr<v1::ResolvePlatformResponse> ResolvePlatform(
      const v1::ResolvePlatformRequest& request);

 private:
  storage::Store& store_;
  const providers::Providers& providers_;
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_FLAG_RPCS_H_
