#include "tests/e2e/signed_webhooks.h"

#include "absl/strings/str_cat.h"
#include "providers/http/openssl_cli.h"

namespace videoplatform::testing {

using ::videoplatform::providers::http::testing::
    CliHmacSha256Base64WithBase64Key;
using ::videoplatform::providers::http::testing::CliHmacSha256Hex;

v1::WebhookHeader Header(const std::string& name, const std::string& value) {
  v1::WebhookHeader header;
  header.set_name(name);
  header.set_value(value);
  return header;
}

v1::HandleWebhookRequest SignedWhereby(const std::string& body,
                                       const std::string& secret,
                                       absl::Time when) {
  const std::string t = absl::StrCat(absl::ToUnixSeconds(when));
  v1::HandleWebhookRequest request;
  request.set_platform("whereby");
  request.set_body(body);
  *request.add_headers() = Header("Content-Type", "application/json");
  *request.add_headers() = Header(
      "Whereby-Signature",
      absl::StrCat("t=", t, ",v1=", CliHmacSha256Hex(secret, t + "." + body)));
  return request;
}

v1::HandleWebhookRequest SignedDaily(const std::string& body,
                                     const std::string& base64_secret,
                                     absl::Time when) {
  const std::string ts = absl::StrCat(absl::ToUnixMillis(when));
  v1::HandleWebhookRequest request;
  request.set_platform("daily");
  request.set_body(body);
  *request.add_headers() = Header("Content-Type", "application/json");
  *request.add_headers() = Header("X-Webhook-Timestamp", ts);
  *request.add_headers() =
      Header("X-Webhook-Signature",
             CliHmacSha256Base64WithBase64Key(base64_secret, ts + "." + body));
  return request;
}

}  // namespace videoplatform::testing
