#include "server/time_convert.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace videoplatform::server {
namespace {
// The range google.protobuf.Timestamp allows.
constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
}  // namespace

google::protobuf::Timestamp ToProtoTimestamp(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  const int64_t seconds = absl::ToUnixSeconds(time);
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return timestamp;
}

absl::StatusOr<absl::Time> FromProtoTimestamp(
    const google::protobuf::Timestamp& timestamp, absl::string_view field) {
  if (timestamp.seconds() < kMinSeconds || timestamp.seconds() > kMaxSeconds ||
      timestamp.nanos() < 0 || timestamp.nanos() >= 1000000000) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": timestamp out of range"));
  }
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

}  // namespace videoplatform::server
