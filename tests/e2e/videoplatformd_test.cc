// End-to-end tests: the real videoplatformd binary, a real gRPC channel on
// 127.0.0.1, a real SQLite file, and the mock provider.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

// Settings of a server that routes every room to the mock by default.
std::map<std::string, std::string> MockDefaults() {
  return {{"DAILY_MIGRATION_ENABLED", "true"},
          {"DEFAULT_VIDEO_PLATFORM", "mock"}};
}

v1::CreateMeetingRequest CreateRequest(const std::string& room_id) {
  v1::CreateMeetingRequest request;
  request.mutable_room()->set_room_id(room_id);
  request.mutable_room()->set_room_name("Room " + room_id);
  return request;
}

class VideoplatformdTest : public ::testing::Test {
 protected:
  void StartServer(ServerProcessOptions options = {}) {
    if (options.env.empty()) options.env = MockDefaults();
    auto server = ServerProcess::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    client_ = std::make_unique<RpcClient>(server_->Channel());
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RpcClient> client_;
};

TEST_F(VideoplatformdTest, CreateGetListEndMeeting) {
  StartServer();
  v1::CreateMeetingRequest request = CreateRequest("room-1");
  request.mutable_room()->set_is_locked(true);
  request.mutable_room()->set_room_mode(v1::ROOM_MODE_GROUP);
  const absl::Time before = absl::Now();
  v1::CreateMeetingResponse created;
  ASSERT_TRUE(client_->Call(&Stub::CreateMeeting, request, &created).ok());
  const v1::Meeting meeting = created.meeting();
  EXPECT_TRUE(created.created());
  EXPECT_EQ(meeting.platform(), "mock");
  EXPECT_EQ(meeting.room_id(), "room-1");
  EXPECT_FALSE(meeting.meeting_id().empty());
  EXPECT_FALSE(meeting.provider_meeting_id().empty());
  EXPECT_THAT(meeting.room_url(), HasSubstr("https://"));
  EXPECT_FALSE(meeting.host_room_url().empty());
  EXPECT_TRUE(meeting.is_locked());
  EXPECT_EQ(meeting.room_mode(), v1::ROOM_MODE_GROUP);
  // Defaults documented in the API.
  EXPECT_EQ(meeting.recording_type(), v1::RECORDING_TYPE_CLOUD);
  EXPECT_EQ(meeting.recording_trigger(),
            v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT);
  EXPECT_TRUE(meeting.is_active());
  const absl::Duration length =
      absl::FromUnixSeconds(meeting.end_time().seconds()) -
      absl::FromUnixSeconds(meeting.start_time().seconds());
  EXPECT_NEAR(absl::ToDoubleHours(length), 8.0, 0.01);
  EXPECT_GE(meeting.start_time().seconds(), absl::ToUnixSeconds(before) - 1);

  v1::GetMeetingRequest get;
  get.set_meeting_id(meeting.meeting_id());
  v1::GetMeetingResponse got;
  ASSERT_TRUE(client_->Call(&Stub::GetMeeting, get, &got).ok());
  EXPECT_EQ(got.meeting().SerializeAsString(), meeting.SerializeAsString());

  ASSERT_TRUE(
      client_->Call(&Stub::CreateMeeting, CreateRequest("room-2"), &created)
          .ok());
  v1::ListMeetingsRequest list;
  list.set_room_id("room-1");
  v1::ListMeetingsResponse listed;
  ASSERT_TRUE(client_->Call(&Stub::ListMeetings, list, &listed).ok());
  ASSERT_THAT(listed.meetings(), SizeIs(1));
  EXPECT_EQ(listed.meetings(0).meeting_id(), meeting.meeting_id());

  v1::GetRoomSessionsRequest sessions_request;
  sessions_request.set_meeting_id(meeting.meeting_id());
  v1::GetRoomSessionsResponse sessions;
  ASSERT_TRUE(
      client_->Call(&Stub::GetRoomSessions, sessions_request, &sessions).ok());

  v1::EndMeetingRequest end;
  end.set_meeting_id(meeting.meeting_id());
  v1::EndMeetingResponse ended;
  ASSERT_TRUE(client_->Call(&Stub::EndMeeting, end, &ended).ok());
  EXPECT_FALSE(ended.meeting().is_active());
  EXPECT_TRUE(ended.provider_room_deleted());
  // Idempotent: ending again succeeds and deletes nothing.
  ASSERT_TRUE(client_->Call(&Stub::EndMeeting, end, &ended).ok());
  EXPECT_FALSE(ended.meeting().is_active());
  EXPECT_FALSE(ended.provider_room_deleted());

  list.set_active_only(true);
  ASSERT_TRUE(client_->Call(&Stub::ListMeetings, list, &listed).ok());
  EXPECT_THAT(listed.meetings(), SizeIs(0));
  list.set_room_id("");
  ASSERT_TRUE(client_->Call(&Stub::ListMeetings, list, &listed).ok());
  EXPECT_THAT(listed.meetings(), SizeIs(1));  // room-2's meeting.
}

TEST_F(VideoplatformdTest, StartRecordingNeedsAPlatformThatCan) {
  StartServer();
  v1::CreateMeetingResponse created;
  ASSERT_TRUE(
      client_->Call(&Stub::CreateMeeting, CreateRequest("rec"), &created).ok());
  v1::StartRecordingRequest request;
  request.set_meeting_id(created.meeting().meeting_id());
  v1::StartRecordingResponse response;
  const grpc::Status status =
      client_->Call(&Stub::StartRecording, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("cannot start recordings"));
}

TEST_F(VideoplatformdTest, ListMeetingsPagesWithoutGapsOrRepeats) {
  StartServer();
  v1::CreateMeetingResponse created;
  std::set<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(
        client_->Call(&Stub::CreateMeeting, CreateRequest("paged"), &created)
            .ok());
    ids.insert(created.meeting().meeting_id());
  }
  std::set<std::string> seen;
  v1::ListMeetingsRequest list;
  list.set_page_size(3);
  int pages = 0;
  do {
    v1::ListMeetingsResponse page;
    ASSERT_TRUE(client_->Call(&Stub::ListMeetings, list, &page).ok());
    for (const v1::Meeting& m : page.meetings()) {
      EXPECT_TRUE(seen.insert(m.meeting_id()).second) << "repeated";
    }
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty() && pages < 10);
  EXPECT_EQ(seen, ids);
  EXPECT_EQ(pages, 3);
}

TEST_F(VideoplatformdTest, IdempotencyKeyReturnsTheSameMeeting) {
  StartServer();
  v1::CreateMeetingRequest request = CreateRequest("room-idem");
  request.set_idempotency_key("retry-1");
  v1::CreateMeetingResponse first, second;
  ASSERT_TRUE(client_->Call(&Stub::CreateMeeting, request, &first).ok());
  ASSERT_TRUE(client_->Call(&Stub::CreateMeeting, request, &second).ok());
  EXPECT_TRUE(first.created());
  EXPECT_FALSE(second.created());
  EXPECT_EQ(first.meeting().meeting_id(), second.meeting().meeting_id());

  v1::ListMeetingsRequest list;
  list.set_room_id("room-idem");
  v1::ListMeetingsResponse listed;
  ASSERT_TRUE(client_->Call(&Stub::ListMeetings, list, &listed).ok());
  EXPECT_THAT(listed.meetings(), SizeIs(1));

  // The same key for another room is a client bug, not a retry.
  v1::CreateMeetingRequest other = CreateRequest("room-other");
  other.set_idempotency_key("retry-1");
  const grpc::Status reused =
      client_->Call(&Stub::CreateMeeting, other, &second);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(reused.error_message(), HasSubstr("idempotency_key"));
}

TEST_F(VideoplatformdTest, FlagChangesRouteTheNextMeeting) {
  StartServer();
  v1::ResolvePlatformRequest resolve;
  resolve.set_room_id("room-flags");
  v1::ResolvePlatformResponse resolved;
  ASSERT_TRUE(client_->Call(&Stub::ResolvePlatform, resolve, &resolved).ok());
  EXPECT_EQ(resolved.platform(), "mock");
  EXPECT_EQ(resolved.reason(), v1::RESOLUTION_REASON_DEFAULT);

  // A registered but unconfigured platform fails, naming the setting.
  v1::SetRoomPlatformRequest set;
  set.set_room_id("room-flags");
  set.set_platform("whereby");
  set.set_updated_by("ops@example.com");
  v1::SetRoomPlatformResponse set_response;
  ASSERT_TRUE(client_->Call(&Stub::SetRoomPlatform, set, &set_response).ok());
  EXPECT_EQ(set_response.room_platform().updated_by(), "ops@example.com");
  ASSERT_TRUE(client_->Call(&Stub::ResolvePlatform, resolve, &resolved).ok());
  EXPECT_EQ(resolved.platform(), "whereby");
  EXPECT_EQ(resolved.reason(), v1::RESOLUTION_REASON_ROOM_OVERRIDE);
  v1::CreateMeetingResponse created;
  grpc::Status status = client_->Call(&Stub::CreateMeeting,
                                      CreateRequest("room-flags"), &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("WHEREBY_API_KEY"));

  // Other rooms still follow the default.
  ASSERT_TRUE(
      client_->Call(&Stub::CreateMeeting, CreateRequest("room-else"), &created)
          .ok());
  EXPECT_EQ(created.meeting().platform(), "mock");

  // Clearing the override sends the room back to the default.
  v1::ClearRoomPlatformRequest clear;
  clear.set_room_id("room-flags");
  v1::ClearRoomPlatformResponse cleared;
  ASSERT_TRUE(client_->Call(&Stub::ClearRoomPlatform, clear, &cleared).ok());
  EXPECT_TRUE(cleared.existed());
  ASSERT_TRUE(
      client_->Call(&Stub::CreateMeeting, CreateRequest("room-flags"), &created)
          .ok());
  EXPECT_EQ(created.meeting().platform(), "mock");

  // Migration disabled: every room is whereby.
  v1::UpdateFlagsRequest update;
  update.set_daily_migration_enabled(false);
  v1::UpdateFlagsResponse updated;
  ASSERT_TRUE(client_->Call(&Stub::UpdateFlags, update, &updated).ok());
  EXPECT_FALSE(updated.flags().daily_migration_enabled());
  EXPECT_EQ(updated.flags().default_platform(), "mock");
  ASSERT_TRUE(client_->Call(&Stub::ResolvePlatform, resolve, &resolved).ok());
  EXPECT_EQ(resolved.platform(), "whereby");
  EXPECT_EQ(resolved.reason(), v1::RESOLUTION_REASON_MIGRATION_DISABLED);
}

TEST_F(VideoplatformdTest, ListsPlatformsWithConfigurationAndCapabilities) {
  StartServer();
  v1::ListPlatformsResponse platforms;
  ASSERT_TRUE(
      client_
          ->Call(&Stub::ListPlatforms, v1::ListPlatformsRequest(), &platforms)
          .ok());
  std::map<std::string, v1::PlatformInfo> by_name;
  for (const v1::PlatformInfo& info : platforms.platforms()) {
    by_name[info.name()] = info;
  }
  ASSERT_TRUE(by_name.count("mock"));
  EXPECT_TRUE(by_name["mock"].configured());
  EXPECT_TRUE(by_name["mock"].capabilities().can_delete_room());
  ASSERT_TRUE(by_name.count("whereby"));
  EXPECT_FALSE(by_name["whereby"].configured());
  EXPECT_THAT(by_name["whereby"].missing_settings(),
              ::testing::Contains("WHEREBY_API_KEY"));
  ASSERT_TRUE(by_name.count("daily"));
  EXPECT_THAT(by_name["daily"].missing_settings(),
              ::testing::Contains("DAILY_API_KEY"));
}

TEST_F(VideoplatformdTest, RestartWithTheSameDatabaseKeepsEverything) {
  StartServer();
  v1::CreateMeetingRequest request = CreateRequest("room-keep");
  request.set_idempotency_key("keep-1");
  v1::CreateMeetingResponse created;
  ASSERT_TRUE(client_->Call(&Stub::CreateMeeting, request, &created).ok());
  v1::SetRoomPlatformRequest set;
  set.set_room_id("room-pinned");
  set.set_platform("daily");
  v1::SetRoomPlatformResponse set_response;
  ASSERT_TRUE(client_->Call(&Stub::SetRoomPlatform, set, &set_response).ok());
  v1::UpdateFlagsRequest update;
  update.set_default_platform("whereby");
  v1::UpdateFlagsResponse updated;
  ASSERT_TRUE(client_->Call(&Stub::UpdateFlags, update, &updated).ok());

  const std::string db = server_->db_path();
  ASSERT_EQ(server_->Stop(SIGTERM, absl::Seconds(20)).value_or(-1), 0);
  // No flag variables this time: the stored values stand.
  StartServer({.env = {{"UNRELATED", "1"}}, .db_path = db});

  v1::GetMeetingRequest get;
  get.set_meeting_id(created.meeting().meeting_id());
  v1::GetMeetingResponse got;
  ASSERT_TRUE(client_->Call(&Stub::GetMeeting, get, &got).ok());
  EXPECT_EQ(got.meeting().SerializeAsString(),
            created.meeting().SerializeAsString());
  v1::CreateMeetingResponse replay;
  ASSERT_TRUE(client_->Call(&Stub::CreateMeeting, request, &replay).ok());
  EXPECT_FALSE(replay.created());
  EXPECT_EQ(replay.meeting().meeting_id(), created.meeting().meeting_id());
  v1::GetFlagsResponse flags;
  ASSERT_TRUE(
      client_->Call(&Stub::GetFlags, v1::GetFlagsRequest(), &flags).ok());
  EXPECT_TRUE(flags.flags().daily_migration_enabled());
  EXPECT_EQ(flags.flags().default_platform(), "whereby");
  v1::ResolvePlatformRequest resolve;
  resolve.set_room_id("room-pinned");
  v1::ResolvePlatformResponse resolved;
  ASSERT_TRUE(client_->Call(&Stub::ResolvePlatform, resolve, &resolved).ok());
  EXPECT_EQ(resolved.platform(), "daily");
}

TEST_F(VideoplatformdTest, EnvironmentFlagsAreWrittenAtStart) {
  StartServer(
      {.env = {{"DAILY_MIGRATION_ENABLED", "true"},
               {"DEFAULT_VIDEO_PLATFORM", "mock"},
               {"DAILY_MIGRATION_ROOM_IDS", R"(["room-a","room-b"])"}}});
  v1::ListRoomPlatformsResponse listed;
  ASSERT_TRUE(client_
                  ->Call(&Stub::ListRoomPlatforms,
                         v1::ListRoomPlatformsRequest(), &listed)
                  .ok());
  ASSERT_THAT(listed.room_platforms(), SizeIs(2));
  EXPECT_EQ(listed.room_platforms(0).room_id(), "room-a");
  EXPECT_EQ(listed.room_platforms(0).platform(), "daily");
  EXPECT_EQ(listed.room_platforms(0).updated_by(),
            "env:DAILY_MIGRATION_ROOM_IDS");
  EXPECT_THAT(server_->Output(), HasSubstr("DAILY_MIGRATION_ROOM_IDS"));

  // Restart with a shorter list: room-b leaves the migration list.
  const std::string db = server_->db_path();
  ASSERT_EQ(server_->Stop(SIGTERM, absl::Seconds(20)).value_or(-1), 0);
  StartServer(
      {.env = {{"DAILY_MIGRATION_ROOM_IDS", R"(["room-a"])"}}, .db_path = db});
  ASSERT_TRUE(client_
                  ->Call(&Stub::ListRoomPlatforms,
                         v1::ListRoomPlatformsRequest(), &listed)
                  .ok());
  ASSERT_THAT(listed.room_platforms(), SizeIs(1));
  EXPECT_EQ(listed.room_platforms(0).room_id(), "room-a");
}

TEST_F(VideoplatformdTest, MalformedEnvironmentStopsTheServerWithAReason) {
  std::string output;
  auto code = RunServerToExit({.env = {{"DAILY_MIGRATION_ENABLED", "maybe"}}},
                              absl::Seconds(20), &output);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_NE(*code, 0);
  EXPECT_THAT(output, HasSubstr("DAILY_MIGRATION_ENABLED"));

  code = RunServerToExit({.env = {{"DEFAULT_VIDEO_PLATFORM", "zoom"}}},
                         absl::Seconds(20), &output);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_NE(*code, 0);
  EXPECT_THAT(output, HasSubstr("unknown platform \"zoom\""));

  code = RunServerToExit({.env = {{"DAILY_MIGRATION_ROOM_IDS", "room-a"}}},
                         absl::Seconds(20), &output);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_NE(*code, 0);
  EXPECT_THAT(output, HasSubstr("JSON list"));
}

TEST_F(VideoplatformdTest, WithoutATokenOnlyLoopbackIsAllowed) {
  std::string output;
  auto code =
      RunServerToExit({.env = MockDefaults(), .listen_address = "0.0.0.0:0"},
                      absl::Seconds(20), &output);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_NE(*code, 0);
  EXPECT_THAT(output, HasSubstr("without an API token"));
}

TEST_F(VideoplatformdTest, TokenIsRequiredOnEveryRpcButHealth) {
  auto env = MockDefaults();
  env["VIDEOPLATFORM_API_TOKEN"] = "s3cret-token-0123456789";
  StartServer({.env = env});

  v1::GetFlagsResponse flags;
  grpc::Status status =
      client_->Call(&Stub::GetFlags, v1::GetFlagsRequest(), &flags);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  client_->set_token("wrong");
  status = client_->Call(&Stub::GetFlags, v1::GetFlagsRequest(), &flags);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr("wrong")));

  client_->set_token("s3cret-token-0123456789");
  v1::CreateMeetingResponse created;
  EXPECT_TRUE(
      client_->Call(&Stub::CreateMeeting, CreateRequest("room-auth"), &created)
          .ok());
  EXPECT_TRUE(
      client_->Call(&Stub::GetFlags, v1::GetFlagsRequest(), &flags).ok());

  client_->set_token("");
  EXPECT_EQ(client_->HealthStatus(""), "SERVING");
  EXPECT_THAT(server_->Output(),
              ::testing::Not(HasSubstr("s3cret-token-0123456789")));
}

TEST_F(VideoplatformdTest, SigtermStopsGracefullyAndHealthReportsServing) {
  StartServer();
  EXPECT_EQ(client_->HealthStatus(""), "SERVING");
  EXPECT_EQ(client_->HealthStatus("videoplatform.v1.VideoPlatformService"),
            "SERVING");
  auto code = server_->Stop(SIGTERM, absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  EXPECT_THAT(server_->Output(), HasSubstr("shutting down"));
}

}  // namespace
}  // namespace videoplatform::testing
