#include "server/shim/status_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace videoplatform::shim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::HandleWebhookResponse Outcome(v1::WebhookOutcome outcome) {
  v1::HandleWebhookResponse response;
  response.set_outcome(outcome);
  response.set_detail("unknown room");
  return response;
}

TEST(StatusMappingTest, OkIs200ForEveryOutcome) {
  HttpAnswer answer = AnswerForWebhookResult(
      grpc::Status::OK, Outcome(v1::WEBHOOK_OUTCOME_APPLIED));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "applied\n");
  EXPECT_EQ(answer.log_detail, "");
  answer = AnswerForWebhookResult(grpc::Status::OK,
                                  Outcome(v1::WEBHOOK_OUTCOME_DUPLICATE));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "duplicate\n");
  answer = AnswerForWebhookResult(grpc::Status::OK,
                                  Outcome(v1::WEBHOOK_OUTCOME_IGNORED));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "ignored\n");
  EXPECT_EQ(answer.log_detail, "unknown room");
  answer = AnswerForWebhookResult(grpc::Status::OK,
                                  Outcome(static_cast<v1::WebhookOutcome>(42)));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.outcome, "outcome_42");
}

TEST(StatusMappingTest, ErrorsByCode) {
  const struct {
    grpc::StatusCode code;
    int http;
    const char* outcome;
  } cases[] = {
      {grpc::StatusCode::UNAUTHENTICATED, 401, "UNAUTHENTICATED"},
      {grpc::StatusCode::INVALID_ARGUMENT, 400, "INVALID_ARGUMENT"},
      {grpc::StatusCode::UNAVAILABLE, 503, "UNAVAILABLE"},
      {grpc::StatusCode::DEADLINE_EXCEEDED, 503, "DEADLINE_EXCEEDED"},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, 503, "RESOURCE_EXHAUSTED"},
      {grpc::StatusCode::CANCELLED, 500, "CANCELLED"},
      {grpc::StatusCode::UNKNOWN, 500, "UNKNOWN"},
      {grpc::StatusCode::NOT_FOUND, 500, "NOT_FOUND"},
      {grpc::StatusCode::ALREADY_EXISTS, 500, "ALREADY_EXISTS"},
      {grpc::StatusCode::PERMISSION_DENIED, 500, "PERMISSION_DENIED"},
      {grpc::StatusCode::FAILED_PRECONDITION, 500, "FAILED_PRECONDITION"},
      {grpc::StatusCode::ABORTED, 500, "ABORTED"},
      {grpc::StatusCode::OUT_OF_RANGE, 500, "OUT_OF_RANGE"},
      {grpc::StatusCode::UNIMPLEMENTED, 500, "UNIMPLEMENTED"},
      {grpc::StatusCode::INTERNAL, 500, "INTERNAL"},
      {grpc::StatusCode::DATA_LOSS, 500, "DATA_LOSS"},
  };
  for (const auto& c : cases) {
    const HttpAnswer answer =
        AnswerForWebhookResult(grpc::Status(c.code, "secret message"),
                               Outcome(v1::WEBHOOK_OUTCOME_APPLIED));
    EXPECT_EQ(answer.status, c.http) << c.outcome;
    EXPECT_EQ(answer.outcome, c.outcome);
    EXPECT_FALSE(answer.body.empty());
    EXPECT_THAT(answer.body, Not(HasSubstr("secret")));
    EXPECT_THAT(answer.log_detail, Not(HasSubstr("secret")));
  }
}

}  // namespace
}  // namespace videoplatform::shim
