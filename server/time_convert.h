// absl::Time <-> google.protobuf.Timestamp.
#ifndef VIDEOPLATFORM_SERVER_TIME_CONVERT_H_
#define VIDEOPLATFORM_SERVER_TIME_CONVERT_H_

#include <google/protobuf/timestamp.pb.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace videoplatform::server {

google::protobuf::Timestamp ToProtoTimestamp(absl::Time time);

// INVALID_ARGUMENT naming `field` when the timestamp is outside
// 0001-01-01..9999-12-31 or its nanos are outside [0, 1e9).
absl::StatusOr<absl::Time> FromProtoTimestamp(
    const google::protobuf::Timestamp& timestamp, absl::string_view field);

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_TIME_CONVERT_H_
