// End-to-end: providers post signed webhooks over HTTP to the real
// webhook_shim, which hands them to the real videoplatformd (SQLite, Whereby
// and Daily played by loopback fakes). Asserts the HTTP answers, the stored
// state, de-duplication, the event stream, and that a service restart in the
// middle of deliveries loses no acknowledged event.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <memory>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "tests/e2e/signed_webhooks.h"
#include "tests/fakes/daily_fake.h"
#include "tests/fakes/whereby_fake.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::testing {
namespace {

using ::testing::SizeIs;

constexpr char kToken[] = "shim-e2e-token-0123456789";
constexpr char kWherebySecret[] = "whsec_shim_e2e";
constexpr char kDailySecret[] = "c2VjcmV0LWZvci1zaGltLWUyZS1kYWlseS13ZWJob29r";
constexpr absl::Duration kPatience = absl::Seconds(20);

std::string WherebyJoined(const std::string& id, const std::string& meeting_id,
                          const std::string& room_name, int num_clients) {
  return absl::StrCat(
      R"({"id":")", id, R"(","apiVersion":"1.0","createdAt":")",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                       absl::UTCTimeZone()),
      R"(","type":"room.client.joined","data":{"meetingId":")", meeting_id,
      R"(","roomName":")", room_name,
      R"(","subdomain":"reflector","numClients":)", num_clients,
      R"(,"roleName":"visitor","displayName":"Zo\u00eb","participantId":"p-)",
      id, R"("}})");
}

std::string DailyJoined(const std::string& id, const std::string& room,
                        const std::string& session) {
  return absl::StrCat(
      R"({"version":"1.0.0","type":"participant.joined","id":")", id,
      R"(","payload":{"room":")", room, R"(","session_id":")", session,
      R"(","user_id":null,"user_name":"Zoë","joined_at":1737201600,)"
      R"("owner":false},"event_ts":)",
      absl::StrFormat("%.3f",
                      absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch())),
      "}");
}

httplib::Headers ToHttp(const v1::HandleWebhookRequest& request) {
  httplib::Headers headers;
  for (const v1::WebhookHeader& header : request.headers()) {
    if (header.name() != "Content-Type") {
      headers.emplace(header.name(), header.value());
    }
  }
  return headers;
}

class ShimEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(whereby_.Start().ok());
    ASSERT_TRUE(daily_.Start().ok());
    db_path_ = ServerProcess::TempPath("shim.db");
    StartService("127.0.0.1:0");
    auto shim = ServerProcess::Start(
        {.env = {{"VIDEOPLATFORM_API_TOKEN", kToken}},
         .args = {"--service=" + service_->address(), "--rpc_timeout=2s"},
         .binary = "server/shim/webhook_shim"});
    ASSERT_TRUE(shim.ok()) << shim.status();
    shim_ = *std::move(shim);
    http_ = std::make_unique<httplib::Client>("127.0.0.1", shim_->port());
    http_->set_read_timeout(10, 0);
  }

  void StartService(const std::string& listen) {
    auto service = ServerProcess::Start(
        {.env = {{"VIDEOPLATFORM_API_TOKEN", kToken},
                 {"DAILY_MIGRATION_ENABLED", "true"},
                 {"DEFAULT_VIDEO_PLATFORM", "whereby"},
                 {"DAILY_MIGRATION_ROOM_IDS", R"(["daily-room"])"},
                 {"WHEREBY_API_KEY", "whereby-test-key"},
                 {"WHEREBY_API_URL", whereby_.base_url()},
                 {"WHEREBY_WEBHOOK_SECRET", kWherebySecret},
                 {"DAILY_API_KEY", "daily-test-key"},
                 {"DAILY_API_URL", daily_.base_url()},
                 {"DAILY_WEBHOOK_SECRET", kDailySecret}},
         .db_path = db_path_,
         .listen_address = listen});
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = *std::move(service);
    client_ = std::make_unique<RpcClient>(service_->Channel());
    client_->set_token(kToken);
  }

  v1::Meeting Create(const std::string& room_id) {
    v1::CreateMeetingRequest request;
    request.mutable_room()->set_room_id(room_id);
    request.mutable_room()->set_room_name("Shim Room");
    request.mutable_room()->set_recording_type(v1::RECORDING_TYPE_NONE);
    v1::CreateMeetingResponse response;
    const grpc::Status status =
        client_->Call(&Stub::CreateMeeting, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.meeting();
  }

  v1::Meeting Get(const std::string& meeting_id) {
    v1::GetMeetingRequest request;
    request.set_meeting_id(meeting_id);
    v1::GetMeetingResponse response;
    EXPECT_TRUE(client_->Call(&Stub::GetMeeting, request, &response).ok());
    return response.meeting();
  }

  // POSTs a signed webhook to the shim; the HTTP status (0: no answer).
  int Post(const std::string& path, const v1::HandleWebhookRequest& request) {
    const auto result = http_->Post(path.c_str(), ToHttp(request),
                                    request.body(), "application/json");
    return result ? result->status : 0;
  }

  // Every event in the log, read through WatchEvents until `count` arrived.
  std::vector<v1::Event> ReadEvents(size_t count) {
    auto stub = v1::VideoPlatformService::NewStub(service_->Channel());
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    context.set_deadline(absl::ToChronoTime(absl::Now() + kPatience));
    auto reader = stub->WatchEvents(&context, v1::WatchEventsRequest());
    std::vector<v1::Event> events;
    v1::WatchEventsResponse response;
    while (events.size() < count && reader->Read(&response)) {
      events.push_back(response.event());
    }
    context.TryCancel();
    reader->Finish();
    return events;
  }

  fakes::WherebyFake whereby_;
  fakes::DailyFake daily_;
  std::string db_path_;
  std::unique_ptr<ServerProcess> service_;
  std::unique_ptr<ServerProcess> shim_;
  std::unique_ptr<RpcClient> client_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(ShimEndToEndTest, WherebyWebhooksAreAppliedOnceAndStreamed) {
  const v1::Meeting meeting = Create("whereby-room");
  const auto joined =
      SignedWhereby(WherebyJoined("evt-1", meeting.provider_meeting_id(),
                                  meeting.room_name(), 2),
                    kWherebySecret);
  EXPECT_EQ(Post("/v1/whereby", joined), 200);
  EXPECT_EQ(Get(meeting.meeting_id()).num_clients(), 2);
  // Whereby may deliver twice: acknowledged, not applied again.
  EXPECT_EQ(Post("/v1/whereby", joined), 200);

  const std::vector<v1::Event> events = ReadEvents(1);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].type(), v1::EVENT_TYPE_PARTICIPANT_JOINED);
  EXPECT_EQ(events[0].meeting_id(), meeting.meeting_id());
  EXPECT_EQ(events[0].participant().user_name(), "Zoë");

  // An event for a room this service never created is acknowledged.
  EXPECT_EQ(Post("/v1/whereby",
                 SignedWhereby(WherebyJoined("evt-2", "999", "/other-room", 1),
                               kWherebySecret)),
            200);
}

TEST_F(ShimEndToEndTest, BadDeliveriesGetTheRightStatus) {
  const v1::Meeting meeting = Create("whereby-room");
  const std::string body = WherebyJoined("evt-9", meeting.provider_meeting_id(),
                                         meeting.room_name(), 1);
  EXPECT_EQ(Post("/v1/whereby", SignedWhereby(body, "not-the-secret")), 401);
  EXPECT_EQ(Post("/v1/whereby", SignedWhereby(body, kWherebySecret,
                                              absl::Now() - absl::Minutes(10))),
            401);
  // Genuine (signed) but unreadable: stored and ignored, never an error.
  EXPECT_EQ(Post("/v1/whereby", SignedWhereby("not json", kWherebySecret)),
            200);
  EXPECT_EQ(
      Post("/v1/whereby",
           SignedWhereby(std::string((1 << 20) + 1024, 'x'), kWherebySecret)),
      413);
  EXPECT_EQ(Post("/v1/nowhere", SignedWhereby(body, kWherebySecret)), 404);
  EXPECT_EQ(Get(meeting.meeting_id()).num_clients(), 0);  // Nothing applied.
}

TEST_F(ShimEndToEndTest, DailyTestPingAndJoins) {
  const v1::Meeting meeting = Create("daily-room");
  EXPECT_EQ(Post("/v1/daily/webhook",
                 SignedDaily(R"({"test":"test"})", kDailySecret)),
            200);
  EXPECT_EQ(Post("/v1/daily/webhook",
                 SignedDaily(DailyJoined("d-1", meeting.room_name(), "s-1"),
                             kDailySecret)),
            200);
  EXPECT_EQ(Get(meeting.meeting_id()).num_clients(), 1);
}

TEST_F(ShimEndToEndTest, OddHeaderBytesDoNotStopAGenuineWebhook) {
  const v1::Meeting meeting = Create("daily-room");
  v1::HandleWebhookRequest request = SignedDaily(
      DailyJoined("d-odd", meeting.room_name(), "s-odd"), kDailySecret);
  // A TAB and obs-text (not UTF-8) in headers the signature does not cover.
  httplib::Headers headers = ToHttp(request);
  headers.emplace("X-Proxy-Note", "a\tb");
  headers.emplace("X-Legacy", "caf\xE9");
  const auto result = http_->Post("/v1/daily/webhook", headers, request.body(),
                                  "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(Get(meeting.meeting_id()).num_clients(), 1);
}

TEST_F(ShimEndToEndTest, AShimWithAWrongTokenAnswers503Not401) {
  auto shim = ServerProcess::Start(
      {.env = {{"VIDEOPLATFORM_API_TOKEN", "not-the-token-0123456789"}},
       .args = {"--service=" + service_->address()},
       .binary = "server/shim/webhook_shim"});
  ASSERT_TRUE(shim.ok()) << shim.status();
  httplib::Client http("127.0.0.1", (*shim)->port());
  const auto request = SignedDaily(R"({"test":"test"})", kDailySecret);
  const auto result = http.Post("/v1/daily/webhook", ToHttp(request),
                                request.body(), "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503);
}

TEST_F(ShimEndToEndTest, AnUnreachableServiceIsA503SoProvidersRetry) {
  ASSERT_TRUE(service_->Stop(SIGTERM, kPatience).ok());
  EXPECT_EQ(Post("/v1/daily/webhook",
                 SignedDaily(R"({"test":"test"})", kDailySecret)),
            503);
}

TEST_F(ShimEndToEndTest, ServiceRestartLosesNoAcknowledgedEvent) {
  const v1::Meeting meeting = Create("daily-room");
  const std::string listen = service_->address();
  constexpr int kEvents = 30;
  std::thread poster([&] {
    for (int i = 0; i < kEvents; ++i) {
      // A provider re-delivers until it gets a 200 (Whereby retries 5xx).
      const auto request = SignedDaily(
          DailyJoined(absl::StrCat("restart-", i), meeting.room_name(),
                      absl::StrCat("session-", i)),
          kDailySecret);
      const absl::Time give_up = absl::Now() + kPatience;
      while (Post("/v1/daily/webhook", request) != 200 &&
             absl::Now() < give_up) {
        absl::SleepFor(absl::Milliseconds(20));  // A provider's backoff.
      }
    }
  });
  // Restart the service on the same address while deliveries go on.
  absl::SleepFor(absl::Milliseconds(100));
  client_.reset();
  ASSERT_TRUE(service_->Stop(SIGTERM, kPatience).ok());
  service_.reset();
  StartService(listen);
  poster.join();

  // Every event counted exactly once.
  EXPECT_EQ(Get(meeting.meeting_id()).num_clients(), kEvents);
  const std::vector<v1::Event> events = ReadEvents(kEvents);
  std::set<std::string> ids;
  for (const v1::Event& event : events) ids.insert(event.provider_event_id());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kEvents));
}

}  // namespace
}  // namespace videoplatform::testing
