// The backend's lower-case strings for the v1 room-setting enums, as
// Reflector stores them: "normal"/"group"; "none"/"local"/"cloud";
// "none"/"prompt"/"automatic"/"automatic-2nd-participant".
// UNSPECIFIED and unknown values have no string. Thread-safe (pure).
#ifndef VIDEOPLATFORM_STORAGE_ENUM_STRINGS_H_
#define VIDEOPLATFORM_STORAGE_ENUM_STRINGS_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::storage {

std::optional<absl::string_view> ToBackendString(v1::RoomMode value);
std::optional<absl::string_view> ToBackendString(v1::RecordingType value);
std::optional<absl::string_view> ToBackendString(v1::RecordingTrigger value);

// False (and `*value` untouched) for a string with no enum value.
bool FromBackendString(absl::string_view text, v1::RoomMode* value);
bool FromBackendString(absl::string_view text, v1::RecordingType* value);
bool FromBackendString(absl::string_view text, v1::RecordingTrigger* value);

}  // namespace videoplatform::storage

#endif  // VIDEOPLATFORM_STORAGE_ENUM_STRINGS_H_
