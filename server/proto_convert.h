// Conversions from storage and provider types to v1 API messages.
#ifndef VIDEOPLATFORM_SERVER_PROTO_CONVERT_H_
#define VIDEOPLATFORM_SERVER_PROTO_CONVERT_H_

#include "providers/registry.h"
#include "providers/video_platform.h"
#include "storage/store.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::server {

v1::Meeting ToProto(const storage::MeetingRecord& meeting);
v1::GlobalFlags ToProto(const storage::GlobalFlags& flags);
v1::RoomPlatform ToProto(const storage::RoomPlatform& room_platform);
v1::RoomSession ToProto(const providers::RoomSession& session);
v1::PlatformInfo ToProto(const providers::PlatformStatus& status);

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_PROTO_CONVERT_H_
