// Provider webhooks signed the way Whereby and Daily sign them, with the
// signatures computed by the openssl command-line tool (independently of the
// code under test).
#ifndef VIDEOPLATFORM_TESTS_E2E_SIGNED_WEBHOOKS_H_
#define VIDEOPLATFORM_TESTS_E2E_SIGNED_WEBHOOKS_H_

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::testing {

v1::WebhookHeader Header(const std::string& name, const std::string& value);

// Whereby-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">,
// keyed with `secret` as text.
v1::HandleWebhookRequest SignedWhereby(const std::string& body,
                                       const std::string& secret,
                                       absl::Time when = absl::Now());

// X-Webhook-Signature: base64 HMAC-SHA256 of "<X-Webhook-Timestamp>.<body>",
// keyed with the base64-decoded `base64_secret`; the timestamp in ms.
v1::HandleWebhookRequest SignedDaily(const std::string& body,
                                     const std::string& base64_secret,
                                     absl::Time when = absl::Now());

}  // namespace videoplatform::testing

#endif  // VIDEOPLATFORM_TESTS_E2E_SIGNED_WEBHOOKS_H_
