// Crash test of the webhook path: while several providers post signed Daily
// joins and leaves through the real webhook_shim, the real videoplatformd is
// killed with SIGKILL at random moments and restarted on the same SQLite
// file and address. Afterwards every event id that was answered 200 is in
// the event log exactly once, no event id is there twice, and each
// meeting's participant count equals its logged joins minus leaves.
//
// CRASH_SERVICE_KILLS (default 3) and CRASH_SHIM_KILLS (default 0; the shim
// is restarted on the same port) set the number of kills, in random order;
// tools/bench/crash_soak.sh runs the long version (20 and 5).
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "tests/e2e/signed_webhooks.h"
#include "tests/fakes/daily_fake.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::testing {
namespace {

constexpr char kToken[] = "crash-test-token-0123456789";
constexpr char kDailySecret[] = "Y3Jhc2gtdGVzdC1kYWlseS13ZWJob29rLXNlY3JldA==";
constexpr absl::Duration kPatience = absl::Seconds(20);
constexpr int kPosters = 4;
constexpr int kMeetings = 3;

// A Daily participant event; `event_time` orders a session's join before
// its leave (the service keeps the later one per session).
std::string DailyParticipant(const std::string& type, const std::string& id,
                             const std::string& room,
                             const std::string& session,
                             absl::Time event_time) {
  return absl::StrCat(
      R"({"version":"1.0.0","type":")", type, R"(","id":")", id,
      R"(","payload":{"room":")", room, R"(","session_id":")", session,
      R"(","user_id":"u-)", session,
      R"(","user_name":"Crash Test","joined_at":1737201600,"owner":false)",
      type == "participant.left" ? R"(,"duration":1)" : "", R"(},"event_ts":)",
      absl::StrFormat("%.3f",
                      absl::ToDoubleSeconds(event_time - absl::UnixEpoch())),
      "}");
}

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value == nullptr || *value == '\0' ? fallback : std::atoi(value);
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

// What the posters saw. Thread-safe.
class Deliveries {
 public:
  void Acknowledged(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    acknowledged_.insert(id);
  }
  void Answered(int status) {
    std::lock_guard<std::mutex> lock(mu_);
    ++statuses_[status];
  }
  size_t acknowledged_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return acknowledged_.size();
  }
  std::set<std::string> acknowledged() const {
    std::lock_guard<std::mutex> lock(mu_);
    return acknowledged_;
  }
  std::string Summary() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    for (const auto& [status, count] : statuses_) {
      absl::StrAppend(&out, status == 0 ? "no answer" : absl::StrCat(status),
                      ": ", count, "; ");
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string> acknowledged_;
  std::map<int, int> statuses_;
};

class WebhookCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daily_.Start().ok());
    db_path_ = ServerProcess::TempPath("crash.db");
    StartService("127.0.0.1:0");
    ASSERT_NE(service_, nullptr);
    listen_ = service_->address();
    StartShim("127.0.0.1:0");
  }

  void StartShim(const std::string& listen) {
    auto shim = ServerProcess::Start(
        {.env = {{"VIDEOPLATFORM_API_TOKEN", kToken}},
         .args = {"--service=" + listen_, "--rpc_timeout=2s"},
         .listen_address = listen,
         .binary = "server/shim/webhook_shim"});
    ASSERT_TRUE(shim.ok()) << shim.status();
    shim_ = *std::move(shim);
  }

  void StartService(const std::string& listen) {
    auto service =
        ServerProcess::Start({.env = {{"VIDEOPLATFORM_API_TOKEN", kToken},
                                      {"DAILY_MIGRATION_ENABLED", "true"},
                                      {"DEFAULT_VIDEO_PLATFORM", "daily"},
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
    request.mutable_room()->set_room_name("Crash " + room_id);
    request.mutable_room()->set_recording_type(v1::RECORDING_TYPE_NONE);
    v1::CreateMeetingResponse response;
    const grpc::Status status =
        client_->Call(&Stub::CreateMeeting, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.meeting();
  }

  // Posts until answered 200 (as a provider retries) or `give_up`; whether
  // it was acknowledged.
  static bool Deliver(httplib::Client& http,
                      const v1::HandleWebhookRequest& request,
                      absl::Time give_up, Deliveries& deliveries) {
    while (true) {
      const auto result = http.Post("/v1/daily/webhook", ToHttp(request),
                                    request.body(), "application/json");
      const int status = result ? result->status : 0;
      deliveries.Answered(status);
      if (status == 200) return true;
      if (absl::Now() >= give_up) return false;
      absl::SleepFor(absl::Milliseconds(20));  // A provider's backoff.
    }
  }

  // Every event in the log up to and including the one with
  // `last_event_id`, read through WatchEvents from the start.
  std::vector<v1::Event> ReadLogUntil(const std::string& last_event_id) {
    auto stub = v1::VideoPlatformService::NewStub(service_->Channel());
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    context.set_deadline(absl::ToChronoTime(absl::Now() + kPatience));
    auto reader = stub->WatchEvents(&context, v1::WatchEventsRequest());
    std::vector<v1::Event> events;
    v1::WatchEventsResponse response;
    while (reader->Read(&response)) {
      events.push_back(response.event());
      if (response.event().provider_event_id() == last_event_id) break;
    }
    context.TryCancel();
    reader->Finish();
    return events;
  }

  fakes::DailyFake daily_;
  std::string db_path_;
  std::string listen_;
  std::unique_ptr<ServerProcess> service_;
  std::unique_ptr<ServerProcess> shim_;
  std::unique_ptr<RpcClient> client_;
};

TEST_F(WebhookCrashTest, KilledServiceLosesAndDuplicatesNoAcknowledgedEvent) {
  std::vector<v1::Meeting> meetings;
  for (int i = 0; i < kMeetings; ++i) {
    meetings.push_back(Create(absl::StrCat("crash-room-", i)));
    ASSERT_FALSE(meetings.back().room_name().empty());
  }

  const int service_kills = EnvInt("CRASH_SERVICE_KILLS", 3);
  const int shim_kills = EnvInt("CRASH_SHIM_KILLS", 0);
  const int shim_port = shim_->port();
  const absl::Time started = absl::Now();
  std::random_device device;
  const unsigned seed = device();
  std::mt19937 random(seed);
  SCOPED_TRACE(absl::StrCat("random seed ", seed));

  // Each poster joins sessions and has every other one leave again, one
  // webhook at a time, each with a distinct event id; a leave is sent only
  // after its join was acknowledged.
  Deliveries deliveries;
  std::atomic<bool> stop{false};
  const absl::Time base_time = absl::Now();
  std::vector<std::thread> posters;
  auto join_posters = absl::MakeCleanup([&] {
    stop.store(true);
    for (std::thread& poster : posters) poster.join();
  });
  for (int p = 0; p < kPosters; ++p) {
    posters.emplace_back([&, p] {
      httplib::Client http("127.0.0.1", shim_port);
      http.set_connection_timeout(2, 0);
      http.set_read_timeout(5, 0);
      for (int i = 0; !stop.load(); ++i) {
        const std::string session = absl::StrCat("p", p, "-s", i);
        const std::string room = meetings[(p + i) % kMeetings].room_name();
        const absl::Time joined_at = base_time + absl::Milliseconds(2 * i);
        const std::string join_id = absl::StrCat("join-", session);
        const bool joined =
            Deliver(http,
                    SignedDaily(DailyParticipant("participant.joined", join_id,
                                                 room, session, joined_at),
                                kDailySecret),
                    absl::Now() + kPatience, deliveries);
        if (!joined) continue;
        deliveries.Acknowledged(join_id);
        if (i % 2 == 1 || stop.load()) continue;
        const std::string leave_id = absl::StrCat("leave-", session);
        if (Deliver(http,
                    SignedDaily(DailyParticipant(
                                    "participant.left", leave_id, room, session,
                                    joined_at + absl::Milliseconds(1)),
                                kDailySecret),
                    absl::Now() + kPatience, deliveries)) {
          deliveries.Acknowledged(leave_id);
        }
      }
    });
  }

  // SIGKILL the service (or the shim) at random moments under load, restart
  // it on the same database and address.
  std::vector<bool> kill_shim(service_kills, false);
  kill_shim.insert(kill_shim.end(), shim_kills, true);
  std::shuffle(kill_shim.begin(), kill_shim.end(), random);
  std::uniform_int_distribution<int> pause_ms(0, 1000);
  // Before each kill, a few more deliveries are acknowledged: the service
  // is killed while it is under load, never while it is still starting.
  constexpr size_t kBetweenKills = 5;
  auto some_more_acknowledged = [&deliveries](size_t after) {
    const absl::Time give_up = absl::Now() + kPatience;
    while (deliveries.acknowledged_count() < after + kBetweenKills &&
           absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    return deliveries.acknowledged_count() >= after + kBetweenKills;
  };
  for (size_t kill = 0; kill < kill_shim.size(); ++kill) {
    ASSERT_TRUE(some_more_acknowledged(deliveries.acknowledged_count()))
        << "no deliveries acknowledged before kill " << kill + 1;
    absl::SleepFor(absl::Milliseconds(pause_ms(random)));
    if (kill_shim[kill]) {
      auto killed = shim_->Stop(SIGKILL, kPatience);
      ASSERT_TRUE(killed.ok()) << killed.status();
      EXPECT_EQ(*killed, 128 + SIGKILL);
      shim_.reset();
      StartShim(absl::StrCat("127.0.0.1:", shim_port));
      ASSERT_NE(shim_, nullptr);
      continue;
    }
    client_.reset();
    auto killed = service_->Stop(SIGKILL, kPatience);
    ASSERT_TRUE(killed.ok()) << killed.status();
    EXPECT_EQ(*killed, 128 + SIGKILL);
    service_.reset();
    StartService(listen_);
    ASSERT_NE(service_, nullptr);
  }
  ASSERT_TRUE(some_more_acknowledged(deliveries.acknowledged_count()))
      << "no deliveries acknowledged after the last restart";
  std::move(join_posters).Invoke();

  // A last event, acknowledged after everything else, marks the log's end.
  httplib::Client http("127.0.0.1", shim_port);
  http.set_read_timeout(5, 0);
  const std::string sentinel = "sentinel";
  ASSERT_TRUE(
      Deliver(http,
              SignedDaily(DailyParticipant("participant.joined", sentinel,
                                           meetings[0].room_name(),
                                           "sentinel-session", base_time),
                          kDailySecret),
              absl::Now() + kPatience, deliveries));
  const std::set<std::string> acknowledged = deliveries.acknowledged();
  SCOPED_TRACE(absl::StrCat(acknowledged.size(), " acknowledged; answers ",
                            deliveries.Summary()));
  std::cout << "RESULT service_kills=" << service_kills
            << " shim_kills=" << shim_kills
            << " acknowledged=" << acknowledged.size()
            << " seconds=" << absl::ToDoubleSeconds(absl::Now() - started)
            << " answers: " << deliveries.Summary() << "\n";
  EXPECT_GE(acknowledged.size(), kBetweenKills * (kill_shim.size() + 1));

  const std::vector<v1::Event> events = ReadLogUntil(sentinel);
  ASSERT_FALSE(events.empty());
  ASSERT_EQ(events.back().provider_event_id(), sentinel)
      << "the log ended before the sentinel event";

  std::cout << "RESULT log_events=" << events.size() << "\n";
  std::map<std::string, int> times_logged;
  std::map<std::string, int> expected_clients;  // meeting id -> joins - leaves
  for (const v1::Event& event : events) {
    ++times_logged[event.provider_event_id()];
    if (event.type() == v1::EVENT_TYPE_PARTICIPANT_JOINED) {
      ++expected_clients[event.meeting_id()];
    } else if (event.type() == v1::EVENT_TYPE_PARTICIPANT_LEFT) {
      --expected_clients[event.meeting_id()];
    }
  }
  for (const auto& [id, count] : times_logged) {
    EXPECT_EQ(count, 1) << "event " << id << " logged " << count << " times";
  }
  int missing = 0;
  for (const std::string& id : acknowledged) {
    if (times_logged.count(id) == 0) {
      ++missing;
      ADD_FAILURE() << "acknowledged event " << id << " is not in the log";
    }
  }
  EXPECT_EQ(missing, 0);

  for (const v1::Meeting& meeting : meetings) {
    v1::GetMeetingRequest request;
    request.set_meeting_id(meeting.meeting_id());
    v1::GetMeetingResponse response;
    ASSERT_TRUE(client_->Call(&Stub::GetMeeting, request, &response).ok());
    EXPECT_EQ(response.meeting().num_clients(),
              expected_clients[meeting.meeting_id()])
        << "meeting " << meeting.meeting_id();
  }
}

}  // namespace
}  // namespace videoplatform::testing
