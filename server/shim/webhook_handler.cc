#include "server/shim/webhook_handler.h"

#include <utility>

#include "server/shim/forwarded_headers.h"
#include "server/shim/status_mapping.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::shim {

void WebhookHandler::Handle(const Route& route, const httplib::Request& head,
                            std::string body,
                            std::function<void(HttpAnswer)> answer) {
  switch (route.kind) {
    case RouteKind::kLiveness:
      answer(TextAnswer(200, "ok", "live"));
      return;
    case RouteKind::kReadiness:
      client_.IsServingAsync([answer = std::move(answer)](bool serving) {
        answer(serving
                   ? TextAnswer(200, "ready", "serving")
                   : TextAnswer(503, "not ready: the service is not serving",
                                "not_serving"));
      });
      return;
    case RouteKind::kWebhook:
      break;
  }
  v1::HandleWebhookRequest call;
  call.set_platform(std::string(route.platform));
  for (ForwardedHeader& header : ForwardedHeaders(head.headers)) {
    v1::WebhookHeader* added = call.add_headers();
    added->set_name(std::move(header.name));
    // The exact bytes always; the text form (kept for v1 services) only
    // when it is lossless: a proto string must be valid UTF-8.
    if (IsValidUtf8(header.value)) added->set_value(header.value);
    added->set_raw_value(std::move(header.value));
  }
  call.set_body(std::move(body));
  client_.HandleWebhookAsync(
      std::move(call),
      [answer = std::move(answer)](grpc::Status status,
                                   v1::HandleWebhookResponse response) {
        answer(AnswerForWebhookResult(status, response));
      });
}

}  // namespace videoplatform::shim
