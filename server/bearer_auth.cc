#include "server/bearer_auth.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "absl/strings/match.h"
#include "spdlog/spdlog.h"

namespace videoplatform::server {
namespace {

constexpr absl::string_view kBearerPrefix = "Bearer ";

// Comparing fixed-size digests keeps the token's length secret too. Empty
// when OpenSSL fails (e.g. a FIPS-only configuration refuses SHA-256).
std::string Sha256(absl::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(),
                 reinterpret_cast<unsigned char*>(digest.data()), &length,
                 EVP_sha256(), nullptr) != 1 ||
      length != SHA256_DIGEST_LENGTH) {
    ERR_clear_error();
    return std::string();
  }
  return digest;
}

absl::Status DigestFailed() {
  return absl::InternalError(
      "cannot check the bearer token: SHA-256 failed in OpenSSL");
}

}  // namespace

bool IsWebhookRpc(absl::string_view rpc) {
  return rpc == "HandleWebhook" || rpc == "VerifyWebhook";
}

BearerAuth::BearerAuth(std::string token, std::string webhook_token)
    : enabled_(!token.empty()),
      token_digest_(token.empty() ? std::string() : Sha256(token)),
      webhook_enabled_(!webhook_token.empty()),
      webhook_digest_(webhook_token.empty() ? std::string()
                                            : Sha256(webhook_token)) {}

absl::Status BearerAuth::Check(const grpc::ServerContext& context,
                               absl::string_view rpc) const {
  if (!enabled()) return absl::OkStatus();
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "missing \"authorization: Bearer <token>\" metadata");
  }
  return CheckHeader(absl::string_view(it->second.data(), it->second.size()),
                     rpc);
}

absl::Status BearerAuth::CheckHeader(absl::string_view authorization,
                                     absl::string_view rpc) const {
  if (!enabled()) return absl::OkStatus();
  if (!absl::StartsWithIgnoreCase(authorization, kBearerPrefix)) {
    return absl::UnauthenticatedError(
        "authorization metadata must be \"Bearer <token>\"");
  }
  // Fail closed: without both digests nothing matches.
  const std::string digest = Sha256(authorization.substr(kBearerPrefix.size()));
  if (digest.size() != SHA256_DIGEST_LENGTH ||
      token_digest_.size() != SHA256_DIGEST_LENGTH) {
    spdlog::error("bearer token check failed, call rejected: SHA-256 failed");
    return DigestFailed();
  }
  if (CRYPTO_memcmp(digest.data(), token_digest_.data(), digest.size()) == 0) {
    return absl::OkStatus();
  }
  if (webhook_enabled_) {
    if (webhook_digest_.size() != SHA256_DIGEST_LENGTH) {
      spdlog::error("bearer token check failed, call rejected: SHA-256 failed");
      return DigestFailed();
    }
    if (CRYPTO_memcmp(digest.data(), webhook_digest_.data(), digest.size()) ==
        0) {
      if (IsWebhookRpc(rpc)) return absl::OkStatus();
      return absl::PermissionDeniedError(
          "the webhook token (VIDEOPLATFORM_WEBHOOK_TOKEN) is accepted for "
          "HandleWebhook and VerifyWebhook only");
    }
  }
  return absl::UnauthenticatedError("invalid bearer token");
}

}  // namespace videoplatform::server
