// Media files for tests, generated with ffmpeg (Debian's ffmpeg package) so
// validation runs on real containers. Each takes well under a second.
#ifndef VIDEOPLATFORM_SERVER_INGEST_TESTING_MEDIA_FIXTURES_H_
#define VIDEOPLATFORM_SERVER_INGEST_TESTING_MEDIA_FIXTURES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace videoplatform::ingest::testing {

// MP4 with a 440 Hz tone and a 64x64 picture, like a Whereby recording.
absl::Status MakeAudioVideoMp4(const std::string& path, int seconds = 2);
// MP4 with video only (what the backend rejects: nothing to transcribe).
absl::Status MakeVideoOnlyMp4(const std::string& path, int seconds = 2);
// WebM with Opus audio only and no extension, like Daily's raw tracks.
absl::Status MakeAudioOnlyWebm(const std::string& path, int seconds = 2);
// A text file.
absl::Status MakeNonMedia(const std::string& path);

absl::StatusOr<std::string> ReadFile(const std::string& path);
absl::Status WriteFile(const std::string& path, const std::string& content);
// Lower-case hex SHA-256 of a file's bytes (computed independently of the
// downloader's incremental hash, in one piece).
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);
bool FileExists(const std::string& path);

}  // namespace videoplatform::ingest::testing

#endif  // VIDEOPLATFORM_SERVER_INGEST_TESTING_MEDIA_FIXTURES_H_
