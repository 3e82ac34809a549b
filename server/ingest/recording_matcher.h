// Finds the meeting a provider recording belongs to, the way the backend
// does today (docs/provider-apis.md 1.3 and 2.5):
// - Whereby: the object key is "<room>-<ISO-8601 start>.mp4" (URL-decoded
//   first); the meeting is the Whereby meeting whose room_name is "/<room>"
//   (the closest start when several share it).
// - Daily: the meeting is the Daily meeting with the recording's room name
//   whose start is closest to the recording's start (the newest when the
//   start is unknown). The room and start come from the request, else from
//   the object key "<domain>/<room>/<start ms>[-...]".
// - Other platforms: by room name like Daily, when one is given.
// An explicit meeting id is handled by the caller (it wins).
// Thread-safe (the store is).
#ifndef VIDEOPLATFORM_SERVER_INGEST_RECORDING_MATCHER_H_
#define VIDEOPLATFORM_SERVER_INGEST_RECORDING_MATCHER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/recording_store.h"

namespace videoplatform::ingest {

// What Whereby's object key says.
struct WherebyObjectName {
  std::string room_name;  // With the leading "/", as meetings store it.
  absl::Time start_time;
};

// nullopt when `key` (after percent-decoding; a folder prefix is ignored)
// is not "<room>-<RFC 3339 time>.<ext>".
std::optional<WherebyObjectName> ParseWherebyObjectKey(absl::string_view key);

// What a Daily object key "<domain>/<room>/<start ms>[-...]" says; fields
// are empty/unset when the key does not have that shape.
struct DailyObjectName {
  std::string room_name;
  std::optional<absl::Time> start_time;
};
DailyObjectName ParseDailyObjectKey(absl::string_view key);

struct MatchInput {
  std::string platform;
  std::string s3_key;     // Empty for URL sources.
  std::string room_name;  // As the caller gave it; may be empty.
  std::optional<absl::Time> start_time;
};

struct MatchResult {
  std::string meeting_id;  // Empty: unmatched.
  // The room and start used (from the input, else read from the key).
  std::string room_name;
  std::optional<absl::Time> start_time;
};

absl::StatusOr<MatchResult> MatchRecording(storage::RecordingStore& store,
                                           const MatchInput& input);

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_RECORDING_MATCHER_H_
