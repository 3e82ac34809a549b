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

}  // namespace videoplatform::shim
