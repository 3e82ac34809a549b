// End-to-end webhook tests: the real videoplatformd binary with Whereby and
// Daily configured (not reachable: webhooks need only their secrets), a
// real SQLite file, and real-format bodies signed by the openssl CLI
// (independently of the code under test). State is checked through
// GetMeeting and WatchEvents.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/store.h"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "tests/e2e/signed_webhooks.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kToken[] = "e2e-token-0123456789";
constexpr char kWherebySecret[] = "whsec_e2e_wb";
constexpr char kWherebyOldSecret[] = "whsec_e2e_old";
// 32 bytes, base64, as Daily's POST /webhooks takes it.
constexpr char kDailySecret[] = "c2VjcmV0LWZvci1lMmUtZGFpbHktd2ViaG9va3MhIQ==";
constexpr char kWherebyMeetingId[] = "91234567";
constexpr char kWherebyRoom[] = "/standup-3f2a7d10";
constexpr char kDailyRoom[] = "standup-20250118120000";
// "Zoë Ångström 李雷" in UTF-8.
constexpr char kName[] =
    "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m \xe6\x9d\x8e\xe9\x9b\xb7";
constexpr absl::Duration kPatience = absl::Seconds(20);

std::map<std::string, std::string> Environment() {
  return {{"VIDEOPLATFORM_API_TOKEN", kToken},
          {"WHEREBY_API_KEY", "wb-key"},
          {"WHEREBY_API_URL", "http://127.0.0.1:9/v1"},
          {"WHEREBY_WEBHOOK_SECRET",
           absl::StrCat(kWherebySecret, ",", kWherebyOldSecret)},
          {"DAILY_API_KEY", "daily-key"},
          {"DAILY_API_URL", "http://127.0.0.1:9/v1"},
          {"DAILY_WEBHOOK_SECRET", kDailySecret}};
}

// A Whereby body (provider-apis.md 1.2).
std::string WherebyBody(const std::string& id, const std::string& type,
                        const std::string& created_at,
                        const std::string& extra_data = "") {
  return absl::StrCat(R"({"id":")", id, R"(","apiVersion":"1.0","createdAt":")",
                      created_at, R"(","type":")", type,
                      R"(","data":{"meetingId":")", kWherebyMeetingId,
                      R"(","roomName":")", kWherebyRoom,
                      R"(","subdomain":"reflector")", extra_data, "}}");
}

std::string WherebyClient(const std::string& id, const std::string& type,
                          const std::string& created_at, int num_clients) {
  return WherebyBody(
      id, type, created_at,
      absl::StrCat(R"(,"numClients":)", num_clients,
                   R"(,"numClientsByRoleName":{"visitor":)", num_clients,
                   R"(},"roleName":"visitor","displayName":")", kName,
                   R"(","participantId":"p-)", id,
                   R"(","roomSessionId":"rs-1","metadata":null,)"
                   R"("externalId":null,"isDialIn":false)"));
}

// A Daily body (provider-apis.md 2.3).
std::string DailyParticipant(const std::string& id, bool joined,
                             const std::string& session, double event_ts) {
  return absl::StrCat(R"({"version":"1.0.0","type":")",
                      joined ? "participant.joined" : "participant.left",
                      R"(","id":")", id, R"(","payload":{"room":")", kDailyRoom,
                      R"(","session_id":")", session,
                      R"(","user_id":null,"user_name":")", kName,
                      R"(","joined_at":1737201600,"owner":false},"event_ts":)",
                      absl::StrFormat("%.3f", event_ts), "}");
}

std::string DailyMeeting(const std::string& id, bool started, double event_ts) {
  return absl::StrCat(R"({"version":"1.0.0","type":")",
                      started ? "meeting.started" : "meeting.ended",
                      R"(","id":")", id,
                      R"(","payload":{"meeting_id":"m-uuid","room":")",
                      kDailyRoom, R"(","start_ts":1737201600},"event_ts":)",
                      absl::StrFormat("%.3f", event_ts), "}");
}

v1::HandleWebhookRequest SignedWhereby(
    const std::string& body, absl::Time when = absl::Now(),
    const std::string& secret = kWherebySecret) {
  return testing::SignedWhereby(body, secret, when);
}

v1::HandleWebhookRequest SignedDaily(const std::string& body,
                                     absl::Time when = absl::Now()) {
  return testing::SignedDaily(body, kDailySecret, when);
}

v1::VerifyWebhookRequest AsVerify(const v1::HandleWebhookRequest& request) {
  v1::VerifyWebhookRequest verify;
  verify.set_platform(request.platform());
  *verify.mutable_headers() = request.headers();
  verify.set_body(request.body());
  return verify;
}

// Reads a WatchEvents stream on its own thread.
class StreamWatcher {
 public:
  StreamWatcher(std::shared_ptr<grpc::Channel> channel, int64_t after)
      : stub_(v1::VideoPlatformService::NewStub(channel)) {
    context_.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    context_.set_deadline(absl::ToChronoTime(absl::Now() + absl::Minutes(2)));
    v1::WatchEventsRequest request;
    request.set_after_sequence(after);
    reader_ = stub_->WatchEvents(&context_, request);
    thread_ = std::thread([this] {
      v1::WatchEventsResponse response;
      while (reader_->Read(&response)) {
        absl::MutexLock lock(&mu_);
        events_.push_back(response.event());
      }
      const grpc::Status status = reader_->Finish();
      absl::MutexLock lock(&mu_);
      status_ = status;
      done_ = true;
    });
  }
  ~StreamWatcher() {
    context_.TryCancel();
    thread_.join();
  }

  // The events received once there are at least `n` (or after kPatience).
  std::vector<v1::Event> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return events_.size() >= n || done_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&enough), kPatience);
    return events_;
  }
  // The stream's final status once it ended (or after `timeout`).
  std::optional<grpc::Status> WaitDone(absl::Duration timeout = kPatience) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
    if (!done_) return std::nullopt;
    return status_;
  }
  void Cancel() { context_.TryCancel(); }

 private:
  std::unique_ptr<Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::WatchEventsResponse>> reader_;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<v1::Event> events_ ABSL_GUARDED_BY(mu_);
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

std::vector<int64_t> Sequences(const std::vector<v1::Event>& events) {
  std::vector<int64_t> out;
  for (const v1::Event& event : events) out.push_back(event.sequence());
  return out;
}

std::vector<int64_t> Range(int64_t first, int64_t last) {
  std::vector<int64_t> out;
  for (int64_t i = first; i <= last; ++i) out.push_back(i);
  return out;
}

class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = ServerProcess::TempPath("webhooks.db");
    SeedMeetings();
    StartServer();
  }

  // Meetings as CreateMeeting would have stored them (the providers are
  // not reachable here).
  void SeedMeetings() {
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::Store::Open(db_path_);
    ASSERT_TRUE(store.ok()) << store.status();
    const absl::Time now = absl::Now();
    storage::MeetingRecord whereby;
    whereby.meeting_id = "meeting-whereby";
    whereby.platform = "whereby";
    whereby.provider_meeting_id = kWherebyMeetingId;
    whereby.room_id = "room-w";
    whereby.room_name = kWherebyRoom;
    whereby.room_url =
        absl::StrCat("https://reflector.whereby.com", kWherebyRoom);
    whereby.host_room_url = whereby.room_url + "?roomKey=k";
    whereby.start_time = now;
    whereby.end_time = now + absl::Hours(8);
    ASSERT_TRUE((*store)->InsertMeeting(whereby).ok());
    storage::MeetingRecord daily = whereby;
    daily.meeting_id = "meeting-daily";
    daily.platform = "daily";
    daily.provider_meeting_id = "daily-room-id";
    daily.room_id = "room-d";
    daily.room_name = kDailyRoom;
    daily.room_url = absl::StrCat("https://reflector.daily.co/", kDailyRoom);
    daily.host_room_url = daily.room_url;
    ASSERT_TRUE((*store)->InsertMeeting(daily).ok());
  }

  void StartServer() {
    ServerProcessOptions options;
    options.env = Environment();
    options.env.insert(extra_env_.begin(), extra_env_.end());
    options.db_path = db_path_;
    auto server = ServerProcess::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    client_ = std::make_unique<RpcClient>(server_->Channel());
    client_->set_token(kToken);
  }

  void RestartServer() {
    client_.reset();
    ASSERT_TRUE(server_->Stop(SIGTERM, kPatience).ok());
    server_.reset();
    StartServer();
  }

  v1::HandleWebhookResponse Handle(const v1::HandleWebhookRequest& request) {
    v1::HandleWebhookResponse response;
    const grpc::Status status =
        client_->Call(&Stub::HandleWebhook, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message() << "\n"
                             << request.body();
    return response;
  }

  grpc::Status HandleStatus(const v1::HandleWebhookRequest& request) {
    v1::HandleWebhookResponse response;
    return client_->Call(&Stub::HandleWebhook, request, &response);
  }

  v1::Meeting Meeting(const std::string& id) {
    v1::GetMeetingRequest request;
    request.set_meeting_id(id);
    v1::GetMeetingResponse response;
    const grpc::Status status =
        client_->Call(&Stub::GetMeeting, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.meeting();
  }

  std::map<std::string, std::string> extra_env_;
  std::string db_path_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RpcClient> client_;
};

TEST_F(WebhooksTest, WherebyParticipantsSetTheCountOnceEach) {
  const v1::HandleWebhookRequest joined = SignedWhereby(WherebyClient(
      "wb-ev-1", "room.client.joined", "2025-01-18T12:00:03.512Z", 1));
  v1::HandleWebhookResponse response = Handle(joined);
  EXPECT_EQ(response.outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(response.event().type(), v1::EVENT_TYPE_PARTICIPANT_JOINED);
  EXPECT_EQ(response.event().meeting_id(), "meeting-whereby");
  EXPECT_EQ(response.event().participant().user_name(), kName);
  const int64_t first_sequence = response.event().sequence();
  EXPECT_GT(first_sequence, 0);
  EXPECT_EQ(Meeting("meeting-whereby").num_clients(), 1);

  // Whereby retries: the same event again changes nothing.
  response = Handle(joined);
  EXPECT_EQ(response.outcome(), v1::WEBHOOK_OUTCOME_DUPLICATE);
  EXPECT_EQ(response.event().sequence(), first_sequence);

  Handle(SignedWhereby(WherebyClient("wb-ev-2", "room.client.joined",
                                     "2025-01-18T12:00:10Z", 2)));
  EXPECT_EQ(Meeting("meeting-whereby").num_clients(), 2);
  // An older count arriving late is logged but not applied.
  response = Handle(SignedWhereby(
      WherebyClient("wb-ev-0", "room.client.left", "2025-01-18T12:00:01Z", 0)));
  EXPECT_EQ(response.outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_THAT(response.detail(), HasSubstr("stale"));
  EXPECT_EQ(Meeting("meeting-whereby").num_clients(), 2);
  // A secret being rotated out still verifies.
  Handle(SignedWhereby(
      WherebyClient("wb-ev-3", "room.client.left", "2025-01-18T12:00:20Z", 1),
      absl::Now(), kWherebyOldSecret));
  EXPECT_EQ(Meeting("meeting-whereby").num_clients(), 1);

  response = Handle(SignedWhereby(
      WherebyBody("wb-ev-4", "room.session.ended", "2025-01-18T13:00:00Z")));
  EXPECT_EQ(response.event().type(), v1::EVENT_TYPE_MEETING_ENDED);
  v1::Meeting meeting = Meeting("meeting-whereby");
  EXPECT_FALSE(meeting.is_active());
  EXPECT_EQ(meeting.num_clients(), 0);
  Handle(SignedWhereby(
      WherebyBody("wb-ev-5", "room.session.started", "2025-01-18T14:00:00Z")));
  EXPECT_TRUE(Meeting("meeting-whereby").is_active());

  // Recordings are logged with what the backend needs to fetch them.
  response = Handle(SignedWhereby(
      WherebyBody("wb-ev-6", "recording.finished", "2025-01-18T15:00:00Z",
                  R"(,"filename":"standup-3f2a7d10-2025-01-18T14:00:00Z.mp4",)"
                  R"("recordingId":"rec-1","status":"completed")")));
  EXPECT_EQ(response.event().type(), v1::EVENT_TYPE_RECORDING_READY);
  EXPECT_EQ(response.event().recording().s3_key(),
            "standup-3f2a7d10-2025-01-18T14:00:00Z.mp4");
}

TEST_F(WebhooksTest, DailyParticipantsAreCountedBySession) {
  const v1::HandleWebhookRequest join_a =
      SignedDaily(DailyParticipant("d-1", true, "session-a", 1737201601.5));
  EXPECT_EQ(Handle(join_a).outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(Handle(join_a).outcome(), v1::WEBHOOK_OUTCOME_DUPLICATE);
  Handle(SignedDaily(DailyParticipant("d-2", true, "session-b", 1737201602)));
  EXPECT_EQ(Meeting("meeting-daily").num_clients(), 2);
  // B's leave arrives before C's join, and C's leave before its join.
  Handle(SignedDaily(DailyParticipant("d-3", false, "session-b", 1737201700)));
  Handle(SignedDaily(DailyParticipant("d-5", false, "session-c", 1737201800)));
  v1::HandleWebhookResponse late = Handle(
      SignedDaily(DailyParticipant("d-4", true, "session-c", 1737201750)));
  EXPECT_EQ(late.outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(late.event().num_clients(), 1);
  // Leaving twice (distinct deliveries) never goes below zero.
  Handle(SignedDaily(DailyParticipant("d-6", false, "session-a", 1737201900)));
  Handle(SignedDaily(DailyParticipant("d-7", false, "session-a", 1737201901)));
  EXPECT_EQ(Meeting("meeting-daily").num_clients(), 0);

  Handle(SignedDaily(DailyMeeting("d-8", false, 1737202000)));
  EXPECT_FALSE(Meeting("meeting-daily").is_active());
  Handle(SignedDaily(DailyMeeting("d-9", true, 1737203000)));
  EXPECT_TRUE(Meeting("meeting-daily").is_active());

  // The test ping, unknown rooms and unmodelled types are acknowledged.
  v1::HandleWebhookResponse ping = Handle(SignedDaily(R"({"test":"test"})"));
  EXPECT_EQ(ping.outcome(), v1::WEBHOOK_OUTCOME_IGNORED);
  std::string other_room =
      DailyParticipant("d-10", true, "session-x", 1737203001);
  other_room.replace(other_room.find(kDailyRoom), strlen(kDailyRoom),
                     "someone-elses-room");
  EXPECT_EQ(Handle(SignedDaily(other_room)).outcome(),
            v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_EQ(
      Handle(SignedDaily(
                 R"({"version":"1.0.0","type":"waiting-participant.joined",)"
                 R"("id":"d-11","payload":{},"event_ts":1737203002})"))
          .outcome(),
      v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_EQ(Meeting("meeting-daily").num_clients(), 0);

  const v1::HandleWebhookResponse ready = Handle(SignedDaily(absl::StrCat(
      R"({"version":"1.0.0","type":"recording.ready-to-download","id":"d-12",)"
      R"("event_ts":1737205000.25,"payload":{"type":"raw-tracks",)"
      R"("recording_id":"rec-d","room_name":")",
      kDailyRoom,
      R"(","start_ts":1737201600,"status":"finished","max_participants":2,)"
      R"("duration":3400,"s3_key":"reflector/standup/1737201600000",)"
      R"("tracks":[{"type":"audio","s3Key":"reflector/standup/a","size":10}]}})")));
  EXPECT_EQ(ready.event().type(), v1::EVENT_TYPE_RECORDING_READY);
  EXPECT_EQ(ready.event().recording().kind(), v1::RECORDING_KIND_RAW_TRACKS);
  EXPECT_EQ(ready.event().recording().duration_seconds(), 3400);
  ASSERT_EQ(ready.event().recording().tracks_size(), 1);
  EXPECT_EQ(ready.event().recording().tracks(0).s3_key(),
            "reflector/standup/a");
}

TEST_F(WebhooksTest, ForgedStaleAndMalformedWebhooksAreRefused) {
  const std::string body =
      WherebyClient("wb-bad", "room.client.joined", "2025-01-18T12:00:00Z", 5);
  v1::HandleWebhookRequest wrong_secret =
      SignedWhereby(body, absl::Now(), "not-the-secret");
  EXPECT_EQ(HandleStatus(wrong_secret).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(HandleStatus(SignedWhereby(body, absl::Now() - absl::Minutes(5)))
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(HandleStatus(SignedWhereby(body, absl::Now() + absl::Minutes(5)))
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::HandleWebhookRequest tampered = SignedWhereby(body);
  tampered.set_body(
      WherebyClient("wb-bad", "room.client.joined", "2025-01-18T12:00:00Z", 6));
  EXPECT_EQ(HandleStatus(tampered).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::HandleWebhookRequest unsigned_request;
  unsigned_request.set_platform("whereby");
  unsigned_request.set_body(body);
  EXPECT_EQ(HandleStatus(unsigned_request).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::HandleWebhookRequest daily_stale =
      SignedDaily(DailyParticipant("d-bad", true, "s", 1737201601),
                  absl::Now() - absl::Minutes(10));
  EXPECT_EQ(HandleStatus(daily_stale).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // Correctly signed garbage is genuine: stored, ignored with the reason,
  // answered OK, and nothing is applied.
  for (const std::string& garbage :
       {std::string("not json"), std::string("[1,2]"),
        std::string(R"({"id":"x","type":"room.client.joined"})")}) {
    const v1::HandleWebhookResponse response = Handle(SignedWhereby(garbage));
    EXPECT_EQ(response.outcome(), v1::WEBHOOK_OUTCOME_IGNORED);
    EXPECT_THAT(response.detail(), StartsWith("whereby webhook: "));
  }
  const v1::HandleWebhookResponse daily_garbage =
      Handle(SignedDaily(R"({"id":"x","type":"participant.joined",)"
                         R"("event_ts":"soon","payload":{}})"));
  EXPECT_EQ(daily_garbage.outcome(), v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_THAT(daily_garbage.detail(), HasSubstr("event_ts"));
  // An unknown type with fields of any type.
  EXPECT_EQ(Handle(SignedDaily(R"({"id":"d-new","type":"brand.new",)"
                               R"("event_ts":"x","payload":[1]})"))
                .outcome(),
            v1::WEBHOOK_OUTCOME_IGNORED);

  v1::HandleWebhookRequest unknown_platform = SignedWhereby(body);
  unknown_platform.set_platform("zoom");
  const grpc::Status unknown = HandleStatus(unknown_platform);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(unknown.error_message(), StartsWith("platform"));

  EXPECT_EQ(Meeting("meeting-whereby").num_clients(), 0);
  StreamWatcher watcher(server_->Channel(), 0);
  Handle(SignedDaily(R"({"test":"test"})"));  // Nothing for the log.
  const v1::HandleWebhookResponse marker = Handle(SignedWhereby(WherebyBody(
      "wb-marker", "room.session.started", "2025-01-18T12:00:00Z")));
  // The first event in the log is the marker: nothing refused got in.
  const std::vector<v1::Event> events = watcher.WaitFor(1);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].provider_event_id(), "wb-marker");
  EXPECT_EQ(events[0].sequence(), marker.event().sequence());

  // A join whose optional fields have odd types still counts.
  std::string odd = DailyParticipant("d-odd", true, "s-odd", 1737201601);
  odd.replace(odd.find(R"("joined_at":1737201600)"), 22,
              R"("joined_at":"noon")");
  EXPECT_EQ(Handle(SignedDaily(odd)).outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(Meeting("meeting-daily").num_clients(), 1);
}

// Header values travel as bytes: a genuine webhook whose headers hold a
// TAB or bytes that are not UTF-8 (HTTP's obs-text) verifies and applies.
TEST_F(WebhooksTest, HeaderValuesAreExactBytes) {
  const std::string body = WherebyClient("wb-bytes", "room.client.joined",
                                         "2025-01-18T12:00:00Z", 2);
  v1::HandleWebhookRequest whereby = SignedWhereby(body);
  ASSERT_EQ(whereby.headers(1).name(), "Whereby-Signature");
  const std::string signature = whereby.headers(1).value();
  // "t=...,<TAB>v1=..." in raw_value; the text value is ignored then.
  v1::WebhookHeader* header = whereby.mutable_headers(1);
  header->set_raw_value(
      absl::StrCat(signature.substr(0, signature.find(',') + 1), "\t",
                   signature.substr(signature.find(',') + 1)));
  header->set_value("t=1,v1=00");
  v1::WebhookHeader* agent = whereby.add_headers();
  agent->set_name("User-Agent");
  agent->set_raw_value("Whereby\xff\xfe/1.0\tcaf\xe9");
  const v1::HandleWebhookResponse applied = Handle(whereby);
  EXPECT_EQ(applied.outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(Meeting("meeting-whereby").num_clients(), 2);

  // A v1 client's text value may hold a TAB too.
  v1::HandleWebhookRequest text = SignedWhereby(WherebyClient(
      "wb-bytes-2", "room.client.joined", "2025-01-18T12:00:01Z", 3));
  const std::string text_signature = text.headers(1).value();
  text.mutable_headers(1)->set_value(
      absl::StrCat(text_signature.substr(0, text_signature.find(',') + 1), "\t",
                   text_signature.substr(text_signature.find(',') + 1)));
  EXPECT_EQ(Handle(text).outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(Meeting("meeting-whereby").num_clients(), 3);

  v1::HandleWebhookRequest daily =
      SignedDaily(DailyParticipant("d-bytes", true, "s-bytes", 1737201601));
  for (v1::WebhookHeader& h : *daily.mutable_headers()) {
    h.set_raw_value(h.value());
    h.clear_value();
  }
  v1::WebhookHeader* note = daily.add_headers();
  note->set_name("X-Note");
  note->set_raw_value("caf\xe9\tau lait \x80\x01");
  EXPECT_EQ(Handle(daily).outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(Meeting("meeting-daily").num_clients(), 1);

  // The exact bytes are checked: a wrong raw signature is refused even when
  // the text value holds the right one.
  v1::HandleWebhookRequest swapped = SignedWhereby(WherebyClient(
      "wb-bytes-3", "room.client.joined", "2025-01-18T12:00:02Z", 4));
  swapped.mutable_headers(1)->set_raw_value("t=1,v1=00");
  EXPECT_EQ(HandleStatus(swapped).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // CR, LF and NUL never come through HTTP: refused, naming the field.
  v1::HandleWebhookRequest crlf = SignedWhereby(WherebyClient(
      "wb-bytes-4", "room.client.joined", "2025-01-18T12:00:03Z", 4));
  v1::WebhookHeader* bad = crlf.add_headers();
  bad->set_name("X-Bad");
  bad->set_raw_value(std::string("a\0b", 3));
  const grpc::Status refused = HandleStatus(crlf);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), StartsWith("headers[2].raw_value: "));
  EXPECT_EQ(Meeting("meeting-whereby").num_clients(), 3);
}

// Least privilege: the webhook token opens HandleWebhook and VerifyWebhook
// and nothing else; the API token keeps working for everything.
TEST_F(WebhooksTest, TheWebhookTokenOpensTheWebhookRpcsOnly) {
  constexpr char kWebhookToken[] = "e2e-webhook-token-0123456789";
  extra_env_ = {{"VIDEOPLATFORM_WEBHOOK_TOKEN", kWebhookToken}};
  RestartServer();
  client_->set_token(kWebhookToken);
  const v1::HandleWebhookRequest joined = SignedWhereby(WherebyClient(
      "wb-token-1", "room.client.joined", "2025-01-18T12:00:03Z", 1));
  EXPECT_EQ(Handle(joined).outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  v1::VerifyWebhookResponse verified;
  EXPECT_TRUE(
      client_->Call(&Stub::VerifyWebhook, AsVerify(joined), &verified).ok());
  v1::CreateMeetingRequest create;
  create.mutable_room()->set_room_id("room-token");
  create.mutable_room()->set_room_name("Standup");
  v1::CreateMeetingResponse created;
  const grpc::Status denied =
      client_->Call(&Stub::CreateMeeting, create, &created);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(), Not(HasSubstr(kWebhookToken)));
  v1::GetMeetingRequest get;
  get.set_meeting_id("meeting-whereby");
  v1::GetMeetingResponse got;
  EXPECT_EQ(client_->Call(&Stub::GetMeeting, get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  client_->set_token("not-a-token-of-this-server");
  EXPECT_EQ(HandleStatus(joined).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // The API token still opens everything.
  client_->set_token(kToken);
  EXPECT_EQ(Meeting("meeting-whereby").num_clients(), 1);
  EXPECT_EQ(Handle(joined).outcome(), v1::WEBHOOK_OUTCOME_DUPLICATE);
}

TEST_F(WebhooksTest, VerifyWebhookReturnsTheEventAndStoresNothing) {
  const v1::HandleWebhookRequest signed_request = SignedWhereby(WherebyClient(
      "wb-verify", "room.client.joined", "2025-01-18T12:00:00Z", 3));
  v1::VerifyWebhookResponse verified;
  ASSERT_TRUE(
      client_->Call(&Stub::VerifyWebhook, AsVerify(signed_request), &verified)
          .ok());
  EXPECT_EQ(verified.event().type(), v1::EVENT_TYPE_PARTICIPANT_JOINED);
  EXPECT_EQ(verified.event().sequence(), 0);
  EXPECT_EQ(verified.event().meeting_id(), "meeting-whereby");
  EXPECT_EQ(verified.event().num_clients(), 3);
  EXPECT_EQ(verified.event().participant().user_name(), kName);
  EXPECT_EQ(Meeting("meeting-whereby").num_clients(), 0);
  // Not stored: handling it afterwards applies it for the first time.
  EXPECT_EQ(Handle(signed_request).outcome(), v1::WEBHOOK_OUTCOME_APPLIED);

  v1::VerifyWebhookRequest forged = AsVerify(signed_request);
  forged.set_body(forged.body() + " ");
  EXPECT_EQ(client_->Call(&Stub::VerifyWebhook, forged, &verified).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(client_
                  ->Call(&Stub::VerifyWebhook,
                         AsVerify(SignedDaily(R"({"test":"test"})")), &verified)
                  .ok());
  EXPECT_FALSE(verified.has_event());
}

TEST_F(WebhooksTest, WatchersResumeAfterDisconnectsAndRestarts) {
  auto live = std::make_unique<StreamWatcher>(server_->Channel(), 0);
  auto second = std::make_unique<StreamWatcher>(server_->Channel(), 0);
  for (int i = 0; i < 5; ++i) {
    Handle(SignedDaily(DailyParticipant(
        absl::StrCat("w-", i), true, absl::StrCat("s-", i), 1737201600 + i)));
  }
  std::vector<v1::Event> seen = live->WaitFor(5);
  ASSERT_THAT(seen, SizeIs(5));
  EXPECT_EQ(Sequences(seen), Range(1, 5));
  EXPECT_EQ(seen[4].provider_event_id(), "w-4");
  EXPECT_EQ(seen[4].num_clients(), 5);
  EXPECT_EQ(Sequences(second->WaitFor(5)), Range(1, 5));

  // The first watcher disconnects; events keep coming.
  live->Cancel();
  ASSERT_TRUE(live->WaitDone().has_value());
  const int64_t last = seen.back().sequence();
  live.reset();
  for (int i = 5; i < 8; ++i) {
    Handle(SignedDaily(DailyParticipant(absl::StrCat("w-", i), false,
                                        absl::StrCat("s-", i - 5),
                                        1737201700 + i)));
  }
  // Resuming from the last sequence seen misses nothing and repeats nothing.
  StreamWatcher resumed(server_->Channel(), last);
  EXPECT_EQ(Sequences(resumed.WaitFor(3)), Range(6, 8));
  EXPECT_EQ(Sequences(second->WaitFor(8)), Range(1, 8));

  // Shutdown is not held up by open streams: they end with UNAVAILABLE
  // at once (the process may still wait for idle connections to close).
  client_.reset();
  const absl::Time signalled = absl::Now();
  absl::StatusOr<int> exit_code;
  std::thread stopper([&] { exit_code = server_->Stop(SIGTERM, kPatience); });
  const std::optional<grpc::Status> ended = second->WaitDone();
  const absl::Duration stream_end = absl::Now() - signalled;
  stopper.join();
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->error_code(), grpc::StatusCode::UNAVAILABLE)
      << ended->error_message();
  EXPECT_THAT(ended->error_message(), HasSubstr("after_sequence = 8"));
  EXPECT_LT(stream_end, absl::Seconds(2));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  server_.reset();

  // After a restart the log is still there, and new events continue it.
  StartServer();
  StreamWatcher after_restart(server_->Channel(), 0);
  EXPECT_EQ(Sequences(after_restart.WaitFor(8)), Range(1, 8));
  Handle(SignedDaily(DailyMeeting("w-end", false, 1737209999)));
  const std::vector<v1::Event> all = after_restart.WaitFor(9);
  EXPECT_EQ(Sequences(all), Range(1, 9));
  EXPECT_EQ(all.back().type(), v1::EVENT_TYPE_MEETING_ENDED);
  EXPECT_EQ(Meeting("meeting-daily").num_clients(), 0);
  // A repeated delivery of an event from before the restart is a duplicate.
  EXPECT_EQ(
      Handle(SignedDaily(DailyParticipant("w-0", true, "s-0", 1737201600)))
          .outcome(),
      v1::WEBHOOK_OUTCOME_DUPLICATE);
}

TEST_F(WebhooksTest, ConcurrentDeliveriesLoseNoneAndApplyNoneTwice) {
  constexpr int kSessions = 24;
  // Every join is delivered twice, by different threads.
  std::vector<v1::HandleWebhookRequest> requests;
  for (int i = 0; i < kSessions; ++i) {
    requests.push_back(SignedDaily(DailyParticipant(
        absl::StrCat("c-", i), true, absl::StrCat("cs-", i), 1737201600 + i)));
  }
  StreamWatcher watcher(server_->Channel(), 0);
  std::atomic<int> applied{0}, duplicates{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      RpcClient client(server_->Channel());
      client.set_token(kToken);
      for (int i = t % 2; i < kSessions; i += 2) {
        v1::HandleWebhookResponse response;
        if (!client.Call(&Stub::HandleWebhook, requests[i], &response).ok()) {
          ++failures;
        } else if (response.outcome() == v1::WEBHOOK_OUTCOME_APPLIED) {
          ++applied;
        } else if (response.outcome() == v1::WEBHOOK_OUTCOME_DUPLICATE) {
          ++duplicates;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied.load(), kSessions);
  EXPECT_EQ(duplicates.load(), kSessions);
  EXPECT_EQ(Meeting("meeting-daily").num_clients(), kSessions);
  const std::vector<v1::Event> events = watcher.WaitFor(kSessions);
  EXPECT_EQ(Sequences(events), Range(1, kSessions));
  std::set<std::string> ids;
  for (const v1::Event& event : events) ids.insert(event.provider_event_id());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kSessions));
}

TEST_F(WebhooksTest, WatchEventsNeedsTheTokenAndAValidSequence) {
  auto stub = v1::VideoPlatformService::NewStub(server_->Channel());
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kPatience));
    auto reader = stub->WatchEvents(&context, v1::WatchEventsRequest());
    v1::WatchEventsResponse response;
    EXPECT_FALSE(reader->Read(&response));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    context.set_deadline(absl::ToChronoTime(absl::Now() + kPatience));
    v1::WatchEventsRequest request;
    request.set_after_sequence(-3);
    auto reader = stub->WatchEvents(&context, request);
    v1::WatchEventsResponse response;
    EXPECT_FALSE(reader->Read(&response));
    const grpc::Status status = reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), StartsWith("after_sequence: "));
  }
}

}  // namespace
}  // namespace videoplatform::testing
