#include "server/ingest/testing/media_fixtures.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/ingest/subprocess.h"

namespace videoplatform::ingest::testing {
namespace {

absl::Status Ffmpeg(std::vector<std::string> args, const std::string& path) {
  std::vector<std::string> argv = {"ffmpeg", "-hide_banner", "-loglevel",
                                   "error",  "-nostdin",     "-y"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(path);
  absl::StatusOr<ProcessResult> run = RunProcess(argv, absl::Seconds(60));
  if (!run.ok()) return run.status();
  if (run->exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("ffmpeg failed for ", path, ": ", run->stderr_text));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status MakeAudioVideoMp4(const std::string& path, int seconds) {
  return Ffmpeg(
      {"-f", "lavfi", "-i",
       absl::StrCat("sine=frequency=440:duration=", seconds), "-f", "lavfi",
       "-i", absl::StrCat("color=size=64x64:duration=", seconds), "-shortest",
       "-f", "mp4"},
      path);
}

absl::Status MakeVideoOnlyMp4(const std::string& path, int seconds) {
  return Ffmpeg(
      {"-f", "lavfi", "-i", absl::StrCat("color=size=64x64:duration=", seconds),
       "-f", "mp4"},
      path);
}

absl::Status MakeAudioOnlyWebm(const std::string& path, int seconds) {
  return Ffmpeg({"-f", "lavfi", "-i",
                 absl::StrCat("sine=frequency=440:duration=", seconds), "-c:a",
                 "libopus", "-f", "webm"},
                path);
}

absl::Status MakeNonMedia(const std::string& path) {
  return WriteFile(path, "This is a meeting agenda, not a recording.\n");
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

absl::Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::string> Sha256OfFile(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(content->data(), content->size(), digest, &length,
                 EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("EVP_Digest");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

}  // namespace videoplatform::ingest::testing
