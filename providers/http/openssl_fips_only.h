// Test only: makes OpenSSL behave as under a FIPS-only configuration on a
// machine without the FIPS provider (`default_properties = fips=yes`), so
// every algorithm fetch (HMAC, SHA-256, ...) fails, as it did in the field.
// Restores the default properties when it goes out of scope. Not
// thread-safe: no other thread may use OpenSSL meanwhile.
#ifndef VIDEOPLATFORM_PROVIDERS_HTTP_OPENSSL_FIPS_ONLY_H_
#define VIDEOPLATFORM_PROVIDERS_HTTP_OPENSSL_FIPS_ONLY_H_

#include <openssl/err.h>
#include <openssl/evp.h>

namespace videoplatform::providers::http::testing {

class ScopedFipsOnlyOpenSsl {
 public:
  ScopedFipsOnlyOpenSsl() {
    ok_ = EVP_set_default_properties(nullptr, "fips=yes") == 1;
  }
  ~ScopedFipsOnlyOpenSsl() {
    EVP_set_default_properties(nullptr, "");
    ERR_clear_error();
  }
  ScopedFipsOnlyOpenSsl(const ScopedFipsOnlyOpenSsl&) = delete;
  ScopedFipsOnlyOpenSsl& operator=(const ScopedFipsOnlyOpenSsl&) = delete;

  // Whether the properties were set.
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

}  // namespace videoplatform::providers::http::testing

#endif  // VIDEOPLATFORM_PROVIDERS_HTTP_OPENSSL_FIPS_ONLY_H_
