#include "server/ingest/testing/sigv4_check.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace videoplatform::ingest::testing {
namespace {

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string Hmac(absl::string_view key, absl::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
       &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

absl::Status Denied(absl::string_view code, absl::string_view text) {
  return absl::PermissionDeniedError(absl::StrCat(code, ": ", text));
}

// "a  b " -> "a b".
std::string CanonicalValue(absl::string_view value) {
  std::string out;
  bool space = false;
  for (char c : absl::StripAsciiWhitespace(value)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

absl::Status CheckSigV4(
    const std::string& method, const std::string& target,
    const std::function<std::string(const std::string&)>& header,
    const SigV4Key& key) {
  const std::string authorization_header = header("authorization");
  absl::string_view authorization = authorization_header;
  if (!absl::ConsumePrefix(&authorization, "AWS4-HMAC-SHA256 ")) {
    return Denied("AccessDenied", "no AWS4-HMAC-SHA256 Authorization header");
  }
  std::string credential, signed_headers, signature;
  for (absl::string_view part : absl::StrSplit(authorization, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, "Credential="))
      credential = std::string(part);
    if (absl::ConsumePrefix(&part, "SignedHeaders="))
      signed_headers = std::string(part);
    if (absl::ConsumePrefix(&part, "Signature=")) signature = std::string(part);
  }
  std::vector<std::string> scope = absl::StrSplit(credential, '/');
  if (scope.size() != 5 || signed_headers.empty() || signature.empty()) {
    return Denied("AccessDenied", "malformed Authorization header");
  }
  if (scope[0] != key.access_key_id) {
    return Denied("InvalidAccessKeyId",
                  "The AWS Access Key Id you provided does not exist.");
  }
  const std::string amz_date = header("x-amz-date");
  const std::string payload_hash = header("x-amz-content-sha256");
  if (amz_date.size() < 8 || payload_hash.empty()) {
    return Denied("AccessDenied", "x-amz-date or x-amz-content-sha256 missing");
  }
  if (scope[1] != amz_date.substr(0, 8) || scope[2] != key.region ||
      scope[3] != key.service || scope[4] != "aws4_request") {
    return Denied("SignatureDoesNotMatch", "credential scope mismatch");
  }

  const size_t question = target.find('?');
  const std::string path = target.substr(0, question);
  std::vector<std::string> query;
  if (question != std::string::npos) {
    for (absl::string_view pair :
         absl::StrSplit(target.substr(question + 1), '&', absl::SkipEmpty())) {
      query.push_back(absl::StrContains(pair, '=') ? std::string(pair)
                                                   : absl::StrCat(pair, "="));
    }
    std::sort(query.begin(), query.end());
  }
  std::string canonical_headers;
  for (absl::string_view name : absl::StrSplit(signed_headers, ';')) {
    absl::StrAppend(&canonical_headers, name, ":",
                    CanonicalValue(header(std::string(name))), "\n");
  }
  const std::string canonical_request =
      absl::StrJoin({method, path, absl::StrJoin(query, "&"), canonical_headers,
                     signed_headers, payload_hash},
                    "\n");
  const std::string scope_text =
      absl::StrJoin({scope[1], scope[2], scope[3], scope[4]}, "/");
  const std::string string_to_sign =
      absl::StrJoin({std::string("AWS4-HMAC-SHA256"), amz_date, scope_text,
                     Sha256Hex(canonical_request)},
                    "\n");
  std::string signing_key = absl::StrCat("AWS4", key.secret_access_key);
  for (const std::string& part : {scope[1], scope[2], scope[3], scope[4]}) {
    signing_key = Hmac(signing_key, part);
  }
  const std::string expected =
      absl::BytesToHexString(Hmac(signing_key, string_to_sign));
  if (expected != signature) {
    return Denied("SignatureDoesNotMatch",
                  "The request signature we calculated does not match the "
                  "signature you provided. Check your key and signing method.");
  }
  return absl::OkStatus();
}

}  // namespace videoplatform::ingest::testing
