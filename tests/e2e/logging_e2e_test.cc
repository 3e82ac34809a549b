// Logs of the real videoplatformd: --log_format=json gives one JSON object
// per line with the RPC, its code, latency and the caller's x-request-id;
// no configured secret ever appears in the output.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "logging-e2e-api-token-0123456789";

const std::map<std::string, std::string>& Secrets() {
  static const auto* const secrets = new std::map<std::string, std::string>{
      {"VIDEOPLATFORM_API_TOKEN", kToken},
      {"WHEREBY_API_KEY", "whereby-key-s3cr3t-0123456789"},
      {"WHEREBY_WEBHOOK_SECRET", "whereby-hook-s3cr3t-0123456789"},
      {"DAILY_API_KEY", "daily-key-s3cr3t-0123456789"},
      {"DAILY_WEBHOOK_SECRET", "ZGFpbHktaG9vay1zM2NyM3QtMDEyMzQ1Njc4OQ=="},
      {"MOCK_WEBHOOK_SECRET", "mock-hook-s3cr3t-0123456789"},
  };
  return *secrets;
}

class LoggingE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerProcessOptions options;
    options.env = Secrets();
    options.env["DEFAULT_VIDEO_PLATFORM"] = "mock";
    options.env["DAILY_MIGRATION_ENABLED"] = "true";
    options.args = {"--log_format=json", "--log_level=debug"};
    auto server = ServerProcess::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::VideoPlatformService::NewStub(server_->Channel());
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token,
                                               const std::string& trace) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    context->AddMetadata("authorization", "Bearer " + token);
    if (!trace.empty()) context->AddMetadata("x-request-id", trace);
    return context;
  }

  // Every line of the server's output, parsed; fails on a non-JSON line.
  std::vector<nlohmann::json> Lines() {
    std::vector<nlohmann::json> lines;
    std::istringstream output(server_->Output());
    for (std::string line; std::getline(output, line);) {
      auto parsed = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << line;
      if (!parsed.is_discarded()) lines.push_back(std::move(parsed));
    }
    return lines;
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::VideoPlatformService::Stub> stub_;
};

TEST_F(LoggingE2eTest, JsonLinesDescribeEachRpcAndHoldNoSecret) {
  v1::CreateMeetingRequest create;
  create.mutable_room()->set_room_id("room-1");
  create.mutable_room()->set_room_name("Room");
  v1::CreateMeetingResponse created;
  ASSERT_TRUE(stub_
                  ->CreateMeeting(Context(kToken, "trace-create-1").get(),
                                  create, &created)
                  .ok());
  v1::GetMeetingRequest get;
  get.set_meeting_id("no-such-meeting");
  v1::GetMeetingResponse got;
  EXPECT_EQ(
      stub_->GetMeeting(Context(kToken, "").get(), get, &got).error_code(),
      grpc::StatusCode::NOT_FOUND);
  // A caller with a wrong token, and a webhook with a bad signature.
  EXPECT_EQ(stub_->GetMeeting(Context("wrong-token", "").get(), get, &got)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::VerifyWebhookRequest verify;
  verify.set_platform("daily");
  verify.set_body(R"({"type":"participant.joined"})");
  auto* header = verify.add_headers();
  header->set_name("x-webhook-signature");
  header->set_value("bm90LWEtc2lnbmF0dXJl");
  v1::VerifyWebhookResponse verified;
  EXPECT_FALSE(
      stub_->VerifyWebhook(Context(kToken, "").get(), verify, &verified).ok());

  const std::vector<nlohmann::json> lines = Lines();
  bool saw_create = false, saw_not_found = false;
  for (const nlohmann::json& line : lines) {
    ASSERT_TRUE(line.contains("time") && line.contains("level") &&
                line.contains("message"))
        << line.dump();
    if (line.value("rpc", "") == "CreateMeeting" &&
        line.value("code", "") == "OK") {
      saw_create = true;
      EXPECT_EQ(line["level"], "debug");
      EXPECT_EQ(line.value("request_id", ""), "trace-create-1");
      EXPECT_TRUE(line.contains("latency_ms"));
      EXPECT_FALSE(line.contains("meeting_id"));  // Not in the request.
    }
    if (line.value("rpc", "") == "GetMeeting" &&
        line.value("code", "") == "NOT_FOUND") {
      saw_not_found = true;
      EXPECT_EQ(line["level"], "warning");
      EXPECT_EQ(line.value("meeting_id", ""), "no-such-meeting");
    }
  }
  EXPECT_TRUE(saw_create) << server_->Output();
  EXPECT_TRUE(saw_not_found) << server_->Output();
  for (const auto& [name, secret] : Secrets()) {
    EXPECT_THAT(server_->Output(), Not(HasSubstr(secret))) << name;
  }
}

TEST(LoggingFlagsTest, AnUnknownLogFormatStopsTheServer) {
  ServerProcessOptions options;
  options.args = {"--log_format=xml"};
  std::string output;
  auto code = RunServerToExit(std::move(options), absl::Seconds(20), &output);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 2);
  EXPECT_THAT(output, HasSubstr("--log_format must be text or json"));
}

}  // namespace
}  // namespace videoplatform::testing
