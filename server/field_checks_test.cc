#include "server/field_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/common/status_matchers.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::server {
namespace {

using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

TEST(FieldChecksTest, RequiredText) {
  EXPECT_THAT(CheckRequiredText("room-1", "room_id"), IsOk());
  EXPECT_THAT(
      CheckRequiredText("", "room_id"),
      StatusIs(absl::StatusCode::kInvalidArgument, "room_id: is required"));
  EXPECT_THAT(CheckRequiredText(std::string(129, 'a'), "room_id"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at most 128 bytes, got 129")));
  EXPECT_THAT(CheckRequiredText(std::string(128, 'a'), "room_id"), IsOk());
  EXPECT_THAT(CheckRequiredText("tab\there", "room_id"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("control characters")));
  EXPECT_THAT(
      CheckRequiredText("del\x7f", "room_id"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("room_id")));
  EXPECT_THAT(CheckRequiredText("Zürich Café", "room_name"), IsOk());
}

TEST(FieldChecksTest, OptionalText) {
  EXPECT_THAT(CheckOptionalText("", "updated_by"), IsOk());
  EXPECT_THAT(
      CheckOptionalText("a\nb", "updated_by"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("updated_by:")));
}

TEST(FieldChecksTest, PageSize) {
  EXPECT_EQ(CheckPageSize(0, "page_size").value(), 100);
  EXPECT_EQ(CheckPageSize(1, "page_size").value(), 1);
  EXPECT_EQ(CheckPageSize(1000, "page_size").value(), 1000);
  EXPECT_THAT(CheckPageSize(-1, "page_size"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page_size: must be between 0 and 1000")));
  EXPECT_THAT(CheckPageSize(1001, "page_size"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1001")));
}

TEST(FieldChecksTest, Enum) {
  EXPECT_THAT(CheckEnum(v1::ROOM_MODE_GROUP, v1::RoomMode_IsValid, "mode"),
              IsOk());
  EXPECT_THAT(CheckEnum(17, v1::RoomMode_IsValid, "room.room_mode"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "room.room_mode: unknown enum value 17"));
}

}  // namespace
}  // namespace videoplatform::server
