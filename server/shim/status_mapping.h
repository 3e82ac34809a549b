// clang-format off
// The shim's HTTP answers: the one table of them all.
//
// | condition                                              | HTTP | body      |
// |--------------------------------------------------------|------|-----------|
// | HandleWebhook OK, outcome APPLIED                      | 200  | applied   |
// | HandleWebhook OK, outcome DUPLICATE                    | 200  | duplicate |
// | HandleWebhook OK, outcome IGNORED (unknown room or     | 200  | ignored   |
// |   type, test ping: Daily disables a subscription after |      |           |
// |   a few failed deliveries)                             |      |           |
// | HandleWebhook OK, any other outcome                    | 200  | ok        |
// | UNAUTHENTICATED (missing, wrong or stale signature)    | 401  | reason    |
// | INVALID_ARGUMENT (body not the provider's JSON)        | 400  | reason    |
// | UNAVAILABLE (also: service unreachable),               | 503  | reason    |
// |   DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (Whereby       |      |           |
// |   retries only 5xx, so it tries again)                 |      |           |
// | any other gRPC code                                    | 500  | reason    |
// | body above --max_body_bytes: Content-Length checked    | 413  | reason    |
// |   before reading (an excess up to 64 KiB is read and   |      |           |
// |   dropped first), chunked bodies while reading         |      |           |
// | no Content-Length and not chunked                      | 411  | reason    |
// | malformed or conflicting Content-Length; unreadable    | 400  | reason    |
// |   body; malformed request line (cpp-httplib)           |      |           |
// | Transfer-Encoding other than chunked                   | 501  | reason    |
// | Content-Encoding, or a multipart body                  | 415  | reason    |
// | headers above the header limits                        | 431  | reason    |
// | known path, wrong method                               | 405  | reason +  |
// |                                                        |      | Allow     |
// | unknown path                                           | 404  | reason    |
// | GET /healthz                                           | 200  | ok        |
// | GET /readyz: the service's health check SERVING        | 200  | ready     |
// | GET /readyz: otherwise (down, NOT_SERVING, timeout)    | 503  | reason    |
//
// Bodies are short text/plain lines; none carries a secret, a header value,
// a byte of the request body or the service's error message.
// clang-format on
#ifndef VIDEOPLATFORM_SERVER_SHIM_STATUS_MAPPING_H_
#define VIDEOPLATFORM_SERVER_SHIM_STATUS_MAPPING_H_

#include <grpcpp/support/status.h>

#include "server/shim/http_answer.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::shim {

// The HTTP answer for HandleWebhook's result (the first rows of the table).
// `response` is read only when `status` is OK. Pure; thread-safe.
HttpAnswer AnswerForWebhookResult(const grpc::Status& status,
                                  const v1::HandleWebhookResponse& response);

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_STATUS_MAPPING_H_
