// Which request headers the shim passes on to HandleWebhook.
#ifndef VIDEOPLATFORM_SERVER_SHIM_FORWARDED_HEADERS_H_
#define VIDEOPLATFORM_SERVER_SHIM_FORWARDED_HEADERS_H_

#include <httplib.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace videoplatform::shim {

struct ForwardedHeader {
  std::string name;  // Lower case.
  std::string value;
};

// Every header of `headers` with its name lower-cased, except:
//  - credentials: authorization, proxy-authorization, cookie (the service
//    authenticates webhooks by their signature; these must not leak);
//  - hop-by-hop headers (RFC 9110 7.6.1): connection, keep-alive,
//    proxy-connection, te, trailer, transfer-encoding, upgrade, expect, and
//    any header the Connection header names;
//  - cpp-httplib's pseudo-headers remote_addr, remote_port, local_addr,
//    local_port.
// Repeated headers stay separate entries. Pure; thread-safe.
std::vector<ForwardedHeader> ForwardedHeaders(const httplib::Headers& headers);

// Whether `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), i.e. fit for a proto `string`.
// Header values may hold any byte but CR, LF and NUL (obs-text), so they
// travel as bytes; the text form is only sent when it is lossless. Pure.
bool IsValidUtf8(absl::string_view bytes);

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_FORWARDED_HEADERS_H_
