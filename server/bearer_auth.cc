#include "server/bearer_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "absl/strings/match.h"

namespace videoplatform::server {
namespace {

constexpr absl::string_view kBearerPrefix = "Bearer ";

// Comparing fixed-size digests keeps the token's length secret too.
std::string Sha256(absl::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

}  // namespace

BearerAuth::BearerAuth(std::string token)
    : token_digest_(token.empty() ? std::string() : Sha256(token)) {}

absl::Status BearerAuth::Check(const grpc::ServerContext& context) const {
  if (!enabled()) return absl::OkStatus();
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "missing \"authorization: Bearer <token>\" metadata");
  }
  return CheckHeader(absl::string_view(it->second.data(), it->second.size()));
}

absl::Status BearerAuth::CheckHeader(absl::string_view authorization) const {
  if (!enabled()) return absl::OkStatus();
  if (!absl::StartsWithIgnoreCase(authorization, kBearerPrefix)) {
    return absl::UnauthenticatedError(
        "authorization metadata must be \"Bearer <token>\"");
  }
  const std::string digest = Sha256(authorization.substr(kBearerPrefix.size()));
  if (CRYPTO_memcmp(digest.data(), token_digest_.data(), digest.size()) != 0) {
    return absl::UnauthenticatedError("invalid bearer token");
  }
  return absl::OkStatus();
}

}  // namespace videoplatform::server
