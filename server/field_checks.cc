#include "server/field_checks.h"

#include "absl/strings/str_cat.h"

namespace videoplatform::server {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

}  // namespace

absl::Status CheckOptionalText(absl::string_view value, absl::string_view field,
                               size_t max_length) {
  if (value.size() > max_length) {
    return Invalid(field, absl::StrCat("must be at most ", max_length,
                                       " bytes, got ", value.size()));
  }
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return Invalid(field, "must not contain control characters");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRequiredText(absl::string_view value, absl::string_view field,
                               size_t max_length) {
  if (value.empty()) return Invalid(field, "is required");
  return CheckOptionalText(value, field, max_length);
}

absl::StatusOr<int> CheckPageSize(int32_t page_size, absl::string_view field,
                                  int default_size, int max_size) {
  if (page_size == 0) return default_size;
  if (page_size < 0 || page_size > max_size) {
    return Invalid(field, absl::StrCat("must be between 0 and ", max_size,
                                       ", got ", page_size));
  }
  return page_size;
}

absl::Status CheckEnum(int value, bool (*is_valid)(int),
                       absl::string_view field) {
  if (is_valid(value)) return absl::OkStatus();
  return Invalid(field, absl::StrCat("unknown enum value ", value));
}

}  // namespace videoplatform::server
