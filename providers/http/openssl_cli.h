// Test only: expected webhook signatures computed by the openssl and
// coreutils command-line tools, independently of the code under test.
// Inputs go through files, so any bytes (non-ASCII, NUL) are fine; keys are
// passed on the command line and must not contain single quotes.
#ifndef VIDEOPLATFORM_PROVIDERS_HTTP_OPENSSL_CLI_H_
#define VIDEOPLATFORM_PROVIDERS_HTTP_OPENSSL_CLI_H_

#include <string>

namespace videoplatform::providers::http::testing {

// `openssl dgst -sha256 -hmac KEY`: lower-case hex.
std::string CliHmacSha256Hex(const std::string& key, const std::string& data);

// base64(HMAC-SHA256) keyed with the bytes of base64-decoded `base64_key`:
// `base64 -d | od` for the key, `openssl dgst -sha256 -mac HMAC -macopt
// hexkey:... -binary | base64 -w0` for the signature.
std::string CliHmacSha256Base64WithBase64Key(const std::string& base64_key,
                                             const std::string& data);

}  // namespace videoplatform::providers::http::testing

#endif  // VIDEOPLATFORM_PROVIDERS_HTTP_OPENSSL_CLI_H_
