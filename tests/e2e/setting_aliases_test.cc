// The backend's and the specification's names for the recording-bucket
// settings work as aliases of the canonical ones; two names of one setting
// set to different values stop the server, naming both and neither value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

v1::IngestRecordingRequest WherebyObject(const std::string& bucket) {
  v1::IngestRecordingRequest request;
  request.set_platform("whereby");
  request.mutable_s3_object()->set_bucket(bucket);
  request.mutable_s3_object()->set_key("team-abc-2025-01-18T12:00:00Z.mp4");
  return request;
}

TEST(SettingAliasesTest, TheBackendsBucketNamesConfigureIngestion) {
  ServerProcessOptions options;
  options.env = {
      {"DEFAULT_VIDEO_PLATFORM", "mock"},
      {"WHEREBY_API_KEY", "whereby-key"},
      {"WHEREBY_STORAGE_AWS_BUCKET_NAME", "backend-bucket"},
      {"WHEREBY_STORAGE_AWS_REGION", "eu-west-1"},
      {"AWS_WHEREBY_ACCESS_KEY_ID", "AKIAEXAMPLE"},
      {"WHEREBY_STORAGE_AWS_SECRET_ACCESS_KEY", "secret-example"},
      // Nothing listens there: downloads fail fast, registration is checked.
      {"RECORDINGS_S3_ENDPOINT", "http://127.0.0.1:1"},
  };
  auto server = ServerProcess::Start(std::move(options));
  ASSERT_TRUE(server.ok()) << server.status();
  RpcClient client((*server)->Channel());

  v1::IngestRecordingResponse response;
  const grpc::Status accepted = client.Call(
      &Stub::IngestRecording, WherebyObject("backend-bucket"), &response);
  EXPECT_TRUE(accepted.ok()) << accepted.error_message();
  const grpc::Status refused = client.Call(
      &Stub::IngestRecording, WherebyObject("another-bucket"), &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << refused.error_message();
}

TEST(SettingAliasesTest, TwoNamesSetDifferentlyStopTheServer) {
  ServerProcessOptions options;
  options.env = {{"DAILY_S3_BUCKET", "first-value"},
                 {"DAILYCO_STORAGE_AWS_BUCKET_NAME", "second-value"}};
  std::string output;
  auto code = RunServerToExit(std::move(options), absl::Seconds(20), &output);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_NE(*code, 0);
  EXPECT_THAT(output, AllOf(HasSubstr("DAILY_S3_BUCKET"),
                            HasSubstr("DAILYCO_STORAGE_AWS_BUCKET_NAME"),
                            Not(HasSubstr("first-value")),
                            Not(HasSubstr("second-value"))));
}

TEST(SettingAliasesTest, TwoNamesSetAlikeAreFine) {
  ServerProcessOptions options;
  options.env = {{"DEFAULT_VIDEO_PLATFORM", "mock"},
                 {"DAILY_S3_BUCKET", "same"},
                 {"AWS_DAILY_S3_BUCKET", "same"}};
  auto server = ServerProcess::Start(std::move(options));
  EXPECT_TRUE(server.ok()) << server.status();
}

}  // namespace
}  // namespace videoplatform::testing
