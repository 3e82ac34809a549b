// Opaque page tokens: a kind tag plus string fields, length-prefixed and
// web-safe base64 encoded, so any bytes round-trip. Not signed or
// encrypted: a token only says where the next page starts, and a decoded
// token is validated like any other input. Thread-safe (pure).
#ifndef VIDEOPLATFORM_STORAGE_PAGE_TOKEN_H_
#define VIDEOPLATFORM_STORAGE_PAGE_TOKEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace videoplatform::storage {

std::string EncodePageToken(absl::string_view kind,
                            const std::vector<std::string>& fields);

// The fields of a token made by EncodePageToken(kind, <num_fields fields>).
// INVALID_ARGUMENT mentioning "page_token" for anything else.
absl::StatusOr<std::vector<std::string>> DecodePageToken(
    absl::string_view token, absl::string_view kind, size_t num_fields);

}  // namespace videoplatform::storage

#endif  // VIDEOPLATFORM_STORAGE_PAGE_TOKEN_H_
