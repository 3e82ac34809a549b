#include "server/server_tls.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace videoplatform::server {
namespace {

// At most this many bytes of PEM per file (a long chain is a few KiB).
constexpr std::streamsize kMaxPemBytes = 1 << 20;

absl::StatusOr<std::string> ReadPem(const std::string& flag,
                                    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read ", path));
  }
  std::string text(kMaxPemBytes + 1, '\0');
  in.read(text.data(), kMaxPemBytes + 1);
  text.resize(in.gcount());
  if (text.size() > static_cast<size_t>(kMaxPemBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": ", path, " is larger than 1 MiB"));
  }
  if (text.find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": ", path, " is not a PEM file"));
  }
  return text;
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

std::unique_ptr<BIO, BioDeleter> MemoryBio(const std::string& text) {
  return std::unique_ptr<BIO, BioDeleter>(
      BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// OK when `cert_pem` holds a certificate, `key_pem` a private key, and the
// key belongs to the certificate.
absl::Status CheckPair(const std::string& cert_pem, const std::string& key_pem,
                       const TlsFiles& files) {
  std::unique_ptr<X509, X509Deleter> cert(
      PEM_read_bio_X509(MemoryBio(cert_pem).get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_cert: ", files.cert_path, " holds no PEM certificate"));
  }
  // No passphrase callback: an encrypted key fails here, not at a prompt.
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(PEM_read_bio_PrivateKey(
      MemoryBio(key_pem).get(), nullptr,
      [](char*, int, int, void*) { return 0; }, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_key: ", files.key_path,
                     " holds no unencrypted PEM private key"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_key: ", files.key_path,
                     " does not match the certificate in ", files.cert_path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const TlsFiles& files) {
  if (!files.enabled()) {
    if (!files.client_ca_path.empty()) {
      return absl::InvalidArgumentError(
          "--tls_client_ca needs --tls_cert and --tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  if (files.cert_path.empty() || files.key_path.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert and --tls_key must be set together");
  }
  absl::StatusOr<std::string> cert = ReadPem("tls_cert", files.cert_path);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem("tls_key", files.key_path);
  if (!key.ok()) return key.status();
  if (absl::Status status = CheckPair(*cert, *key, files); !status.ok()) {
    return status;
  }
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!files.client_ca_path.empty()) {
    absl::StatusOr<std::string> ca =
        ReadPem("tls_client_ca", files.client_ca_path);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const std::string& flag_prefix, const std::string& ca_path,
    const std::string& cert_path, const std::string& key_path) {
  if (ca_path.empty()) {
    if (!cert_path.empty() || !key_path.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag_prefix, "cert and --", flag_prefix,
                       "key need --", flag_prefix, "ca"));
    }
    return grpc::InsecureChannelCredentials();
  }
  if (cert_path.empty() != key_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag_prefix,
                                                   "cert and --", flag_prefix,
                                                   "key must be set together"));
  }
  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> ca = ReadPem(flag_prefix + "ca", ca_path);
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *ca;
  if (!cert_path.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(flag_prefix + "cert", cert_path);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(flag_prefix + "key", key_path);
    if (!key.ok()) return key.status();
    const TlsFiles pair = {.cert_path = cert_path, .key_path = key_path};
    if (absl::Status status = CheckPair(*cert, *key, pair); !status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag_prefix, "key/cert: ", status.message()));
    }
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  return grpc::SslCredentials(options);
}

}  // namespace videoplatform::server
