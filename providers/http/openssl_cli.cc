#include "providers/http/openssl_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace videoplatform::providers::http::testing {
namespace {

std::string TempDir() {
  const char* dir = getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

// Writes `data` to a fresh file and returns its path.
std::string WriteTemp(const std::string& data) {
  std::string path = absl::StrCat(TempDir(), "/cliXXXXXX");
  const int fd = mkstemp(path.data());
  if (fd < 0) abort();
  close(fd);
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return path;
}

// Runs `command` with /bin/sh and returns its trimmed standard output;
// aborts on failure so a broken tool cannot make a test pass.
std::string Run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) abort();
  std::string out;
  char buffer[256];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, n);
  if (pclose(pipe) != 0) {
    fprintf(stderr, "command failed: %s\n", command.c_str());
    abort();
  }
  return std::string(absl::StripAsciiWhitespace(out));
}

}  // namespace

std::string CliHmacSha256Hex(const std::string& key, const std::string& data) {
  const std::string file = WriteTemp(data);
  // -r prints "<hex> *<file>".
  std::string out = Run(
      absl::StrCat("openssl dgst -sha256 -hmac '", key, "' -r '", file, "'"));
  unlink(file.c_str());
  return out.substr(0, out.find(' '));
}

std::string CliHmacSha256Base64WithBase64Key(const std::string& base64_key,
                                             const std::string& data) {
  const std::string key_file = WriteTemp(base64_key);
  const std::string hex_key = Run(absl::StrCat(
      "base64 -d '", key_file, "' | od -An -v -tx1 | tr -d ' \\n'"));
  const std::string file = WriteTemp(data);
  std::string out = Run(
      absl::StrCat("openssl dgst -sha256 -mac HMAC -macopt hexkey:", hex_key,
                   " -binary '", file, "' | base64 -w0"));
  unlink(file.c_str());
  unlink(key_file.c_str());
  return out;
}

}  // namespace videoplatform::providers::http::testing
