// End-to-end: the real videoplatformd routing rooms to Whereby and Daily (by
// the flags), with both REST APIs played by strict loopback fakes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "tests/fakes/daily_fake.h"
#include "tests/fakes/whereby_fake.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

class ProvidersEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(whereby_.Start().ok());
    ASSERT_TRUE(daily_.Start().ok());
    auto server = ServerProcess::Start(
        {.env = {{"DAILY_MIGRATION_ENABLED", "true"},
                 {"DEFAULT_VIDEO_PLATFORM", "whereby"},
                 {"DAILY_MIGRATION_ROOM_IDS", R"(["daily-room"])"},
                 {"WHEREBY_API_KEY", "whereby-test-key"},
                 {"WHEREBY_API_URL", whereby_.base_url()},
                 {"DAILY_API_KEY", "daily-test-key"},
                 {"DAILY_API_URL", daily_.base_url()}}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    client_ = std::make_unique<RpcClient>(server_->Channel());
  }

  v1::Meeting Create(
      const std::string& room_id, const std::string& name,
      v1::RecordingType recording_type = v1::RECORDING_TYPE_NONE) {
    v1::CreateMeetingRequest request;
    request.mutable_room()->set_room_id(room_id);
    request.mutable_room()->set_room_name(name);
    request.mutable_room()->set_recording_type(recording_type);
    v1::CreateMeetingResponse response;
    const grpc::Status status =
        client_->Call(&Stub::CreateMeeting, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.meeting();
  }

  fakes::WherebyFake whereby_;
  fakes::DailyFake daily_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RpcClient> client_;
};

TEST_F(ProvidersEndToEndTest, WherebyRoomLifecycle) {
  const v1::Meeting meeting = Create("whereby-room", "Team Sync");
  EXPECT_EQ(meeting.platform(), "whereby");
  EXPECT_THAT(meeting.room_name(), StartsWith("/team-sync-"));
  const auto stored = whereby_.FindMeeting(meeting.provider_meeting_id());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(meeting.room_url(), stored->room_url);
  EXPECT_EQ(meeting.host_room_url(), stored->host_room_url);
  EXPECT_EQ(stored->request["roomNamePrefix"], "team-sync-");
  EXPECT_EQ(stored->request["fields"], nlohmann::json({"hostRoomUrl"}));

  whereby_.AddRoomSession(meeting.room_name(), "session-1",
                          absl::Now() - absl::Minutes(5));
  v1::GetRoomSessionsRequest sessions_request;
  sessions_request.set_meeting_id(meeting.meeting_id());
  v1::GetRoomSessionsResponse sessions;
  ASSERT_TRUE(
      client_->Call(&Stub::GetRoomSessions, sessions_request, &sessions).ok());
  ASSERT_THAT(sessions.sessions(), SizeIs(1));
  EXPECT_EQ(sessions.sessions(0).session_id(), "session-1");
  EXPECT_FALSE(sessions.sessions(0).has_end_time());

  // Whereby cannot start recordings on demand.
  v1::StartRecordingRequest record;
  record.set_meeting_id(meeting.meeting_id());
  v1::StartRecordingResponse recorded;
  EXPECT_EQ(
      client_->Call(&Stub::StartRecording, record, &recorded).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);

  v1::EndMeetingRequest end;
  end.set_meeting_id(meeting.meeting_id());
  v1::EndMeetingResponse ended;
  ASSERT_TRUE(client_->Call(&Stub::EndMeeting, end, &ended).ok());
  EXPECT_TRUE(ended.provider_room_deleted());
  EXPECT_TRUE(whereby_.FindMeeting(meeting.provider_meeting_id())->deleted);
}

TEST_F(ProvidersEndToEndTest, DailyRoomLifecycle) {
  // Cloud recording started by Daily itself: the room URL carries a meeting
  // token that starts it.
  const v1::Meeting meeting =
      Create("daily-room", "Design Review", v1::RECORDING_TYPE_CLOUD);
  EXPECT_THAT(meeting.room_url(), HasSubstr("?t="));
  EXPECT_EQ(meeting.platform(), "daily");
  const auto room = daily_.FindRoom(meeting.room_name());
  ASSERT_TRUE(room.has_value()) << meeting.room_name();
  EXPECT_THAT(meeting.room_name(), StartsWith("Design-Review-"));

  daily_.SetPresence(meeting.room_name(),
                     {{.id = "p1",
                       .user_id = "u1",
                       .user_name = "Zoë",
                       .session_id = "mtg-1",
                       .join_time = absl::Now() - absl::Minutes(1),
                       .duration_seconds = 60}});
  v1::GetRoomSessionsRequest sessions_request;
  sessions_request.set_meeting_id(meeting.meeting_id());
  v1::GetRoomSessionsResponse sessions;
  ASSERT_TRUE(
      client_->Call(&Stub::GetRoomSessions, sessions_request, &sessions).ok());
  ASSERT_THAT(sessions.sessions(), SizeIs(1));
  EXPECT_EQ(sessions.sessions(0).session_id(), "mtg-1");
  ASSERT_THAT(sessions.sessions(0).participants(), SizeIs(1));
  EXPECT_EQ(sessions.sessions(0).participants(0).user_name(), "Zoë");

  v1::StartRecordingRequest record;
  record.set_meeting_id(meeting.meeting_id());
  record.set_kind(v1::RECORDING_KIND_CLOUD);
  v1::StartRecordingResponse recorded;
  const grpc::Status started =
      client_->Call(&Stub::StartRecording, record, &recorded);
  ASSERT_TRUE(started.ok()) << started.error_message();
  ASSERT_THAT(daily_.recordings(), SizeIs(1));
  EXPECT_EQ(daily_.recordings()[0].type, "cloud");
  EXPECT_EQ(daily_.recordings()[0].instance_id, recorded.instance_id());

  v1::EndMeetingRequest end;
  end.set_meeting_id(meeting.meeting_id());
  v1::EndMeetingResponse ended;
  ASSERT_TRUE(client_->Call(&Stub::EndMeeting, end, &ended).ok());
  EXPECT_TRUE(ended.provider_room_deleted());
  EXPECT_TRUE(daily_.FindRoom(meeting.room_name())->deleted);
}

TEST_F(ProvidersEndToEndTest, ProviderOutageIsUnavailableAndStoresNothing) {
  whereby_.AddFault(fakes::Fault::Status(503, 10).For("POST", "/meetings"));
  v1::CreateMeetingRequest request;
  request.mutable_room()->set_room_id("whereby-room");
  request.mutable_room()->set_room_name("Outage");
  v1::CreateMeetingResponse response;
  const grpc::Status status =
      client_->Call(&Stub::CreateMeeting, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("whereby"));
  EXPECT_THAT(status.error_message(),
              ::testing::Not(HasSubstr("whereby-test-key")));
  v1::ListMeetingsResponse listed;
  ASSERT_TRUE(
      client_->Call(&Stub::ListMeetings, v1::ListMeetingsRequest(), &listed)
          .ok());
  EXPECT_THAT(listed.meetings(), SizeIs(0));
}

TEST_F(ProvidersEndToEndTest, RefusedProviderKeyIsNotTheCallersAuthFailure) {
  // Daily expects another key than the one the service was given.
  fakes::DailyFake rotated({.api_key = "daily-rotated-key"});
  ASSERT_TRUE(rotated.Start().ok());
  auto server =
      ServerProcess::Start({.env = {{"DAILY_MIGRATION_ENABLED", "true"},
                                    {"DEFAULT_VIDEO_PLATFORM", "daily"},
                                    {"DAILY_API_KEY", "daily-stale-key"},
                                    {"DAILY_API_URL", rotated.base_url()}}});
  ASSERT_TRUE(server.ok()) << server.status();
  RpcClient client((*server)->Channel());
  v1::CreateMeetingRequest request;
  request.mutable_room()->set_room_id("room-1");
  request.mutable_room()->set_room_name("Standup");
  v1::CreateMeetingResponse response;
  const grpc::Status status =
      client.Call(&Stub::CreateMeeting, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(),
              HasSubstr("daily refused the service's API key (HTTP 401"));
  EXPECT_THAT(status.error_message(), HasSubstr("check DAILY_API_KEY"));
  EXPECT_THAT(status.error_message(),
              ::testing::Not(HasSubstr("daily-stale-key")));
  EXPECT_THAT(status.error_message(),
              ::testing::Not(HasSubstr("daily-rotated-key")));
}

TEST_F(ProvidersEndToEndTest, ConcurrentRetriesWithOneKeyCreateOneRoom) {
  struct Case {
    std::string room_id;
    fakes::FakeHttpServer* fake;
    std::string create_path;
  };
  const Case cases[] = {{"whereby-room", &whereby_, "/meetings"},
                        {"daily-room", &daily_, "/rooms"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.room_id);
    // The provider takes 0.5 s: all six calls are in flight together.
    c.fake->AddFault(fakes::Fault::Slow(absl::Milliseconds(500), 6)
                         .For("POST", c.create_path));
    v1::CreateMeetingRequest request;
    request.mutable_room()->set_room_id(c.room_id);
    request.mutable_room()->set_room_name("Retry Storm");
    request.mutable_room()->set_recording_type(v1::RECORDING_TYPE_NONE);
    request.set_idempotency_key("key-" + c.room_id);
    std::vector<grpc::Status> statuses(6);
    std::vector<v1::CreateMeetingResponse> responses(6);
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i) {
      threads.emplace_back([&, i] {
        RpcClient client(server_->Channel());
        statuses[i] = client.Call(&Stub::CreateMeeting, request, &responses[i]);
      });
    }
    for (auto& t : threads) t.join();
    int posts = 0;
    for (const auto& r : c.fake->requests()) {
      posts += r.method == "POST" && r.path == "/v1" + c.create_path;
    }
    EXPECT_EQ(posts, 1);
    int created = 0;
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
      EXPECT_EQ(responses[i].meeting().SerializeAsString(),
                responses[0].meeting().SerializeAsString());
      created += responses[i].created();
    }
    EXPECT_EQ(created, 1);
    c.fake->ClearFaults();
  }
}

TEST_F(ProvidersEndToEndTest, KeyHeldByAnotherProcessIsAbortedThenReplayed) {
  // A second server on the same database file.
  auto other =
      ServerProcess::Start({.env = {{"WHEREBY_API_KEY", "whereby-test-key"},
                                    {"WHEREBY_API_URL", whereby_.base_url()}},
                            .db_path = server_->db_path()});
  ASSERT_TRUE(other.ok()) << other.status();
  RpcClient other_client((*other)->Channel());

  whereby_.AddFault(
      fakes::Fault::Slow(absl::Milliseconds(1500)).For("POST", "/meetings"));
  v1::CreateMeetingRequest request;
  request.mutable_room()->set_room_id("whereby-room");
  request.mutable_room()->set_room_name("Two Servers");
  request.set_idempotency_key("shared-key");
  v1::CreateMeetingResponse first;
  grpc::Status first_status;
  std::thread caller([&] {
    first_status = client_->Call(&Stub::CreateMeeting, request, &first);
  });
  ASSERT_TRUE(whereby_.WaitForRequests(1, absl::Seconds(10)));

  v1::CreateMeetingResponse second;
  const grpc::Status held =
      other_client.Call(&Stub::CreateMeeting, request, &second);
  EXPECT_EQ(held.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(held.error_message(), HasSubstr("in progress"));
  caller.join();
  ASSERT_TRUE(first_status.ok()) << first_status.error_message();
  EXPECT_TRUE(first.created());

  const grpc::Status replayed =
      other_client.Call(&Stub::CreateMeeting, request, &second);
  ASSERT_TRUE(replayed.ok()) << replayed.error_message();
  EXPECT_FALSE(second.created());
  EXPECT_EQ(second.meeting().meeting_id(), first.meeting().meeting_id());
  EXPECT_THAT(whereby_.meetings(), SizeIs(1));
}

TEST_F(ProvidersEndToEndTest, WaiterPastItsDeadlineIsAbortedInProgress) {
  whereby_.AddFault(
      fakes::Fault::Slow(absl::Milliseconds(2500)).For("POST", "/meetings"));
  v1::CreateMeetingRequest request;
  request.mutable_room()->set_room_id("whereby-room");
  request.mutable_room()->set_room_name("Impatient");
  request.set_idempotency_key("slow-key");
  v1::CreateMeetingResponse first;
  grpc::Status first_status;
  std::thread caller([&] {
    first_status = client_->Call(&Stub::CreateMeeting, request, &first);
  });
  ASSERT_TRUE(whereby_.WaitForRequests(1, absl::Seconds(10)));

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  auto stub = v1::VideoPlatformService::NewStub(server_->Channel());
  v1::CreateMeetingResponse second;
  const grpc::Status waited = stub->CreateMeeting(&context, request, &second);
  EXPECT_EQ(waited.error_code(), grpc::StatusCode::ABORTED)
      << waited.error_message();
  EXPECT_THAT(waited.error_message(), HasSubstr("in progress"));
  caller.join();
  ASSERT_TRUE(first_status.ok()) << first_status.error_message();
  EXPECT_THAT(whereby_.meetings(), SizeIs(1));
}

TEST_F(ProvidersEndToEndTest, DifferentKeysDoNotWaitForEachOther) {
  whereby_.AddFault(
      fakes::Fault::Slow(absl::Milliseconds(800), 4).For("POST", "/meetings"));
  std::vector<grpc::Status> statuses(4);
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      v1::CreateMeetingRequest request;
      request.mutable_room()->set_room_id("whereby-room");
      request.mutable_room()->set_room_name("Parallel");
      request.set_idempotency_key("parallel-" + std::to_string(i));
      v1::CreateMeetingResponse response;
      RpcClient client(server_->Channel());
      statuses[i] = client.Call(&Stub::CreateMeeting, request, &response);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& status : statuses) {
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  // Serialised, four calls would take 3.2 s.
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(2400));
  EXPECT_THAT(whereby_.meetings(), SizeIs(4));
}

TEST_F(ProvidersEndToEndTest, SlowProviderEndsAtTheCallersDeadline) {
  daily_.AddFault(fakes::Fault::Slow(absl::Seconds(10)).For("POST", "/rooms"));
  v1::CreateMeetingRequest request;
  request.mutable_room()->set_room_id("daily-room");
  request.mutable_room()->set_room_name("Slow");
  v1::CreateMeetingResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  auto stub = v1::VideoPlatformService::NewStub(server_->Channel());
  const absl::Time start = absl::Now();
  const grpc::Status status = stub->CreateMeeting(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

}  // namespace
}  // namespace videoplatform::testing
