// /metrics of the real videoplatformd after real RPCs: the gRPC server
// counters move by exactly the calls made, with go-grpc-prometheus's names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "providers/http/openssl_cli.h"
#include "tests/e2e/prometheus_scrape.h"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "tests/e2e/signed_webhooks.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// base64 of 32 bytes.
constexpr char kDailySecret[] = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";

class MetricsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StartServer({{"DEFAULT_VIDEO_PLATFORM", "mock"},
                 {"DAILY_MIGRATION_ENABLED", "true"},
                 {"DAILY_API_KEY", "daily-key"},
                 {"DAILY_WEBHOOK_SECRET", kDailySecret}});
  }

  void StartServer(std::map<std::string, std::string> env) {
    server_.reset();
    const std::string port_file = ServerProcess::TempPath("metrics_port");
    ServerProcessOptions options;
    options.env = std::move(env);
    options.args = {"--metrics_port_file=" + port_file};
    auto server = ServerProcess::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    client_ = std::make_unique<RpcClient>(server_->Channel());
    std::ifstream in(port_file);
    ASSERT_TRUE(in >> metrics_port_) << "no metrics port file";
  }

  std::string Scrape() { return ScrapeMetrics(metrics_port_); }
  static double Sample(const std::string& text, const std::string& series) {
    return SampleValue(text, series);
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RpcClient> client_;
  int metrics_port_ = 0;
};

constexpr char kCreate[] =
    "grpc_method=\"CreateMeeting\",grpc_service=\"videoplatform.v1."
    "VideoPlatformService\",grpc_type=\"unary\"";
constexpr char kGet[] =
    "grpc_method=\"GetMeeting\",grpc_service=\"videoplatform.v1."
    "VideoPlatformService\",grpc_type=\"unary\"";

TEST_F(MetricsE2eTest, GrpcCountersMoveByTheCallsMade) {
  const std::string before = Scrape();
  // Series exist (at zero) before the first call.
  EXPECT_EQ(
      Sample(before, absl::StrCat("grpc_server_started_total{", kCreate, "}")),
      0);
  EXPECT_THAT(before,
              HasSubstr("# TYPE grpc_server_handling_seconds histogram"));

  for (int i = 0; i < 3; ++i) {
    v1::CreateMeetingRequest create;
    create.mutable_room()->set_room_id(absl::StrCat("room-", i));
    create.mutable_room()->set_room_name("Room");
    v1::CreateMeetingResponse created;
    ASSERT_TRUE(client_->Call(&Stub::CreateMeeting, create, &created).ok());
  }
  v1::GetMeetingRequest get;
  get.set_meeting_id("no-such-meeting");
  v1::GetMeetingResponse got;
  EXPECT_EQ(client_->Call(&Stub::GetMeeting, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  const std::string after = Scrape();
  EXPECT_EQ(
      Sample(after, absl::StrCat("grpc_server_started_total{", kCreate, "}")),
      3);
  EXPECT_EQ(Sample(after, absl::StrCat("grpc_server_handled_total{grpc_code="
                                       "\"OK\",",
                                       kCreate, "}")),
            3);
  EXPECT_EQ(Sample(after, absl::StrCat("grpc_server_msg_received_total{",
                                       kCreate, "}")),
            3);
  EXPECT_EQ(
      Sample(after, absl::StrCat("grpc_server_msg_sent_total{", kCreate, "}")),
      3);
  EXPECT_EQ(Sample(after, absl::StrCat("grpc_server_handling_seconds_count{",
                                       kCreate, "}")),
            3);
  EXPECT_EQ(Sample(after, absl::StrCat("grpc_server_handled_total{grpc_code="
                                       "\"NotFound\",",
                                       kGet, "}")),
            1);
  EXPECT_EQ(Sample(after, absl::StrCat("grpc_server_handled_total{grpc_code="
                                       "\"OK\",",
                                       kGet, "}")),
            0);
  // No ids or free text in labels.
  EXPECT_THAT(after, Not(HasSubstr("room-0")));
  EXPECT_THAT(after, Not(HasSubstr("no-such-meeting")));
}

TEST_F(MetricsE2eTest, WebhookProviderAndStreamMetricsFollowTheTraffic) {
  v1::HandleWebhookResponse handled;
  // Daily's test ping, signed: stored and ignored, twice.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client_
                    ->Call(&Stub::HandleWebhook,
                           SignedDaily(R"({"test":"test"})", kDailySecret),
                           &handled)
                    .ok());
  }
  // A wrong signature, and a platform nobody registered.
  v1::HandleWebhookRequest forged = SignedDaily(
      R"({"test":"test"})", "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC0xMjM0NTY=");
  EXPECT_FALSE(client_->Call(&Stub::HandleWebhook, forged, &handled).ok());
  forged.set_platform("made-up-platform");
  EXPECT_FALSE(client_->Call(&Stub::HandleWebhook, forged, &handled).ok());
  // Two meetings on the mock: two provider calls.
  for (int i = 0; i < 2; ++i) {
    v1::CreateMeetingRequest create;
    create.mutable_room()->set_room_id(absl::StrCat("r", i));
    create.mutable_room()->set_room_name("Room");
    v1::CreateMeetingResponse created;
    ASSERT_TRUE(client_->Call(&Stub::CreateMeeting, create, &created).ok());
  }
  // One WatchEvents stream open while scraping.
  auto stub = v1::VideoPlatformService::NewStub(server_->Channel());
  grpc::ClientContext watch_context;
  v1::WatchEventsRequest watch;
  auto reader = stub->WatchEvents(&watch_context, watch);
  // The stream is open once the server counts it.
  std::string text = Scrape();
  for (int i = 0;
       i < 100 && Sample(text, "videoplatform_watch_streams_open") != 1; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    text = Scrape();
  }
  EXPECT_EQ(
      Sample(text, "videoplatform_webhooks_received_total{platform=\"daily\"}"),
      3);
  EXPECT_EQ(
      Sample(text,
             "videoplatform_webhooks_received_total{platform=\"unknown\"}"),
      1);
  EXPECT_EQ(Sample(text,
                   "videoplatform_webhooks_handled_total{outcome=\"ignored\","
                   "platform=\"daily\"}"),
            2);
  EXPECT_EQ(Sample(text,
                   "videoplatform_webhooks_rejected_total{platform=\"daily\","
                   "reason=\"signature\"}"),
            1);
  EXPECT_EQ(Sample(text,
                   "videoplatform_webhooks_rejected_total{platform=\"unknown\","
                   "reason=\"invalid\"}"),
            1);
  EXPECT_EQ(Sample(text,
                   "videoplatform_provider_calls_total{code=\"OK\",operation="
                   "\"create_meeting\",platform=\"mock\"}"),
            2);
  EXPECT_EQ(Sample(text,
                   "videoplatform_provider_call_seconds_count{operation="
                   "\"create_meeting\",platform=\"mock\"}"),
            2);
  EXPECT_EQ(Sample(text, "videoplatform_watch_streams_open"), 1);
  // Two ignored pings and two meetings were written: at least 4 units in
  // at least one and at most 4 batches.
  EXPECT_GE(Sample(text, "videoplatform_storage_commit_batch_units_sum"), 4);
  EXPECT_GE(Sample(text, "videoplatform_storage_commit_batch_units_count"), 1);
  EXPECT_GE(Sample(text, "videoplatform_storage_commit_seconds_count"), 1);
  EXPECT_THAT(text, Not(HasSubstr("made-up-platform")));
  watch_context.TryCancel();
}

TEST_F(MetricsE2eTest, WatchStreamLagIsObservedPerEventSent) {
  StartServer({{"DEFAULT_VIDEO_PLATFORM", "mock"},
               {"DAILY_MIGRATION_ENABLED", "true"},
               {"MOCK_WEBHOOK_SECRET", "mock-secret"}});
  v1::CreateMeetingRequest create;
  create.mutable_room()->set_room_id("r1");
  create.mutable_room()->set_room_name("Room");
  v1::CreateMeetingResponse created;
  ASSERT_TRUE(client_->Call(&Stub::CreateMeeting, create, &created).ok());
  // Two signed mock joins: two events in the log.
  for (int i = 1; i <= 2; ++i) {
    const std::string body = absl::StrCat(
        R"({"id":"e)", i, R"(","type":"participant.joined","meeting_id":")",
        created.meeting().provider_meeting_id(), R"(","num_clients":)", i, "}");
    const std::string timestamp =
        absl::StrCat(absl::ToUnixSeconds(absl::Now()));
    v1::HandleWebhookRequest webhook;
    webhook.set_platform("mock");
    webhook.set_body(body);
    *webhook.add_headers() = Header("x-mock-timestamp", timestamp);
    *webhook.add_headers() =
        Header("x-mock-signature", providers::http::testing::CliHmacSha256Hex(
                                       "mock-secret", timestamp + "." + body));
    v1::HandleWebhookResponse handled;
    ASSERT_TRUE(client_->Call(&Stub::HandleWebhook, webhook, &handled).ok());
    ASSERT_EQ(handled.outcome(), v1::WEBHOOK_OUTCOME_APPLIED);
  }
  auto stub = v1::VideoPlatformService::NewStub(server_->Channel());
  grpc::ClientContext context;
  auto reader = stub->WatchEvents(&context, v1::WatchEventsRequest());
  v1::WatchEventsResponse event;
  ASSERT_TRUE(reader->Read(&event));
  ASSERT_TRUE(reader->Read(&event));
  const std::string text = Scrape();
  // The first event was sent with one newer event committed, the second
  // with none.
  EXPECT_EQ(Sample(text, "videoplatform_watch_stream_lag_events_count"), 2);
  EXPECT_EQ(Sample(text, "videoplatform_watch_stream_lag_events_sum"), 1);
  context.TryCancel();
}

TEST_F(MetricsE2eTest, IngestionCountsRunsAndReadsJobStatesFromTheDatabase) {
  StartServer({{"DEFAULT_VIDEO_PLATFORM", "mock"},
               {"WHEREBY_API_KEY", "whereby-key"},
               {"WHEREBY_S3_BUCKET", "bucket"},
               {"WHEREBY_S3_ACCESS_KEY_ID", "AKIAEXAMPLE"},
               {"WHEREBY_S3_ACCESS_KEY_SECRET", "secret-example"},
               // Nothing listens there: the run fails and is retried later.
               {"RECORDINGS_S3_ENDPOINT", "http://127.0.0.1:1"}});
  EXPECT_EQ(Sample(Scrape(), "videoplatform_ingest_jobs{state=\"pending\"}"),
            0);
  v1::IngestRecordingRequest ingest;
  ingest.set_platform("whereby");
  ingest.mutable_s3_object()->set_bucket("bucket");
  ingest.mutable_s3_object()->set_key("team-abc-2025-01-18T12:00:00Z.mp4");
  v1::IngestRecordingResponse ingested;
  ASSERT_TRUE(client_->Call(&Stub::IngestRecording, ingest, &ingested).ok());

  std::string text = Scrape();
  for (int i = 0;
       i < 200 &&
       Sample(text, "videoplatform_ingest_downloads_total{result=\"retry\"}") !=
           1;
       ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    text = Scrape();
  }
  EXPECT_EQ(
      Sample(text, "videoplatform_ingest_downloads_total{result=\"retry\"}"),
      1);
  EXPECT_EQ(Sample(text,
                   "videoplatform_ingest_download_failures_total{code="
                   "\"UNAVAILABLE\"}"),
            1);
  EXPECT_EQ(Sample(text, "videoplatform_ingest_jobs{state=\"pending\"}"), 1);
  EXPECT_EQ(Sample(text, "videoplatform_ingest_jobs{state=\"ready\"}"), 0);
  EXPECT_GE(Sample(text, "videoplatform_ingest_oldest_pending_seconds"), 0);
  EXPECT_EQ(Sample(text, "videoplatform_ingest_bytes_downloaded_total"), 0);
}

}  // namespace
}  // namespace videoplatform::testing
