#include "server/shim/status_mapping.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace videoplatform::shim {
namespace {

HttpAnswer OkAnswer(const v1::HandleWebhookResponse& response) {
  HttpAnswer answer;
  answer.status = 200;
  switch (response.outcome()) {
    case v1::WEBHOOK_OUTCOME_APPLIED:
      answer.outcome = "applied";
      break;
    case v1::WEBHOOK_OUTCOME_DUPLICATE:
      answer.outcome = "duplicate";
      break;
    case v1::WEBHOOK_OUTCOME_IGNORED:
      answer.outcome = "ignored";
      answer.log_detail = response.detail();
      break;
    default:
      // OK means the service committed the event; an outcome this shim does
      // not know (a newer service) is still a success.
      answer.body = "ok\n";
      answer.outcome = absl::StrCat("outcome_", response.outcome());
      return answer;
  }
  answer.body = answer.outcome + "\n";
  return answer;
}

}  // namespace

HttpAnswer AnswerForWebhookResult(const grpc::Status& status,
                                  const v1::HandleWebhookResponse& response) {
  if (status.ok()) return OkAnswer(response);
  // gRPC and Abseil share code numbers.
  const std::string code = absl::StatusCodeToString(
      static_cast<absl::StatusCode>(status.error_code()));
  switch (status.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED:
      return TextAnswer(401, "missing, invalid or stale webhook signature",
                        code);
    case grpc::StatusCode::INVALID_ARGUMENT:
      return TextAnswer(400, "malformed webhook", code);
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return TextAnswer(503, "service unavailable, retry later", code);
    default:
      return TextAnswer(500, "internal error", code);
  }
}

}  // namespace videoplatform::shim
