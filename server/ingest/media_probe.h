// Validation of a downloaded recording: it must be a media container with
// at least one audio stream (as Reflector requires before transcription).
//
// Contract:
// - Probes with `ffprobe -v error -print_format json -show_format
//   -show_streams` (Debian's ffmpeg package) run without a shell and with a
//   time limit (subprocess.h). The file is opened through the "file:"
//   protocol only (-protocol_whitelist file), so a playlist disguised as a
//   recording cannot make ffprobe fetch URLs.
// - ProbeMedia() describes any readable media file; CheckRecording() adds
//   the audio requirement. Errors:
//     INVALID_ARGUMENT "not a media file: <ffprobe's reason>"  unreadable
//     FAILED_PRECONDITION "no audio stream (...)"             no audio
//     INTERNAL "media probe: cannot run ffprobe: ..."          not installed
//     DEADLINE_EXCEEDED                                        probe too slow
// - Thread-safe (each call runs its own ffprobe).
#ifndef VIDEOPLATFORM_SERVER_INGEST_MEDIA_PROBE_H_
#define VIDEOPLATFORM_SERVER_INGEST_MEDIA_PROBE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/ingest/downloader.h"

namespace videoplatform::ingest {

struct MediaProbeOptions {
  // The ffprobe program, looked up in PATH unless it contains a '/'.
  std::string ffprobe = "ffprobe";
  absl::Duration timeout = absl::Seconds(60);
};

// Facts about the media file at `path` (has_audio may be false).
absl::StatusOr<MediaFacts> ProbeMedia(const std::string& path,
                                      const MediaProbeOptions& options);

// ProbeMedia(), then FAILED_PRECONDITION "no audio stream" unless the file
// has audio.
absl::StatusOr<MediaFacts> CheckRecording(const std::string& path,
                                          const MediaProbeOptions& options);

// Parses ffprobe's JSON output (-show_format -show_streams). INVALID_ARGUMENT
// "not a media file" when it lacks a format or streams.
absl::StatusOr<MediaFacts> ParseFfprobeJson(absl::string_view json);

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_MEDIA_PROBE_H_
