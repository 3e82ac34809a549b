#include "server/ingest/s3_url.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <memory>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace videoplatform::ingest {
namespace {

bool IsUnreserved(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string PercentEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsUnreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The endpoint without trailing '/', or INVALID_ARGUMENT.
absl::StatusOr<std::string> CheckEndpoint(absl::string_view endpoint) {
  auto refuse = [](absl::string_view reason) {
    return absl::InvalidArgumentError(absl::StrCat("s3 endpoint: ", reason));
  };
  struct Deleter {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
  };
  std::unique_ptr<CURLU, Deleter> url(curl_url());
  const std::string text(endpoint);
  if (url == nullptr ||
      curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return refuse("not a valid URL");
  }
  auto part = [&](CURLUPart which) -> std::optional<std::string> {
    char* value = nullptr;
    if (curl_url_get(url.get(), which, &value, 0) != CURLUE_OK ||
        value == nullptr) {
      return std::nullopt;
    }
    std::string result(value);
    curl_free(value);
    return result;
  };
  const std::string scheme =
      absl::AsciiStrToLower(part(CURLUPART_SCHEME).value_or(""));
  if (scheme != "http" && scheme != "https") {
    return refuse("scheme must be http or https");
  }
  if (part(CURLUPART_USER) || part(CURLUPART_PASSWORD)) {
    return refuse("user info is not allowed (credentials go in the keys)");
  }
  if (part(CURLUPART_QUERY) || part(CURLUPART_FRAGMENT)) {
    return refuse("query and fragment are not allowed");
  }
  if (!part(CURLUPART_HOST)) return refuse("no host");
  return std::string(absl::StripSuffix(absl::StripSuffix(text, "/"), "/"));
}

}  // namespace

absl::Status ValidateS3Bucket(absl::string_view bucket) {
  auto refuse = [&](absl::string_view reason) {
    return absl::InvalidArgumentError(absl::StrCat("s3 bucket: ", reason));
  };
  if (bucket.size() < 3 || bucket.size() > 63) {
    return refuse("must be 3 to 63 characters");
  }
  for (char c : bucket) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '.' &&
        c != '-') {
      return refuse("only lower-case letters, digits, '.' and '-'");
    }
  }
  if (!absl::ascii_isalnum(bucket.front()) ||
      !absl::ascii_isalnum(bucket.back())) {
    return refuse("must start and end with a letter or digit");
  }
  if (absl::StrContains(bucket, "..")) return refuse("must not contain \"..\"");
  unsigned char buf[4];
  if (inet_pton(AF_INET, std::string(bucket).c_str(), buf) == 1) {
    return refuse("must not be an IP address");
  }
  return absl::OkStatus();
}

absl::Status ValidateS3Key(absl::string_view key) {
  if (key.empty()) return absl::InvalidArgumentError("s3 key: empty");
  if (key.size() > 1024) {
    return absl::InvalidArgumentError("s3 key: longer than 1024 bytes");
  }
  for (unsigned char c : key) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("s3 key: control characters");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateS3Credentials(const S3Credentials& credentials) {
  if (credentials.region.empty() || credentials.region.size() > 64 ||
      !std::all_of(
          credentials.region.begin(), credentials.region.end(), [](char c) {
            return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
          })) {
    return absl::InvalidArgumentError(
        "s3 region: must be lower-case letters, digits and '-', e.g. "
        "us-east-1");
  }
  if (credentials.access_key_id.empty() ||
      !std::all_of(credentials.access_key_id.begin(),
                   credentials.access_key_id.end(),
                   [](char c) { return absl::ascii_isgraph(c) && c != ':'; })) {
    return absl::InvalidArgumentError(
        "s3 access key id: missing or not printable");
  }
  if (credentials.secret_access_key.empty()) {
    return absl::InvalidArgumentError("s3 secret access key: missing");
  }
  return absl::OkStatus();
}

std::string EncodeS3Key(absl::string_view key) {
  std::vector<std::string> segments;
  for (absl::string_view segment : absl::StrSplit(key, '/')) {
    segments.push_back(PercentEncode(segment));
  }
  return absl::StrJoin(segments, "/");
}

absl::StatusOr<std::string> S3ObjectUrl(const S3Credentials& credentials,
                                        absl::string_view bucket,
                                        absl::string_view key) {
  if (absl::Status s = ValidateS3Bucket(bucket); !s.ok()) return s;
  if (absl::Status s = ValidateS3Key(key); !s.ok()) return s;
  if (absl::Status s = ValidateS3Credentials(credentials); !s.ok()) return s;
  const std::string path = EncodeS3Key(key);
  if (credentials.endpoint.empty()) {
    if (absl::StrContains(bucket, '.')) {
      return absl::StrCat("https://s3.", credentials.region, ".amazonaws.com/",
                          bucket, "/", path);
    }
    return absl::StrCat("https://", bucket, ".s3.", credentials.region,
                        ".amazonaws.com/", path);
  }
  absl::StatusOr<std::string> endpoint = CheckEndpoint(credentials.endpoint);
  if (!endpoint.ok()) return endpoint.status();
  return absl::StrCat(*endpoint, "/", bucket, "/", path);
}

std::string S3SigV4Provider(absl::string_view region) {
  return absl::StrCat("aws:amz:", region, ":s3");
}

}  // namespace videoplatform::ingest
