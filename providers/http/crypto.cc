#include "providers/http/crypto.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace videoplatform::providers::http {
namespace {

constexpr size_t kSha256Bytes = 32;

// INTERNAL "<operation> failed: <OpenSSL's reason>", draining OpenSSL's
// thread-local error queue so a later call does not report this one. The
// reason names the library routine, never a key or data.
absl::Status OpenSslError(absl::string_view operation) {
  std::string reason;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (reason.empty()) reason = buffer;
  }
  if (reason.empty()) reason = "no reason given";
  return absl::InternalError(absl::StrCat(operation, " failed: ", reason));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsBase64Char(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' ||
         c == '/';
}

}  // namespace

absl::StatusOr<std::string> HmacSha256(absl::string_view key,
                                       absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  // An empty key is legal for HMAC; OpenSSL wants a non-null pointer.
  static const unsigned char kEmpty = 0;
  const void* key_ptr =
      key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  const unsigned char* data_ptr =
      data.empty() ? &kEmpty
                   : reinterpret_cast<const unsigned char*>(data.data());
  ERR_clear_error();
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), data_ptr,
           data.size(), digest, &digest_len) == nullptr) {
    return OpenSslError("HMAC-SHA256");
  }
  if (digest_len != kSha256Bytes) {
    return absl::InternalError(absl::StrCat("HMAC-SHA256 failed: gave ",
                                            digest_len, " bytes, not 32"));
  }
  return std::string(reinterpret_cast<const char*>(digest), digest_len);
}

absl::StatusOr<std::string> Sha256(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  ERR_clear_error();
  if (EVP_Digest(data.data(), data.size(), digest, &digest_len, EVP_sha256(),
                 nullptr) != 1) {
    return OpenSslError("SHA-256");
  }
  if (digest_len != kSha256Bytes) {
    return absl::InternalError(
        absl::StrCat("SHA-256 failed: gave ", digest_len, " bytes, not 32"));
  }
  return std::string(reinterpret_cast<const char*>(digest), digest_len);
}

std::string HexEncode(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::optional<std::string> HexDecode(absl::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

absl::StatusOr<std::string> Base64Encode(absl::string_view bytes) {
  if (bytes.empty()) return std::string();
  const size_t expected = 4 * ((bytes.size() + 2) / 3);
  // EVP_EncodeBlock writes 4 bytes per 3 (rounded up) plus a NUL.
  std::string out(expected + 1, '\0');
  ERR_clear_error();
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  if (n < 0 || static_cast<size_t>(n) != expected) {
    return OpenSslError("base64 encoding");
  }
  out.resize(expected);
  return out;
}

std::optional<std::string> Base64Decode(absl::string_view text) {
  // Validate strictly first: EVP_DecodeBlock skips leading and trailing
  // whitespace and does not report padding, so it alone is too lenient.
  size_t data_len = text.size();
  size_t padding = 0;
  while (data_len > 0 && text[data_len - 1] == '=') {
    --data_len;
    ++padding;
  }
  if (padding > 2) return std::nullopt;
  for (size_t i = 0; i < data_len; ++i) {
    if (!IsBase64Char(text[i])) return std::nullopt;
  }
  // A final group of one character encodes no whole byte.
  if (data_len % 4 == 1) return std::nullopt;
  if (padding > 0 && (data_len + padding) % 4 != 0) return std::nullopt;
  if (data_len == 0) return std::string();

  std::string padded(text.substr(0, data_len));
  const size_t missing = (4 - data_len % 4) % 4;
  padded.append(missing, '=');
  std::string out(3 * (padded.size() / 4), '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(padded.data()),
                      static_cast<int>(padded.size()));
  if (n < 0 || static_cast<size_t>(n) != out.size()) return std::nullopt;
  // EVP_DecodeBlock counts the bytes behind '=' padding as zeros.
  out.resize(out.size() - missing);
  return out;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.empty() || b.empty() || a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace videoplatform::providers::http
