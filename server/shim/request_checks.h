// Checks the shim makes once a request's headers are in, before any body
// byte is read: route, method, header size, body framing and declared size.
#ifndef VIDEOPLATFORM_SERVER_SHIM_REQUEST_CHECKS_H_
#define VIDEOPLATFORM_SERVER_SHIM_REQUEST_CHECKS_H_

#include <httplib.h>

#include <cstddef>
#include <optional>

#include "server/shim/http_answer.h"

namespace videoplatform::shim {

struct RequestLimits {
  // Largest webhook body accepted, declared (Content-Length) or received
  // (chunked). The API accepts at most 1 MiB.
  size_t max_body_bytes = 1 << 20;
  // Largest sum of header name and value sizes, and most header fields.
  // (cpp-httplib itself refuses a header line above 8 KiB with 400.)
  size_t max_header_bytes = 32 << 10;
  size_t max_header_count = 100;
};

// The rejection for `request`, or nullopt when it may proceed to its route.
// In order: 404 unknown path; 405 (with Allow) wrong method; 431 headers too
// large; and for webhook routes: 501 a transfer coding other than chunked,
// 400 both Content-Length and Transfer-Encoding, 400 a malformed or
// conflicting Content-Length, 411 neither, 413 a declared body above the
// limit, 415 a Content-Encoding (the signature covers the bytes as sent) or
// a multipart body. Pure; thread-safe.
std::optional<HttpAnswer> CheckRequest(const httplib::Request& request,
                                       const RequestLimits& limits);

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_REQUEST_CHECKS_H_
