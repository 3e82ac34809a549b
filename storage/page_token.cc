#include "storage/page_token.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace videoplatform::storage {
namespace {

// Longest field accepted when decoding; tokens are small.
constexpr size_t kMaxFieldSize = 4096;

void AppendField(absl::string_view field, std::string* out) {
  absl::StrAppend(out, field.size(), ":", field);
}

// Reads "<decimal length>:<bytes>" from the front of `*in`.
bool ConsumeField(absl::string_view* in, std::string* field) {
  const size_t colon = in->find(':');
  if (colon == absl::string_view::npos || colon == 0 || colon > 5) {
    return false;
  }
  const absl::string_view digits = in->substr(0, colon);
  for (const char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  size_t size = 0;
  if (!absl::SimpleAtoi(digits, &size) || size > kMaxFieldSize) return false;
  in->remove_prefix(colon + 1);
  if (in->size() < size) return false;
  *field = std::string(in->substr(0, size));
  in->remove_prefix(size);
  return true;
}

absl::Status Malformed() {
  return absl::InvalidArgumentError(
      "page_token: malformed; pass the next_page_token of a previous page");
}

}  // namespace

std::string EncodePageToken(absl::string_view kind,
                            const std::vector<std::string>& fields) {
  std::string raw;
  AppendField(kind, &raw);
  for (const std::string& field : fields) AppendField(field, &raw);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::vector<std::string>> DecodePageToken(
    absl::string_view token, absl::string_view kind, size_t num_fields) {
  std::string raw;
  if (token.empty() || !absl::WebSafeBase64Unescape(token, &raw)) {
    return Malformed();
  }
  absl::string_view in = raw;
  std::string token_kind;
  if (!ConsumeField(&in, &token_kind)) return Malformed();
  if (token_kind != kind) {
    return absl::InvalidArgumentError("page_token belongs to a different list");
  }
  std::vector<std::string> fields(num_fields);
  for (std::string& field : fields) {
    if (!ConsumeField(&in, &field)) return Malformed();
  }
  if (!in.empty()) return Malformed();
  return fields;
}

}  // namespace videoplatform::storage
