// Small cryptographic helpers shared by the providers' webhook checks.
// Everything is OpenSSL underneath; nothing here is hand-written crypto.
// All functions are pure and thread-safe.
//
// Fail closed: every operation that can fail inside OpenSSL (HMAC, digest,
// base64 encoding) returns absl::StatusOr, INTERNAL naming the operation
// and OpenSSL's reason (never a key or the data) when it fails, e.g. when
// an OpenSSL configuration (a FIPS-only one) refuses an algorithm. Callers
// must reject on any error, never compare an empty result.
#ifndef VIDEOPLATFORM_PROVIDERS_HTTP_CRYPTO_H_
#define VIDEOPLATFORM_PROVIDERS_HTTP_CRYPTO_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace videoplatform::providers::http {

// The raw 32-byte HMAC-SHA256 of `data` keyed with `key` (OpenSSL HMAC()).
// INTERNAL when OpenSSL fails or gives anything but 32 bytes.
absl::StatusOr<std::string> HmacSha256(absl::string_view key,
                                       absl::string_view data);

// The raw 32-byte SHA-256 of `data` (EVP_Digest). INTERNAL as above.
absl::StatusOr<std::string> Sha256(absl::string_view data);

// Lower-case hexadecimal.
std::string HexEncode(absl::string_view bytes);
// Decodes upper- or lower-case hex; nullopt for odd lengths or non-hex.
std::optional<std::string> HexDecode(absl::string_view hex);

// Standard (RFC 4648 section 4) base64 with '=' padding (EVP_EncodeBlock).
// INTERNAL when OpenSSL's output is not the expected length.
absl::StatusOr<std::string> Base64Encode(absl::string_view bytes);
// Decodes standard base64 (EVP_DecodeBlock). Padding is optional; the
// decoded length accounts for it. nullopt for any character outside the
// alphabet (whitespace included), misplaced '=' or an impossible length:
// the input is wrong, not the library.
std::optional<std::string> Base64Decode(absl::string_view text);

// Compares in time that depends only on the lengths (CRYPTO_memcmp).
// False when either side is empty: an empty signature or an empty expected
// value (a failed computation) never matches anything.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace videoplatform::providers::http

#endif  // VIDEOPLATFORM_PROVIDERS_HTTP_CRYPTO_H_
