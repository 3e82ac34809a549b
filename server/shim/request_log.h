// One spdlog line per HTTP request:
//
//   http POST /v1/whereby 200 platform=whereby outcome=applied 3.2ms
//
// Never header values or body bytes. An unknown path is logged escaped and
// cut to 64 bytes; an ignored webhook's reason (from the service) is added.
//
// The fields of the request being served are kept per thread: cpp-httplib
// serves a request, from its pre-routing handler to its logger call, on one
// worker thread. Begin() starts a request, the Set* calls fill it, End()
// (called from httplib's logger, after the answer is written) logs it and
// clears the fields. A request httplib refuses before Begin() (a malformed
// request line) is logged without platform, outcome and duration.
#ifndef VIDEOPLATFORM_SERVER_SHIM_REQUEST_LOG_H_
#define VIDEOPLATFORM_SERVER_SHIM_REQUEST_LOG_H_

#include <httplib.h>

#include "absl/strings/string_view.h"
#include "server/shim/http_answer.h"

namespace videoplatform::shim::request_log {

void Begin();
void SetPlatform(absl::string_view platform);
// The answer's outcome and log detail.
void SetAnswer(const HttpAnswer& answer);
void End(const httplib::Request& request, const httplib::Response& response);

}  // namespace videoplatform::shim::request_log

#endif  // VIDEOPLATFORM_SERVER_SHIM_REQUEST_LOG_H_
