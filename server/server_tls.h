// gRPC server transport security from PEM files (--tls_cert, --tls_key,
// optional --tls_client_ca for mutual TLS).
#ifndef VIDEOPLATFORM_SERVER_SERVER_TLS_H_
#define VIDEOPLATFORM_SERVER_SERVER_TLS_H_

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace videoplatform::server {

struct TlsFiles {
  // PEM certificate chain (leaf first) and its private key. Both or neither.
  std::string cert_path;
  std::string key_path;
  // PEM CA bundle client certificates must chain to; when set, a client
  // without a valid certificate is refused (mutual TLS). Needs cert and key.
  std::string client_ca_path;

  bool enabled() const { return !cert_path.empty() || !key_path.empty(); }
};

// Insecure credentials when `files` is empty; else TLS credentials from the
// files, checked first (readable, PEM, the key matches the certificate) so a
// mistake stops the server at start with INVALID_ARGUMENT naming the flag.
// The key's bytes never appear in errors.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const TlsFiles& files);

// Client side (the shim calling the service): insecure credentials when
// `ca_path` is empty; else TLS trusting the PEM CA bundle at `ca_path`,
// with the client certificate `cert_path` and key `key_path` when set
// (mutual TLS; both or neither). INVALID_ARGUMENT naming `flag_prefix` +
// "ca"/"cert"/"key" for a bad file.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const std::string& flag_prefix, const std::string& ca_path,
    const std::string& cert_path, const std::string& key_path);

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_SERVER_TLS_H_
