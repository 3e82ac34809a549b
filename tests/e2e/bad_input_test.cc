// Every RPC rejects bad input with INVALID_ARGUMENT (or NOT_FOUND for an
// unknown id) naming the field, through the real videoplatformd.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server =
        ServerProcess::Start({.env = {{"DAILY_MIGRATION_ENABLED", "true"},
                                      {"DEFAULT_VIDEO_PLATFORM", "mock"}}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
    client_ = new RpcClient(server_->Channel());
  }
  static void TearDownTestSuite() {
    delete client_;
    delete server_;
  }

  // Expects INVALID_ARGUMENT whose message starts with `field`.
  template <typename Request, typename Response>
  void ExpectInvalid(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                  const Request&, Response*),
                     const Request& request, const std::string& field) {
    Response response;
    const grpc::Status status = client_->Call(method, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << status.error_message();
    EXPECT_THAT(status.error_message(), StartsWith(field + ":"));
  }

  static v1::CreateMeetingRequest ValidCreate() {
    v1::CreateMeetingRequest request;
    request.mutable_room()->set_room_id("room-1");
    request.mutable_room()->set_room_name("Room 1");
    return request;
  }

  static ServerProcess* server_;
  static RpcClient* client_;
};

ServerProcess* BadInputTest::server_ = nullptr;
RpcClient* BadInputTest::client_ = nullptr;

TEST_F(BadInputTest, CreateMeeting) {
  ExpectInvalid(&Stub::CreateMeeting, v1::CreateMeetingRequest(), "room");
  v1::CreateMeetingRequest request = ValidCreate();
  request.mutable_room()->clear_room_id();
  ExpectInvalid(&Stub::CreateMeeting, request, "room.room_id");
  request = ValidCreate();
  request.mutable_room()->clear_room_name();
  ExpectInvalid(&Stub::CreateMeeting, request, "room.room_name");
  request = ValidCreate();
  request.mutable_room()->set_room_name(std::string(129, 'x'));
  ExpectInvalid(&Stub::CreateMeeting, request, "room.room_name");
  request = ValidCreate();
  request.mutable_room()->set_room_name("line\nbreak");
  ExpectInvalid(&Stub::CreateMeeting, request, "room.room_name");
  request = ValidCreate();
  request.mutable_room()->set_room_mode(static_cast<v1::RoomMode>(42));
  ExpectInvalid(&Stub::CreateMeeting, request, "room.room_mode");
  request = ValidCreate();
  request.mutable_room()->set_recording_type(
      static_cast<v1::RecordingType>(-1));
  ExpectInvalid(&Stub::CreateMeeting, request, "room.recording_type");
  request = ValidCreate();
  request.mutable_room()->set_recording_trigger(
      static_cast<v1::RecordingTrigger>(9));
  ExpectInvalid(&Stub::CreateMeeting, request, "room.recording_trigger");
  request = ValidCreate();
  request.mutable_end_time()->set_seconds(1000);  // 1970: in the past.
  ExpectInvalid(&Stub::CreateMeeting, request, "end_time");
  request = ValidCreate();
  request.mutable_end_time()->set_seconds(253402300799 + 1);
  ExpectInvalid(&Stub::CreateMeeting, request, "end_time");
  request = ValidCreate();
  request.mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) +
                                          400 * 86400);
  ExpectInvalid(&Stub::CreateMeeting, request, "end_time");
  request = ValidCreate();
  request.mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) +
                                          3600);
  request.mutable_end_time()->set_nanos(-1);
  ExpectInvalid(&Stub::CreateMeeting, request, "end_time");
  request = ValidCreate();
  request.set_idempotency_key(std::string(200, 'k'));
  ExpectInvalid(&Stub::CreateMeeting, request, "idempotency_key");
}

TEST_F(BadInputTest, MeetingLookups) {
  ExpectInvalid(&Stub::GetMeeting, v1::GetMeetingRequest(), "meeting_id");
  ExpectInvalid(&Stub::EndMeeting, v1::EndMeetingRequest(), "meeting_id");
  ExpectInvalid(&Stub::GetRoomSessions, v1::GetRoomSessionsRequest(),
                "meeting_id");
  v1::GetMeetingRequest get;
  get.set_meeting_id("no-such-meeting");
  v1::GetMeetingResponse response;
  const grpc::Status status = client_->Call(&Stub::GetMeeting, get, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("no-such-meeting"));
  v1::EndMeetingRequest end;
  end.set_meeting_id("no-such-meeting");
  v1::EndMeetingResponse ended;
  EXPECT_EQ(client_->Call(&Stub::EndMeeting, end, &ended).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(BadInputTest, StartRecording) {
  ExpectInvalid(&Stub::StartRecording, v1::StartRecordingRequest(),
                "meeting_id");
  v1::StartRecordingRequest request;
  request.set_meeting_id("m-1");
  request.set_kind(static_cast<v1::RecordingKind>(77));
  ExpectInvalid(&Stub::StartRecording, request, "kind");
  request.set_kind(v1::RECORDING_KIND_CLOUD_AUDIO_ONLY);
  ExpectInvalid(&Stub::StartRecording, request, "kind");
  request.set_kind(v1::RECORDING_KIND_CLOUD);
  request.set_instance_id(std::string(129, 'i'));
  ExpectInvalid(&Stub::StartRecording, request, "instance_id");
}

TEST_F(BadInputTest, ListMeetings) {
  v1::ListMeetingsRequest request;
  request.set_page_size(-1);
  ExpectInvalid(&Stub::ListMeetings, request, "page_size");
  request.set_page_size(1001);
  ExpectInvalid(&Stub::ListMeetings, request, "page_size");
  request.set_page_size(10);
  request.set_page_token("not a token");
  ExpectInvalid(&Stub::ListMeetings, request, "page_token");
  request.set_page_token("");
  request.set_room_id(std::string(300, 'r'));
  ExpectInvalid(&Stub::ListMeetings, request, "room_id");
}

TEST_F(BadInputTest, Flags) {
  v1::UpdateFlagsRequest update;
  update.set_default_platform("zoom");
  ExpectInvalid(&Stub::UpdateFlags, update, "default_platform");
  update.set_default_platform("");
  ExpectInvalid(&Stub::UpdateFlags, update, "default_platform");
  update.clear_default_platform();
  update.set_updated_by(std::string(500, 'u'));
  ExpectInvalid(&Stub::UpdateFlags, update, "updated_by");

  v1::SetRoomPlatformRequest set;
  set.set_platform("mock");
  ExpectInvalid(&Stub::SetRoomPlatform, set, "room_id");
  set.set_room_id("room-1");
  set.set_platform("zoom");
  ExpectInvalid(&Stub::SetRoomPlatform, set, "platform");
  set.clear_platform();
  ExpectInvalid(&Stub::SetRoomPlatform, set, "platform");

  ExpectInvalid(&Stub::ClearRoomPlatform, v1::ClearRoomPlatformRequest(),
                "room_id");
  ExpectInvalid(&Stub::ResolvePlatform, v1::ResolvePlatformRequest(),
                "room_id");
  v1::ListRoomPlatformsRequest list;
  list.set_page_size(5000);
  ExpectInvalid(&Stub::ListRoomPlatforms, list, "page_size");
}

TEST_F(BadInputTest, UnknownPlatformErrorListsTheKnownOnes) {
  v1::SetRoomPlatformRequest set;
  set.set_room_id("room-1");
  set.set_platform("zoom");
  v1::SetRoomPlatformResponse response;
  const grpc::Status status =
      client_->Call(&Stub::SetRoomPlatform, set, &response);
  EXPECT_THAT(status.error_message(), HasSubstr("mock"));
  EXPECT_THAT(status.error_message(), HasSubstr("whereby"));
}

}  // namespace
}  // namespace videoplatform::testing
