// The fakes themselves: strict where the real APIs are, with the real
// status codes and error bodies. Uses cpp-httplib's client, not the code
// under test elsewhere.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "server/common/status_matchers.h"
#include "tests/fakes/daily_fake.h"
#include "tests/fakes/whereby_fake.h"

namespace videoplatform::fakes {
namespace {

using ::nlohmann::json;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::videoplatform::testing::IsOk;

std::string Iso(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

class WherebyFakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(fake_.Start(), IsOk());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", fake_.port());
    client_->set_read_timeout(5);
  }
  void TearDown() override { client_.reset(); }

  httplib::Headers Auth(const std::string& key = "whereby-test-key") {
    return {{"Authorization", "Bearer " + key}};
  }

  httplib::Result Create(const json& body) {
    return client_->Post("/v1/meetings", Auth(), body.dump(),
                         "application/json");
  }

  static json Valid() {
    return {{"endDate", Iso(absl::Now() + absl::Hours(1))},
            {"roomNamePrefix", "standup-"},
            {"roomMode", "normal"},
            {"fields", {"hostRoomUrl"}}};
  }

  static void ExpectError(const httplib::Result& res, int status,
                          const std::string& text) {
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, status) << res->body;
    const json body = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << res->body;
    ASSERT_TRUE(body["error"].is_string()) << res->body;
    EXPECT_THAT(body["error"].get<std::string>(), HasSubstr(text));
  }

  WherebyFake fake_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WherebyFakeTest, RejectsMissingOrWrongKeysWith401) {
  ExpectError(client_->Post("/v1/meetings", Valid().dump(), "application/json"),
              401, "Unauthorized");
  ExpectError(client_->Post("/v1/meetings", Auth("nope"), Valid().dump(),
                            "application/json"),
              401, "Unauthorized");
  ExpectError(client_->Get("/v1/insights/room-sessions?roomName=%2Fx"), 401,
              "Unauthorized");
}

TEST_F(WherebyFakeTest, ValidatesCreateMeeting) {
  json body = Valid();
  body.erase("endDate");
  ExpectError(Create(body), 400, "\"endDate\" is required");
  body["endDate"] = Iso(absl::Now() - absl::Minutes(1));
  ExpectError(Create(body), 400, "\"endDate\" must be greater than \"now\"");
  body["endDate"] = "tomorrow";
  ExpectError(Create(body), 400, "\"endDate\" must be a valid date");
  body = Valid();
  body["roomNamePrefix"] = std::string(40, 'a');
  ExpectError(Create(body), 400, "less than or equal to 39 characters");
  body["roomNamePrefix"] = "my room";
  ExpectError(Create(body), 400, "fails to match");
  body = Valid();
  body["roomMode"] = "huge";
  ExpectError(Create(body), 400, "\"roomMode\" must be one of [normal, group]");
  body = Valid();
  body["colour"] = "red";
  ExpectError(Create(body), 400, "\"colour\" is not allowed");
  body = Valid();
  body["recording"] = {{"type", "cloud"},
                       {"destination", {{"provider", "s3"}, {"bucket", "b"}}},
                       {"startTrigger", "automatic"}};
  ExpectError(Create(body), 400,
              "\"recording.destination.accessKeyId\" is required");
  body["recording"]["destination"]["accessKeyId"] = "id";
  body["recording"]["destination"]["accessKeySecret"] = "s";
  body["recording"]["startTrigger"] = "sometimes";
  ExpectError(Create(body), 400, "\"recording.startTrigger\" must be one of");
  ExpectError(client_->Post("/v1/meetings", Auth(), "{", "application/json"),
              400, "Invalid JSON");
  EXPECT_THAT(fake_.meetings(), SizeIs(0));
}

TEST_F(WherebyFakeTest, CreatesGetsAndDeletesMeetings) {
  auto res = Create(Valid());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  const json meeting = json::parse(res->body);
  EXPECT_THAT(meeting["roomName"].get<std::string>(), StartsWith("/standup-"));
  EXPECT_THAT(meeting["hostRoomUrl"].get<std::string>(), HasSubstr("roomKey="));
  const std::string id = meeting["meetingId"];

  res = client_->Get(("/v1/meetings/" + id).c_str(), Auth());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  ExpectError(client_->Get("/v1/meetings/999", Auth()), 404, "not found");

  res = client_->Delete(("/v1/meetings/" + id).c_str(), Auth());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  res = client_->Delete(("/v1/meetings/" + id).c_str(), Auth());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);  // Idempotent.
  ExpectError(client_->Delete("/v1/meetings/999", Auth()), 404, "not found");

  json no_fields = Valid();
  no_fields.erase("fields");
  res = Create(no_fields);
  ASSERT_TRUE(res);
  EXPECT_FALSE(json::parse(res->body).contains("hostRoomUrl"));
}

TEST_F(WherebyFakeTest, RoomSessionsAndLogos) {
  ExpectError(client_->Get("/v1/insights/room-sessions", Auth()), 400,
              "\"roomName\" is required");
  ExpectError(
      client_->Get("/v1/insights/room-sessions?roomName=%2Fnope", Auth()), 404,
      "Room not found");
  fake_.AddRoomSession("/seeded", "s1", absl::FromUnixSeconds(1737201600));
  auto res =
      client_->Get("/v1/insights/room-sessions?roomName=%2Fseeded", Auth());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const json body = json::parse(res->body);
  EXPECT_TRUE(body["cursor"].is_null());
  ASSERT_THAT(body["results"], SizeIs(1));
  EXPECT_EQ(body["results"][0]["startedAt"], "2025-01-18T12:00:00.000Z");
  EXPECT_TRUE(body["results"][0]["endedAt"].is_null());

  const httplib::MultipartFormDataItems text = {
      {"image", "x", "a.txt", "text/plain"}};
  ExpectError(client_->Put("/v1/rooms/nope/theme/logo", Auth(), text), 400,
              "image");
  const httplib::MultipartFormDataItems png = {
      {"image", "x", "a.png", "image/png"}};
  ExpectError(client_->Put("/v1/rooms/nope/theme/logo", Auth(), png), 404,
              "Room not found");
}

TEST_F(WherebyFakeTest, RateLimitFaultHasWherebysHeadersAndBody) {
  fake_.AddFault(Fault::RateLimited(7));
  auto res = Create(Valid());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("Retry-After"), "7");
  EXPECT_EQ(res->get_header_value("X-RateLimit-Limit"), "100");
  EXPECT_EQ(res->get_header_value("X-RateLimit-Remaining"), "0");
  EXPECT_FALSE(res->get_header_value("X-RateLimit-Reset").empty());
  const json body = json::parse(res->body);
  EXPECT_THAT(body["error"].get<std::string>(),
              StartsWith("Rate limit active"));
  EXPECT_TRUE(body["data"]["msLeft"].is_number());
  // The fault was for one request only.
  res = Create(Valid());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
}

TEST_F(WherebyFakeTest, FaultsCountDownAndRecordEverything) {
  fake_.AddFault(Fault::Status(503, 2).For("POST", "/meetings"));
  EXPECT_EQ(Create(Valid())->status, 503);
  EXPECT_EQ(client_->Get("/v1/meetings/1", Auth())->status, 404);  // Not POST.
  EXPECT_EQ(Create(Valid())->status, 503);
  EXPECT_EQ(Create(Valid())->status, 201);
  ExpectError(client_->Get("/v1/no/such/endpoint", Auth()), 404, "Not Found");
  auto requests = fake_.requests();
  ASSERT_THAT(requests, SizeIs(5));
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/meetings");
  EXPECT_EQ(requests[0].Header("authorization"), "Bearer whereby-test-key");
  EXPECT_EQ(requests[0].Json()["roomNamePrefix"], "standup-");
  EXPECT_EQ(requests[4].path, "/v1/no/such/endpoint");
  EXPECT_TRUE(fake_.WaitForRequests(5, absl::Seconds(1)));
  EXPECT_FALSE(fake_.WaitForRequests(6, absl::Milliseconds(10)));
}

TEST_F(WherebyFakeTest, MalformedAndDroppedResponses) {
  fake_.AddFault(Fault::MalformedJson());
  auto res = Create(Valid());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(json::parse(res->body, nullptr, false).is_discarded());
  fake_.AddFault(Fault::DropConnection());
  EXPECT_FALSE(Create(Valid()));  // The client sees a broken response.
}

TEST_F(WherebyFakeTest, SlowResponsesAreHeldThenHandled) {
  fake_.AddFault(Fault::Slow(absl::Milliseconds(200)));
  const absl::Time start = absl::Now();
  auto res = Create(Valid());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(195));
}

class DailyFakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(fake_.Start(), IsOk());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", fake_.port());
    client_->set_read_timeout(5);
  }
  void TearDown() override { client_.reset(); }

  httplib::Headers Auth() {
    return {{"Authorization", "Bearer daily-test-key"}};
  }

  httplib::Result Post(const std::string& path, const json& body) {
    return client_->Post(path.c_str(), Auth(), body.dump(), "application/json");
  }

  static json Room(const std::string& name) {
    return {{"name", name},
            {"privacy", "private"},
            {"properties",
             {{"exp", absl::ToUnixSeconds(absl::Now() + absl::Hours(1))},
              {"enable_chat", true},
              {"enable_recording", "cloud"}}}};
  }

  static void ExpectError(const httplib::Result& res, int status,
                          const std::string& type, const std::string& info) {
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, status) << res->body;
    const json body = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << res->body;
    EXPECT_EQ(body["error"], type) << res->body;
    ASSERT_TRUE(body["info"].is_string()) << res->body;
    EXPECT_THAT(body["info"].get<std::string>(), HasSubstr(info));
  }

  DailyFake fake_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(DailyFakeTest, AuthErrorsAreDailys) {
  ExpectError(client_->Post("/v1/rooms", Room("a").dump(), "application/json"),
              400, "authorization-header-error", "");
  ExpectError(client_->Post("/v1/rooms", {{"Authorization", "Bearer wrong"}},
                            Room("a").dump(), "application/json"),
              401, "authentication-error", "");
  ExpectError(client_->Get("/v1/rooms/a"), 400, "authorization-header-error",
              "");
}

TEST_F(DailyFakeTest, ValidatesRooms) {
  ExpectError(Post("/v1/rooms", Room("has space")), 400,
              "invalid-request-error", "name");
  ExpectError(Post("/v1/rooms", Room(std::string(129, 'a'))), 400,
              "invalid-request-error", "128");
  json room = Room("ok");
  room["properties"]["exp"] = absl::ToUnixSeconds(absl::Now()) - 10;
  ExpectError(Post("/v1/rooms", room), 400, "invalid-request-error", "exp");
  room = Room("ok");
  room["properties"]["enable_chatt"] = true;
  ExpectError(Post("/v1/rooms", room), 400, "invalid-request-error",
              "unknown property 'enable_chatt'");
  room = Room("ok");
  room["properties"]["enable_knocking"] = "yes";
  ExpectError(Post("/v1/rooms", room), 400, "invalid-request-error",
              "enable_knocking");
  room = Room("ok");
  room["properties"]["recordings_bucket"] = {
      {"bucket_name", "b"}, {"bucket_region", "r"}, {"allow_api_access", true}};
  ExpectError(Post("/v1/rooms", room), 400, "invalid-request-error",
              "assume_role_arn");
  room = Room("ok");
  room["privacy"] = "secret";
  ExpectError(Post("/v1/rooms", room), 400, "invalid-request-error", "privacy");
  ExpectError(client_->Post("/v1/rooms", Auth(), "{nope", "application/json"),
              400, "json-parsing-error", "");
  EXPECT_THAT(fake_.rooms(), SizeIs(0));
}

TEST_F(DailyFakeTest, RoomLifecycle) {
  auto res = Post("/v1/rooms", Room("team-1"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json room = json::parse(res->body);
  EXPECT_EQ(room["name"], "team-1");
  EXPECT_EQ(room["url"], "https://reflector.daily.co/team-1");
  EXPECT_EQ(room["privacy"], "private");
  EXPECT_EQ(room["api_created"], true);
  EXPECT_EQ(room["config"]["enable_recording"], "cloud");
  ExpectError(Post("/v1/rooms", Room("team-1")), 400, "invalid-request-error",
              "already exists");

  EXPECT_EQ(client_->Get("/v1/rooms/team-1", Auth())->status, 200);
  res = client_->Get("/v1/rooms/team-1/presence", Auth());
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body),
            (json{{"total_count", 0}, {"data", json::array()}}));

  res = client_->Delete("/v1/rooms/team-1", Auth());
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body),
            (json{{"deleted", true}, {"name", "team-1"}}));
  ExpectError(client_->Delete("/v1/rooms/team-1", Auth()), 404, "not-found",
              "team-1");
  ExpectError(client_->Get("/v1/rooms/team-1/presence", Auth()), 404,
              "not-found", "team-1");
}

TEST_F(DailyFakeTest, TokensAndRecordings) {
  ExpectError(Post("/v1/meeting-tokens",
                   {{"properties", {{"user_id", std::string(37, 'u')}}}}),
              400, "invalid-request-error", "user_id");
  ExpectError(Post("/v1/meeting-tokens", {{"properties", {{"room", "x"}}}}),
              400, "invalid-request-error", "unknown property 'room'");
  auto res = Post(
      "/v1/meeting-tokens",
      {{"properties", {{"room_name", "x"}, {"start_cloud_recording", true}}}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(fake_.tokens().count(json::parse(res->body)["token"]));

  ASSERT_EQ(Post("/v1/rooms", Room("rec"))->status, 200);
  ExpectError(Post("/v1/rooms/rec/recordings/start",
                   {{"type", "cloud"}, {"instanceId", "nope"}}),
              400, "invalid-request-error", "instanceId");
  ExpectError(Post("/v1/rooms/nope/recordings/start",
                   {{"type", "cloud"},
                    {"instanceId", "6f1c8a43-2f0e-4f5c-9a57-3a1f2c4d5e6f"}}),
              404, "not-found", "nope");
}

TEST_F(DailyFakeTest, FaultBodiesAreDailys) {
  fake_.AddFault(Fault::Status(500));
  ExpectError(Post("/v1/rooms", Room("a")), 500, "server-error", "");
  fake_.AddFault(Fault::RateLimited(-1));
  ExpectError(Post("/v1/rooms", Room("a")), 429, "rate-limit-error", "");
  EXPECT_EQ(Post("/v1/rooms", Room("a"))->status, 200);
}

}  // namespace
}  // namespace videoplatform::fakes
