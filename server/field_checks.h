// Checks for request fields. Each returns INVALID_ARGUMENT whose message
// starts with the field's name, e.g. "room.room_name: must not be empty".
#ifndef VIDEOPLATFORM_SERVER_FIELD_CHECKS_H_
#define VIDEOPLATFORM_SERVER_FIELD_CHECKS_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace videoplatform::server {

// The longest id, name or key the API accepts, in bytes.
inline constexpr size_t kMaxTextLength = 128;

// Non-empty text of at most `max_length` bytes without control characters.
absl::Status CheckRequiredText(absl::string_view value, absl::string_view field,
                               size_t max_length = kMaxTextLength);

// Like CheckRequiredText, but empty is allowed.
absl::Status CheckOptionalText(absl::string_view value, absl::string_view field,
                               size_t max_length = kMaxTextLength);

// The page size to use: 0 means `default_size`; 1..max_size as given;
// anything else is INVALID_ARGUMENT.
absl::StatusOr<int> CheckPageSize(int32_t page_size, absl::string_view field,
                                  int default_size = 100, int max_size = 1000);

// OK when `is_valid(value)` (a generated <Enum>_IsValid).
absl::Status CheckEnum(int value, bool (*is_valid)(int),
                       absl::string_view field);

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_FIELD_CHECKS_H_
