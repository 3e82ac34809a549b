#include "storage/enum_strings.h"

namespace videoplatform::storage {
namespace {

template <typename Enum>
struct Name {
  Enum value;
  absl::string_view text;
};

constexpr Name<v1::RoomMode> kRoomModes[] = {
    {v1::ROOM_MODE_NORMAL, "normal"},
    {v1::ROOM_MODE_GROUP, "group"},
};

constexpr Name<v1::RecordingType> kRecordingTypes[] = {
    {v1::RECORDING_TYPE_NONE, "none"},
    {v1::RECORDING_TYPE_LOCAL, "local"},
    {v1::RECORDING_TYPE_CLOUD, "cloud"},
};

constexpr Name<v1::RecordingTrigger> kRecordingTriggers[] = {
    {v1::RECORDING_TRIGGER_NONE, "none"},
    {v1::RECORDING_TRIGGER_PROMPT, "prompt"},
    {v1::RECORDING_TRIGGER_AUTOMATIC, "automatic"},
    {v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT,
     "automatic-2nd-participant"},
};

template <typename Enum, size_t N>
std::optional<absl::string_view> Find(const Name<Enum> (&names)[N],
                                      Enum value) {
  for (const Name<Enum>& name : names) {
    if (name.value == value) return name.text;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
bool Find(const Name<Enum> (&names)[N], absl::string_view text, Enum* value) {
  for (const Name<Enum>& name : names) {
    if (name.text == text) {
      *value = name.value;
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<absl::string_view> ToBackendString(v1::RoomMode value) {
  return Find(kRoomModes, value);
}
std::optional<absl::string_view> ToBackendString(v1::RecordingType value) {
  return Find(kRecordingTypes, value);
}
std::optional<absl::string_view> ToBackendString(v1::RecordingTrigger value) {
  return Find(kRecordingTriggers, value);
}

bool FromBackendString(absl::string_view text, v1::RoomMode* value) {
  return Find(kRoomModes, text, value);
}
bool FromBackendString(absl::string_view text, v1::RecordingType* value) {
  return Find(kRecordingTypes, text, value);
}
bool FromBackendString(absl::string_view text, v1::RecordingTrigger* value) {
  return Find(kRecordingTriggers, text, value);
}

}  // namespace videoplatform::storage
