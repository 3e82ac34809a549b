#include "server/webhook_rpcs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "providers/builtin_providers.h"
#include "providers/http/openssl_cli.h"
#include "providers/http/openssl_fips_only.h"
#include "providers/registry.h"
#include "server/common/status_matchers.h"
#include "storage/event_store.h"
#include "storage/store.h"
#include "storage/test_util.h"

namespace videoplatform::server {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::videoplatform::providers::http::testing::
    CliHmacSha256Base64WithBase64Key;
using ::videoplatform::providers::http::testing::CliHmacSha256Hex;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

constexpr char kWherebySecret[] = "whsec_wb_3f9a";
constexpr char kDailySecret[] = "dGhpcyBpcyBhIDMyIGJ5dGUgc2VjcmV0IGtleSEhIQ==";
constexpr char kMockSecret[] = "mock-secret";
const absl::Time kNow = absl::FromUnixSeconds(1737201605);

// "Zoë" in UTF-8.
const char kZoe[] = "Zo\xc3\xab";

std::string WherebyJoined(const std::string& id, int num_clients) {
  return absl::StrCat(
      R"({"id":")", id,
      R"(","apiVersion":"1.0","createdAt":"2025-01-18T12:00:03.512Z",)",
      R"("type":"room.client.joined","data":{"meetingId":"wb-1",)",
      R"("roomName":"/room-1","subdomain":"s","numClients":)", num_clients,
      R"(,"roleName":"visitor","displayName":")", kZoe,
      R"(","participantId":"p1","roomSessionId":"rs"}})");
}

v1::WebhookHeader Header(const std::string& name, const std::string& value) {
  v1::WebhookHeader header;
  header.set_name(name);
  header.set_value(value);
  return header;
}

v1::VerifyWebhookRequest AsVerify(const v1::HandleWebhookRequest& request) {
  v1::VerifyWebhookRequest verify;
  verify.set_platform(request.platform());
  *verify.mutable_headers() = request.headers();
  verify.set_body(request.body());
  return verify;
}

class WebhookRpcsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(providers::RegisterBuiltinProviders(registry_), IsOk());
    absl::StatusOr<std::unique_ptr<providers::Providers>> providers =
        providers::Providers::Create(
            registry_,
            providers::MapSettings({{"WHEREBY_API_KEY", "k"},
                                    {"WHEREBY_WEBHOOK_SECRET", kWherebySecret},
                                    {"MOCK_WEBHOOK_SECRET", kMockSecret}}));
    ASSERT_THAT(providers, IsOk());
    providers_ = *std::move(providers);
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::Store::Open(storage::testing::TempDbPath());
    ASSERT_THAT(store, IsOk());
    store_ = *std::move(store);
    events_ = std::make_unique<storage::EventStore>(store_->database());
    rpcs_ = std::make_unique<WebhookRpcs>(*providers_, *events_,
                                          [] { return kNow; });
    storage::MeetingRecord meeting;
    meeting.meeting_id = "m1";
    meeting.platform = "whereby";
    meeting.provider_meeting_id = "wb-1";
    meeting.room_id = "r";
    meeting.room_name = "/room-1";
    meeting.room_url = "https://x.whereby.com/room-1";
    meeting.host_room_url = meeting.room_url;
    meeting.start_time = kNow - absl::Hours(1);
    meeting.end_time = kNow + absl::Hours(1);
    ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
  }

  // A Whereby request signed (by the openssl CLI) at `t`.
  v1::HandleWebhookRequest WherebyRequest(const std::string& body, int64_t t) {
    v1::HandleWebhookRequest request;
    request.set_platform("whereby");
    request.set_body(body);
    const std::string ts = absl::StrCat(t);
    *request.add_headers() = Header("Content-Type", "application/json");
    *request.add_headers() =
        Header("Whereby-Signature",
               absl::StrCat("t=", ts, ",v1=",
                            CliHmacSha256Hex(kWherebySecret, ts + "." + body)));
    return request;
  }

  int NumClients() {
    absl::StatusOr<storage::MeetingRecord> meeting = store_->GetMeeting("m1");
    EXPECT_THAT(meeting, IsOk());
    return meeting.ok() ? meeting->num_clients : -1;
  }

  std::vector<v1::Event> Log() {
    absl::StatusOr<std::vector<v1::Event>> events =
        events_->ReadEvents(0, storage::kMaxEventPage);
    EXPECT_THAT(events, IsOk());
    return events.ok() ? *events : std::vector<v1::Event>();
  }

  providers::ProviderRegistry registry_;
  std::unique_ptr<providers::Providers> providers_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::EventStore> events_;
  std::unique_ptr<WebhookRpcs> rpcs_;
};

TEST_F(WebhookRpcsTest, HandlesASignedWherebyJoinOnceAndKeepsTheRawBody) {
  std::vector<int64_t> hooked;
  rpcs_->set_on_applied([&hooked](const v1::Event& event) {
    hooked.push_back(event.sequence());
  });
  const std::string body = WherebyJoined("ev-1", 2);
  const v1::HandleWebhookRequest request =
      WherebyRequest(body, absl::ToUnixSeconds(kNow) - 3);
  absl::StatusOr<v1::HandleWebhookResponse> first =
      rpcs_->HandleWebhook(request);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  EXPECT_EQ(first->event().sequence(), 1);
  EXPECT_EQ(first->event().meeting_id(), "m1");
  EXPECT_EQ(first->event().num_clients(), 2);
  EXPECT_EQ(first->event().participant().user_name(), kZoe);
  EXPECT_EQ(NumClients(), 2);

  absl::StatusOr<v1::HandleWebhookResponse> again =
      rpcs_->HandleWebhook(request);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->outcome(), v1::WEBHOOK_OUTCOME_DUPLICATE);
  EXPECT_EQ(again->event().sequence(), 1);
  EXPECT_THAT(Log(), SizeIs(1));
  // Again for the duplicate (the hook is idempotent), with the first event.
  EXPECT_EQ(hooked, (std::vector<int64_t>{1, 1}));
  absl::StatusOr<std::optional<storage::WebhookRecord>> stored =
      events_->GetWebhook("whereby", "ev-1");
  ASSERT_THAT(stored, IsOk());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->body, body);
}

TEST_F(WebhookRpcsTest, VerifyReturnsTheEventAndStoresNothing) {
  const v1::HandleWebhookRequest signed_request =
      WherebyRequest(WherebyJoined("ev-2", 3), absl::ToUnixSeconds(kNow));
  v1::VerifyWebhookRequest request;
  request.set_platform(signed_request.platform());
  *request.mutable_headers() = signed_request.headers();
  request.set_body(signed_request.body());
  absl::StatusOr<v1::VerifyWebhookResponse> response =
      rpcs_->VerifyWebhook(request);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->event().type(), v1::EVENT_TYPE_PARTICIPANT_JOINED);
  EXPECT_EQ(response->event().sequence(), 0);
  EXPECT_EQ(response->event().meeting_id(), "m1");
  EXPECT_EQ(response->event().num_clients(), 3);
  EXPECT_EQ(NumClients(), 0);
  EXPECT_THAT(Log(), IsEmpty());
  absl::StatusOr<std::optional<storage::WebhookRecord>> stored =
      events_->GetWebhook("whereby", "ev-2");
  ASSERT_THAT(stored, IsOk());
  EXPECT_FALSE(stored->has_value());
}

TEST_F(WebhookRpcsTest, RefusesForgedStaleAndMissingSignatures) {
  const std::string body = WherebyJoined("ev-3", 1);
  v1::HandleWebhookRequest forged =
      WherebyRequest(body, absl::ToUnixSeconds(kNow));
  forged.set_body(WherebyJoined("ev-3", 9));  // Signed a different body.
  EXPECT_THAT(rpcs_->HandleWebhook(forged),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
  EXPECT_THAT(rpcs_->HandleWebhook(
                  WherebyRequest(body, absl::ToUnixSeconds(kNow) - 120)),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
  EXPECT_THAT(rpcs_->HandleWebhook(
                  WherebyRequest(body, absl::ToUnixSeconds(kNow) + 120)),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
  v1::HandleWebhookRequest unsigned_request;
  unsigned_request.set_platform("whereby");
  unsigned_request.set_body(body);
  EXPECT_THAT(rpcs_->HandleWebhook(unsigned_request),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
  EXPECT_THAT(Log(), IsEmpty());
  EXPECT_EQ(NumClients(), 0);
}

// Once the signature verified, nothing in the body is an error: it is
// stored, ignored with the reason, and answered OK (an error would only make
// the provider retry and count toward its circuit breaker).
TEST_F(WebhookRpcsTest, GenuineButUnreadableBodiesAreStoredAndIgnored) {
  int i = 0;
  for (const std::string& body :
       {std::string("not json"), std::string("[]"),
        std::string(R"({"id":"x"})"),
        std::string(
            R"({"id":"x2","apiVersion":"1.0","createdAt":"2025-01-18T12:00:00Z",
              "type":"room.client.joined","data":{"meetingId":"wb-1",
              "numClients":"two"}})")}) {
    absl::StatusOr<v1::HandleWebhookResponse> response =
        rpcs_->HandleWebhook(WherebyRequest(body, absl::ToUnixSeconds(kNow)));
    ASSERT_THAT(response, IsOk()) << body;
    EXPECT_EQ(response->outcome(), v1::WEBHOOK_OUTCOME_IGNORED) << body;
    EXPECT_THAT(response->detail(), StartsWith("whereby webhook: ")) << body;
    absl::StatusOr<v1::VerifyWebhookResponse> verified = rpcs_->VerifyWebhook(
        AsVerify(WherebyRequest(body, absl::ToUnixSeconds(kNow))));
    ASSERT_THAT(verified, IsOk()) << body;
    EXPECT_FALSE(verified->has_event()) << body;
    ++i;
  }
  EXPECT_EQ(i, 4);
  // The readable id de-duplicates re-deliveries of an unreadable event.
  absl::StatusOr<v1::HandleWebhookResponse> again =
      rpcs_->HandleWebhook(WherebyRequest(R"({"id":"x2","apiVersion":"1.0",
          "createdAt":"2025-01-18T12:00:00Z","type":"room.client.joined",
          "data":{"meetingId":"wb-1","numClients":"two"}})",
                                          absl::ToUnixSeconds(kNow)));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->outcome(), v1::WEBHOOK_OUTCOME_DUPLICATE);
  EXPECT_THAT(Log(), IsEmpty());
  EXPECT_EQ(NumClients(), 0);
}

TEST_F(WebhookRpcsTest, ChecksPlatformHeadersAndBodySize) {
  v1::HandleWebhookRequest request =
      WherebyRequest(WherebyJoined("ev-4", 1), absl::ToUnixSeconds(kNow));
  request.set_platform("");
  EXPECT_THAT(
      rpcs_->HandleWebhook(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("platform: ")));
  request.set_platform("zoom");
  EXPECT_THAT(
      rpcs_->HandleWebhook(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("platform")));
  request.set_platform("daily");  // Registered, not configured here.
  EXPECT_THAT(rpcs_->HandleWebhook(request),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("DAILY_API_KEY")));

  request = WherebyRequest(WherebyJoined("ev-4", 1), absl::ToUnixSeconds(kNow));
  *request.add_headers() = Header("", "x");
  EXPECT_THAT(rpcs_->HandleWebhook(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("headers[2].name: ")));
  request = WherebyRequest(WherebyJoined("ev-4", 1), absl::ToUnixSeconds(kNow));
  *request.add_headers() = Header("x-bad", "a\r\nb");
  EXPECT_THAT(rpcs_->HandleWebhook(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("headers[2].value: ")));
  request = WherebyRequest(WherebyJoined("ev-4", 1), absl::ToUnixSeconds(kNow));
  for (int i = 0; i < kMaxWebhookHeaders; ++i) {
    *request.add_headers() = Header(absl::StrCat("x-", i), "v");
  }
  EXPECT_THAT(
      rpcs_->HandleWebhook(request),
      StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("headers: ")));
  request = WherebyRequest(std::string(kMaxWebhookBodyBytes + 1, ' '),
                           absl::ToUnixSeconds(kNow));
  EXPECT_THAT(rpcs_->HandleWebhook(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("body: must be at most 1048576 bytes")));
  // A repeated signature header is one list, which Whereby's format does
  // not allow: refused, not half-read.
  request = WherebyRequest(WherebyJoined("ev-4", 1), absl::ToUnixSeconds(kNow));
  *request.add_headers() = request.headers(1);
  EXPECT_THAT(rpcs_->HandleWebhook(request),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
  EXPECT_THAT(Log(), IsEmpty());
}

TEST_F(WebhookRpcsTest, UnknownRoomsAndTypesAreIgnoredNotErrors) {
  std::string body = WherebyJoined("ev-5", 1);
  body.replace(body.find("wb-1"), 4, "wb-unknown");
  absl::StatusOr<v1::HandleWebhookResponse> unknown =
      rpcs_->HandleWebhook(WherebyRequest(body, absl::ToUnixSeconds(kNow)));
  ASSERT_THAT(unknown, IsOk());
  EXPECT_EQ(unknown->outcome(), v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_FALSE(unknown->has_event());
  EXPECT_THAT(unknown->detail(), HasSubstr("wb-unknown"));

  const std::string knocked =
      R"({"id":"ev-6","apiVersion":"1.0","createdAt":"2025-01-18T12:00:00Z",
          "type":"room.client.knocked","data":{"meetingId":"wb-1"}})";
  absl::StatusOr<v1::HandleWebhookResponse> ignored =
      rpcs_->HandleWebhook(WherebyRequest(knocked, absl::ToUnixSeconds(kNow)));
  ASSERT_THAT(ignored, IsOk());
  EXPECT_EQ(ignored->outcome(), v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_THAT(ignored->detail(), HasSubstr("room.client.knocked"));

  v1::VerifyWebhookRequest verify;
  verify.set_platform("whereby");
  const v1::HandleWebhookRequest signed_knock =
      WherebyRequest(knocked, absl::ToUnixSeconds(kNow));
  *verify.mutable_headers() = signed_knock.headers();
  verify.set_body(knocked);
  absl::StatusOr<v1::VerifyWebhookResponse> verified =
      rpcs_->VerifyWebhook(verify);
  ASSERT_THAT(verified, IsOk());
  EXPECT_FALSE(verified->has_event());
  EXPECT_THAT(Log(), IsEmpty());
}

TEST_F(WebhookRpcsTest, DailyTestPingIsAcknowledged) {
  providers::ProviderRegistry registry;
  ASSERT_THAT(providers::RegisterBuiltinProviders(registry), IsOk());
  absl::StatusOr<std::unique_ptr<providers::Providers>> providers =
      providers::Providers::Create(
          registry,
          providers::MapSettings({{"DAILY_API_KEY", "k"},
                                  {"DAILY_WEBHOOK_SECRET", kDailySecret}}));
  ASSERT_THAT(providers, IsOk());
  WebhookRpcs rpcs(**providers, *events_, [] { return kNow; });
  const std::string body = R"({"test":"test"})";
  const std::string ts = absl::StrCat(absl::ToUnixMillis(kNow));
  v1::HandleWebhookRequest request;
  request.set_platform("daily");
  request.set_body(body);
  *request.add_headers() = Header("X-Webhook-Timestamp", ts);
  *request.add_headers() =
      Header("X-Webhook-Signature",
             CliHmacSha256Base64WithBase64Key(kDailySecret, ts + "." + body));
  absl::StatusOr<v1::HandleWebhookResponse> response =
      rpcs.HandleWebhook(request);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->outcome(), v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_THAT(response->detail(), HasSubstr("test ping"));
  // Acknowledged every time (no id, so never a duplicate).
  response = rpcs.HandleWebhook(request);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->outcome(), v1::WEBHOOK_OUTCOME_IGNORED);
}

// Fail closed: when OpenSSL cannot compute the HMAC (as under a FIPS-only
// configuration), no webhook is accepted, not even one whose presented
// signature is empty like the failed computation ("t=<now>,v1=").
TEST_F(WebhookRpcsTest, CryptoFailuresRejectEveryWebhook) {
  providers::ProviderRegistry registry;
  ASSERT_THAT(providers::RegisterBuiltinProviders(registry), IsOk());
  absl::StatusOr<std::unique_ptr<providers::Providers>> daily_providers =
      providers::Providers::Create(
          registry,
          providers::MapSettings({{"DAILY_API_KEY", "k"},
                                  {"DAILY_WEBHOOK_SECRET", kDailySecret}}));
  ASSERT_THAT(daily_providers, IsOk());
  WebhookRpcs daily_rpcs(**daily_providers, *events_, [] { return kNow; });
  const std::string ts = absl::StrCat(absl::ToUnixSeconds(kNow));
  const std::string body = WherebyJoined("ev-crypto", 1);
  v1::HandleWebhookRequest empty_signature = WherebyRequest(body, 0);
  *empty_signature.mutable_headers(1) =
      Header("Whereby-Signature", absl::StrCat("t=", ts, ",v1="));
  v1::HandleWebhookRequest genuine =
      WherebyRequest(body, absl::ToUnixSeconds(kNow));
  const std::string ms = absl::StrCat(absl::ToUnixMillis(kNow));
  const std::string ping = R"({"test":"test"})";
  v1::HandleWebhookRequest daily_empty;
  daily_empty.set_platform("daily");
  daily_empty.set_body(ping);
  *daily_empty.add_headers() = Header("X-Webhook-Timestamp", ms);
  *daily_empty.add_headers() = Header("X-Webhook-Signature", "");
  v1::HandleWebhookRequest daily_genuine = daily_empty;
  *daily_genuine.mutable_headers(1) =
      Header("X-Webhook-Signature",
             CliHmacSha256Base64WithBase64Key(kDailySecret, ms + "." + ping));
  {
    providers::http::testing::ScopedFipsOnlyOpenSsl fips;
    ASSERT_TRUE(fips.ok());
    for (const v1::HandleWebhookRequest* request :
         {&empty_signature, &genuine}) {
      EXPECT_THAT(rpcs_->HandleWebhook(*request),
                  StatusIs(absl::StatusCode::kInternal,
                           AllOf(StartsWith("whereby webhook: cannot check "
                                            "the signature: HMAC-SHA256 "),
                                 Not(HasSubstr(kWherebySecret)))));
    }
    for (const v1::HandleWebhookRequest* request :
         {&daily_empty, &daily_genuine}) {
      EXPECT_THAT(daily_rpcs.HandleWebhook(*request),
                  StatusIs(absl::StatusCode::kInternal,
                           StartsWith("daily webhook: cannot check the "
                                      "signature: HMAC-SHA256 ")));
    }
  }
  EXPECT_THAT(Log(), IsEmpty());
  EXPECT_EQ(NumClients(), 0);
  // With OpenSSL working again: the empty signatures are refused as
  // forgeries, the genuine ones accepted.
  EXPECT_THAT(rpcs_->HandleWebhook(empty_signature),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
  EXPECT_THAT(daily_rpcs.HandleWebhook(daily_empty),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
  EXPECT_THAT(rpcs_->HandleWebhook(genuine), IsOk());
  EXPECT_THAT(daily_rpcs.HandleWebhook(daily_genuine), IsOk());
  EXPECT_EQ(NumClients(), 1);
}

TEST_F(WebhookRpcsTest, MockWebhooksUseTheMockFormat) {
  const std::string body =
      R"({"id":"m-ev","type":"participant.joined","meeting_id":"mock-1",)"
      R"("participant_id":"p"})";
  const std::string ts = absl::StrCat(absl::ToUnixSeconds(kNow));
  v1::HandleWebhookRequest request;
  request.set_platform("mock");
  request.set_body(body);
  *request.add_headers() = Header("X-Mock-Timestamp", ts);
  *request.add_headers() = Header(
      "X-Mock-Signature", CliHmacSha256Hex(kMockSecret, ts + "." + body));
  absl::StatusOr<v1::HandleWebhookResponse> response =
      rpcs_->HandleWebhook(request);
  ASSERT_THAT(response, IsOk());
  // No mock meeting is stored: ignored.
  EXPECT_EQ(response->outcome(), v1::WEBHOOK_OUTCOME_IGNORED);
  EXPECT_THAT(response->detail(), HasSubstr("mock-1"));
}

}  // namespace
}  // namespace videoplatform::server
