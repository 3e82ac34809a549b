// Type-checked reads from webhook JSON, shared by the providers' webhook
// parsers. A provider that sends a number where a string belongs, or leaves
// out a required field, gets INVALID_ARGUMENT naming the JSON path (e.g.
// "whereby webhook: data.numClients: must be an integer"), never a crash.
//
// Usage:
//   FieldReader data(body["data"], "data", &errors);
//   std::string id = data.String("meetingId", kRequired);
//   int n = data.Int("numClients", kRequired);
//   if (!errors.ok()) return errors.status();
// Readers record the first error in the shared FieldErrors and return an
// empty value (""/0/nullptr) for that field. JSON null counts as absent.
// With kDropMistypedOptional, an optional field of the wrong type (or out
// of range) counts as absent instead of being an error: a genuine event is
// not lost over a field the service can do without.
// Thread-compatible; the json must outlive the readers.
#ifndef VIDEOPLATFORM_PROVIDERS_WEBHOOK_JSON_H_
#define VIDEOPLATFORM_PROVIDERS_WEBHOOK_JSON_H_

#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "providers/video_platform.h"

namespace videoplatform::providers::webhook_json {

enum Presence { kOptional, kRequired };

// Parses `body` as a JSON object without exceptions. INVALID_ARGUMENT
// ("<provider> webhook: body is not valid JSON" / "is not a JSON object").
absl::Status ParseObject(absl::string_view provider, absl::string_view body,
                         nlohmann::json* object);

// `time` (finite) as a protobuf Timestamp, to the microsecond.
google::protobuf::Timestamp ToTimestamp(absl::Time time);

// What readers do with an optional field of the wrong type.
enum MistypedOptional { kReportMistypedOptional, kDropMistypedOptional };

// The first error of a parse, prefixed with "<provider> webhook: ".
class FieldErrors {
 public:
  explicit FieldErrors(absl::string_view provider,
                       MistypedOptional mistyped = kReportMistypedOptional)
      : provider_(provider), mistyped_(mistyped) {}
  void Add(absl::string_view path, absl::string_view problem);
  bool ok() const { return first_.empty(); }
  absl::Status status() const;
  MistypedOptional mistyped_optional() const { return mistyped_; }

 private:
  std::string provider_;
  MistypedOptional mistyped_;
  std::string first_;
};

// A verified webhook that cannot be read as an event the service models:
// `parsed` with type UNSPECIFIED, participant, recording and counts
// dropped (id, type and time kept, so re-deliveries are duplicates), and
// ignore_reason = the message of `why` (or of the first field error).
ParsedWebhook Ignore(ParsedWebhook parsed, const absl::Status& why);
ParsedWebhook Ignore(ParsedWebhook parsed, const FieldErrors& errors);

class FieldReader {
 public:
  // `object` may be any JSON value; a non-object (and null) has no fields.
  // `path` names it in errors ("" for the top level).
  FieldReader(const nlohmann::json& object, std::string path,
              FieldErrors* errors);

  bool Has(absl::string_view key) const;  // Present and not null.
  std::string String(absl::string_view key, Presence presence = kOptional);
  // A string that, when required, must not be empty.
  std::string NonEmptyString(absl::string_view key,
                             Presence presence = kOptional);
  // An integer in [min, max]; floats with an integral value count.
  int64_t Int(absl::string_view key, Presence presence = kOptional,
              int64_t min = INT64_MIN, int64_t max = INT64_MAX);
  bool Bool(absl::string_view key, Presence presence = kOptional);
  // A finite number of seconds since the Unix epoch, fractional or not
  // (Daily's event_ts); InfinitePast when absent.
  absl::Time UnixSeconds(absl::string_view key, Presence presence = kOptional);
  // An RFC 3339 time such as "2025-01-18T12:00:00.000Z"; InfinitePast when
  // absent.
  absl::Time Rfc3339(absl::string_view key, Presence presence = kOptional);
  // A finite, non-negative number of seconds, rounded down.
  int64_t DurationSeconds(absl::string_view key, Presence presence = kOptional);
  // nullptr when absent (or on error).
  const nlohmann::json* Object(absl::string_view key,
                               Presence presence = kOptional);
  const nlohmann::json* Array(absl::string_view key,
                              Presence presence = kOptional);

  // The path of a field, for nested readers: "data.tracks".
  std::string PathOf(absl::string_view key) const;
  FieldErrors* errors() const { return errors_; }

 private:
  // The value, or nullptr when absent/null (recording an error if required).
  const nlohmann::json* Find(absl::string_view key, Presence presence);
  // Records a wrong value, unless it is optional and errors drop those.
  void Wrong(absl::string_view key, absl::string_view problem,
             Presence presence = kRequired);

  const nlohmann::json& object_;
  const std::string path_;
  FieldErrors* const errors_;
};

}  // namespace videoplatform::providers::webhook_json

#endif  // VIDEOPLATFORM_PROVIDERS_WEBHOOK_JSON_H_
