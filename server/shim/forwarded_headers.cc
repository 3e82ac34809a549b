#include "server/shim/forwarded_headers.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace videoplatform::shim {
namespace {

constexpr absl::string_view kNeverForwarded[] = {
    // Credentials.
    "authorization", "proxy-authorization", "cookie",
    // Hop-by-hop.
    "connection", "keep-alive", "proxy-connection", "te", "trailer",
    "transfer-encoding", "upgrade", "expect",
    // cpp-httplib adds these to every request it parses.
    "remote_addr", "remote_port", "local_addr", "local_port"};

}  // namespace

std::vector<ForwardedHeader> ForwardedHeaders(const httplib::Headers& headers) {
  absl::flat_hash_set<std::string> dropped(std::begin(kNeverForwarded),
                                           std::end(kNeverForwarded));
  // Headers named by Connection are hop-by-hop too.
  for (auto [it, end] = headers.equal_range("Connection"); it != end; ++it) {
    for (absl::string_view token :
         absl::StrSplit(it->second, ',', absl::SkipWhitespace())) {
      dropped.insert(absl::AsciiStrToLower(absl::StripAsciiWhitespace(token)));
    }
  }
  std::vector<ForwardedHeader> forwarded;
  forwarded.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    std::string lower = absl::AsciiStrToLower(name);
    if (dropped.contains(lower)) continue;
    forwarded.push_back({std::move(lower), value});
  }
  return forwarded;
}

bool IsValidUtf8(absl::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    const unsigned char lead = static_cast<unsigned char>(bytes[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    // The smallest and largest allowed value of the second byte (RFC 3629
    // section 4), which rules out overlong forms, surrogates and values
    // above U+10FFFF.
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (bytes.size() - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char c = static_cast<unsigned char>(bytes[i + k]);
      if (k == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF)) {
        return false;
      }
    }
    i += length;
  }
  return true;
}

}  // namespace videoplatform::shim
