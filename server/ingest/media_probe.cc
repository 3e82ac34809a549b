#include "server/ingest/media_probe.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "server/ingest/subprocess.h"

namespace videoplatform::ingest {
namespace {

constexpr size_t kMaxReasonLength = 300;

// ffprobe writes numbers as JSON strings ("2.000000"); 0 when absent.
double NumberField(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end()) return 0;
  double value = 0;
  if (it->is_string() && absl::SimpleAtod(it->get<std::string>(), &value)) {
    return value;
  }
  if (it->is_number()) return it->get<double>();
  return 0;
}

// ffprobe's first error line, without the "file:<path>: " prefix.
std::string ProbeReason(const std::string& stderr_text,
                        const std::string& input) {
  std::string text = absl::StrReplaceAll(stderr_text, {{input + ": ", ""}});
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    // "[mov,mp4,... @ 0x55d0c1a2b3c0] moov atom not found": drop the
    // demuxer's address.
    if (absl::StartsWith(line, "[")) {
      const size_t close = line.find("] ");
      if (close != absl::string_view::npos) line.remove_prefix(close + 2);
    }
    if (line.empty()) continue;
    return std::string(line.substr(0, kMaxReasonLength));
  }
  return "ffprobe found no media in it";
}

}  // namespace

absl::StatusOr<MediaFacts> ParseFfprobeJson(absl::string_view json) {
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError(
        "not a media file: ffprobe printed no JSON");
  }
  auto format = doc.find("format");
  auto streams = doc.find("streams");
  if (format == doc.end() || !format->is_object() || streams == doc.end() ||
      !streams->is_array() || streams->empty()) {
    return absl::InvalidArgumentError(
        "not a media file: no container format or no streams");
  }
  MediaFacts facts;
  facts.container = format->value("format_name", "");
  facts.duration_seconds = NumberField(*format, "duration");
  double longest_stream = 0;
  for (const nlohmann::json& stream : *streams) {
    if (!stream.is_object()) continue;
    const std::string type = stream.value("codec_type", "");
    longest_stream = std::max(longest_stream, NumberField(stream, "duration"));
    if (type == "audio") facts.has_audio = true;
    if (type == "video") {
      // Cover art is a one-picture "video" stream; it is not video.
      auto disposition = stream.find("disposition");
      const bool cover = disposition != stream.end() &&
                         disposition->is_object() &&
                         disposition->value("attached_pic", 0) == 1;
      if (!cover) facts.has_video = true;
    }
  }
  if (facts.duration_seconds <= 0) facts.duration_seconds = longest_stream;
  return facts;
}

absl::StatusOr<MediaFacts> ProbeMedia(const std::string& path,
                                      const MediaProbeOptions& options) {
  // "file:" keeps a path with ':' from naming a protocol, and a leading '-'
  // from being read as an option.
  const std::string input = absl::StrCat("file:", path);
  absl::StatusOr<ProcessResult> run = RunProcess(
      {options.ffprobe, "-v", "error", "-print_format", "json", "-show_format",
       "-show_streams", "-protocol_whitelist", "file", input},
      options.timeout, /*max_output_bytes=*/4 << 20);
  if (!run.ok()) {
    // A probe that cannot run says nothing about the file: never
    // INVALID_ARGUMENT or FAILED_PRECONDITION, which condemn it.
    const absl::StatusCode code =
        run.status().code() == absl::StatusCode::kDeadlineExceeded
            ? absl::StatusCode::kDeadlineExceeded
            : absl::StatusCode::kInternal;
    return absl::Status(code,
                        absl::StrCat("media probe: ", run.status().message()));
  }
  if (run->exit_code != 0) {
    if (run->term_signal != 0) {
      return absl::InternalError(absl::StrCat(
          "media probe: ffprobe killed by signal ", run->term_signal));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "not a media file: ", ProbeReason(run->stderr_text, input)));
  }
  return ParseFfprobeJson(run->stdout_text);
}

absl::StatusOr<MediaFacts> CheckRecording(const std::string& path,
                                          const MediaProbeOptions& options) {
  absl::StatusOr<MediaFacts> facts = ProbeMedia(path, options);
  if (!facts.ok()) return facts;
  if (!facts->has_audio) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no audio stream (container ", facts->container,
        facts->has_video ? ", video only)" : ", no audio or video)"));
  }
  return facts;
}

}  // namespace videoplatform::ingest
