#include "server/ingest/recording_matcher.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/status_macros.h"

namespace videoplatform::ingest {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding as S3 event notifications encode keys ('+' is a space).
// A malformed escape is kept as it is.
std::string UrlDecode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 +
                                      HexValue(text[i + 2])));
      i += 2;
    } else if (c == '+') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The candidate closest to `start` (the newest, listed first, without one).
std::string Closest(
    const std::vector<storage::RecordingStore::MeetingCandidate>& candidates,
    const std::optional<absl::Time>& start) {
  if (candidates.empty()) return "";
  if (!start.has_value()) return candidates.front().meeting_id;
  const storage::RecordingStore::MeetingCandidate* best = &candidates.front();
  for (const auto& candidate : candidates) {
    if (absl::AbsDuration(candidate.start_time - *start) <
        absl::AbsDuration(best->start_time - *start)) {
      best = &candidate;
    }
  }
  return best->meeting_id;
}

}  // namespace

std::optional<WherebyObjectName> ParseWherebyObjectKey(absl::string_view key) {
  std::string name = UrlDecode(key);
  if (const size_t slash = name.rfind('/'); slash != std::string::npos) {
    name = name.substr(slash + 1);
  }
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string stem = name.substr(0, dot);
  // The time starts at the "-YYYY-MM-DDT" before the last 'T'.
  const size_t t = stem.rfind('T');
  if (t == std::string::npos || t < 11) return std::nullopt;
  const size_t dash = t - 11;  // "-" + "YYYY-MM-DD"
  if (stem[dash] != '-' || dash == 0) return std::nullopt;
  absl::Time start;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, stem.substr(dash + 1), &start,
                       &error)) {
    return std::nullopt;
  }
  return WherebyObjectName{absl::StrCat("/", stem.substr(0, dash)), start};
}

DailyObjectName ParseDailyObjectKey(absl::string_view key) {
  DailyObjectName name;
  const std::vector<absl::string_view> parts = absl::StrSplit(key, '/');
  if (parts.size() < 3 || parts[parts.size() - 2].empty()) return name;
  name.room_name = std::string(parts[parts.size() - 2]);
  const absl::string_view last = parts.back();
  size_t digits = 0;
  while (digits < last.size() && absl::ascii_isdigit(last[digits])) ++digits;
  int64_t millis = 0;
  // Unix milliseconds have 13 digits from 2001 to 2286.
  if (digits == 13 && absl::SimpleAtoi(last.substr(0, digits), &millis)) {
    name.start_time = absl::FromUnixMillis(millis);
  }
  return name;
}

absl::StatusOr<MatchResult> MatchRecording(storage::RecordingStore& store,
                                           const MatchInput& input) {
  MatchResult result;
  result.room_name = input.room_name;
  result.start_time = input.start_time;
  if (input.platform == "whereby") {
    if (!input.s3_key.empty()) {
      if (std::optional<WherebyObjectName> object =
              ParseWherebyObjectKey(input.s3_key)) {
        if (result.room_name.empty()) result.room_name = object->room_name;
        if (!result.start_time.has_value()) {
          result.start_time = object->start_time;
        }
      }
    }
    // Whereby's room names start with "/"; webhooks and callers may omit it.
    if (!result.room_name.empty() && result.room_name[0] != '/') {
      result.room_name = absl::StrCat("/", result.room_name);
    }
  } else if (input.platform == "daily" && !input.s3_key.empty()) {
    DailyObjectName object = ParseDailyObjectKey(input.s3_key);
    if (result.room_name.empty()) result.room_name = object.room_name;
    if (!result.start_time.has_value()) result.start_time = object.start_time;
  }
  if (result.room_name.empty()) return result;
  ASSIGN_OR_RETURN(
      const std::vector<storage::RecordingStore::MeetingCandidate> candidates,
      store.FindMeetingsByRoomName(input.platform, result.room_name));
  result.meeting_id = Closest(candidates, result.start_time);
  return result;
}

}  // namespace videoplatform::ingest
