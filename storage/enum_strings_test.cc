#include "storage/enum_strings.h"

#include <gtest/gtest.h>

namespace videoplatform::storage {
namespace {

TEST(EnumStringsTest, RoomModes) {
  EXPECT_EQ(ToBackendString(v1::ROOM_MODE_NORMAL), "normal");
  EXPECT_EQ(ToBackendString(v1::ROOM_MODE_GROUP), "group");
  EXPECT_EQ(ToBackendString(v1::ROOM_MODE_UNSPECIFIED), std::nullopt);
  EXPECT_EQ(ToBackendString(static_cast<v1::RoomMode>(99)), std::nullopt);
}

TEST(EnumStringsTest, RecordingTypes) {
  EXPECT_EQ(ToBackendString(v1::RECORDING_TYPE_NONE), "none");
  EXPECT_EQ(ToBackendString(v1::RECORDING_TYPE_LOCAL), "local");
  EXPECT_EQ(ToBackendString(v1::RECORDING_TYPE_CLOUD), "cloud");
  EXPECT_EQ(ToBackendString(v1::RECORDING_TYPE_UNSPECIFIED), std::nullopt);
}

TEST(EnumStringsTest, RecordingTriggers) {
  EXPECT_EQ(ToBackendString(v1::RECORDING_TRIGGER_NONE), "none");
  EXPECT_EQ(ToBackendString(v1::RECORDING_TRIGGER_PROMPT), "prompt");
  EXPECT_EQ(ToBackendString(v1::RECORDING_TRIGGER_AUTOMATIC), "automatic");
  EXPECT_EQ(ToBackendString(v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT),
            "automatic-2nd-participant");
  EXPECT_EQ(ToBackendString(v1::RECORDING_TRIGGER_UNSPECIFIED), std::nullopt);
}

// Every specified proto value has a string, and it reads back as itself.
template <typename Enum>
void ExpectAllValuesRoundTrip(bool (*is_valid)(int), int max) {
  for (int i = 1; i <= max; ++i) {
    if (!is_valid(i)) continue;
    const Enum value = static_cast<Enum>(i);
    const std::optional<absl::string_view> text = ToBackendString(value);
    ASSERT_TRUE(text.has_value()) << i;
    Enum back = static_cast<Enum>(0);
    EXPECT_TRUE(FromBackendString(*text, &back)) << *text;
    EXPECT_EQ(back, value);
  }
}

TEST(EnumStringsTest, AllValuesRoundTrip) {
  ExpectAllValuesRoundTrip<v1::RoomMode>(v1::RoomMode_IsValid,
                                         v1::RoomMode_MAX);
  ExpectAllValuesRoundTrip<v1::RecordingType>(v1::RecordingType_IsValid,
                                              v1::RecordingType_MAX);
  ExpectAllValuesRoundTrip<v1::RecordingTrigger>(v1::RecordingTrigger_IsValid,
                                                 v1::RecordingTrigger_MAX);
}

TEST(EnumStringsTest, UnknownStringsAreRejected) {
  v1::RoomMode mode = v1::ROOM_MODE_GROUP;
  EXPECT_FALSE(FromBackendString("NORMAL", &mode));
  EXPECT_FALSE(FromBackendString("", &mode));
  EXPECT_EQ(mode, v1::ROOM_MODE_GROUP);
  v1::RecordingTrigger trigger = v1::RECORDING_TRIGGER_NONE;
  EXPECT_FALSE(FromBackendString("automatic_2nd_participant", &trigger));
  EXPECT_EQ(trigger, v1::RECORDING_TRIGGER_NONE);
}

}  // namespace
}  // namespace videoplatform::storage
