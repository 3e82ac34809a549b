#include "providers/webhook_json.h"

#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace videoplatform::providers::webhook_json {

using ::nlohmann::json;

absl::Status ParseObject(absl::string_view provider, absl::string_view body,
                         json* object) {
  // No exceptions: a parse error gives a "discarded" value. The parser also
  // rejects invalid UTF-8 inside strings.
  *object = json::parse(body.begin(), body.end(), /*cb=*/nullptr,
                        /*allow_exceptions=*/false);
  if (object->is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat(provider, " webhook: body is not valid JSON"));
  }
  if (!object->is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(provider, " webhook: body is not a JSON object"));
  }
  return absl::OkStatus();
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  const int64_t micros = absl::ToUnixMicros(time);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {  // Before 1970: nanos stay non-negative.
    rest += 1000000;
    --seconds;
  }
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(rest * 1000));
  return timestamp;
}

void FieldErrors::Add(absl::string_view path, absl::string_view problem) {
  if (!first_.empty()) return;
  first_ = absl::StrCat(path, ": ", problem);
}

absl::Status FieldErrors::status() const {
  if (first_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(provider_, " webhook: ", first_));
}

FieldReader::FieldReader(const json& object, std::string path,
                         FieldErrors* errors)
    : object_(object), path_(std::move(path)), errors_(errors) {}

std::string FieldReader::PathOf(absl::string_view key) const {
  return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", key);
}

void FieldReader::Wrong(absl::string_view key, absl::string_view problem,
                        Presence presence) {
  if (presence == kOptional &&
      errors_->mistyped_optional() == kDropMistypedOptional) {
    return;
  }
  errors_->Add(PathOf(key), problem);
}

ParsedWebhook Ignore(ParsedWebhook parsed, const absl::Status& why) {
  parsed.event.set_type(v1::EVENT_TYPE_UNSPECIFIED);
  parsed.event.clear_participant();
  parsed.event.clear_recording();
  parsed.event.clear_num_clients();
  parsed.num_clients.reset();
  parsed.ignore_reason = std::string(why.message());
  return parsed;
}

ParsedWebhook Ignore(ParsedWebhook parsed, const FieldErrors& errors) {
  return Ignore(std::move(parsed), errors.status());
}

bool FieldReader::Has(absl::string_view key) const {
  if (!object_.is_object()) return false;
  auto it = object_.find(std::string(key));
  return it != object_.end() && !it->is_null();
}

const json* FieldReader::Find(absl::string_view key, Presence presence) {
  const json* value = nullptr;
  if (object_.is_object()) {
    auto it = object_.find(std::string(key));
    if (it != object_.end() && !it->is_null()) value = &*it;
  }
  if (value == nullptr && presence == kRequired) Wrong(key, "is required");
  return value;
}

std::string FieldReader::String(absl::string_view key, Presence presence) {
  const json* value = Find(key, presence);
  if (value == nullptr) return "";
  if (!value->is_string()) {
    Wrong(key, "must be a string", presence);
    return "";
  }
  return value->get_ref<const std::string&>();
}

std::string FieldReader::NonEmptyString(absl::string_view key,
                                        Presence presence) {
  std::string value = String(key, presence);
  if (presence == kRequired && value.empty() && Has(key)) {
    Wrong(key, "must not be empty");
  }
  return value;
}

int64_t FieldReader::Int(absl::string_view key, Presence presence, int64_t min,
                         int64_t max) {
  const json* value = Find(key, presence);
  if (value == nullptr) return 0;
  int64_t number = 0;
  bool ok = false;
  if (value->is_number_unsigned()) {
    const uint64_t u = value->get<uint64_t>();
    ok = u <= static_cast<uint64_t>(INT64_MAX);
    number = ok ? static_cast<int64_t>(u) : 0;
  } else if (value->is_number_integer()) {
    number = value->get<int64_t>();
    ok = true;
  } else if (value->is_number_float()) {
    const double d = value->get<double>();
    // 2^63 is exactly representable; anything at or above it is not an
    // int64.
    ok = std::isfinite(d) && std::floor(d) == d &&
         d >= -9.2233720368547758e18 && d < 9.2233720368547758e18;
    number = ok ? static_cast<int64_t>(d) : 0;
  }
  if (!ok) {
    Wrong(key, "must be an integer", presence);
    return 0;
  }
  if (number < min || number > max) {
    Wrong(key, absl::StrCat("must be in ", min, "..", max, ", got ", number),
          presence);
    return 0;
  }
  return number;
}

bool FieldReader::Bool(absl::string_view key, Presence presence) {
  const json* value = Find(key, presence);
  if (value == nullptr) return false;
  if (!value->is_boolean()) {
    Wrong(key, "must be true or false", presence);
    return false;
  }
  return value->get<bool>();
}

absl::Time FieldReader::UnixSeconds(absl::string_view key, Presence presence) {
  const json* value = Find(key, presence);
  if (value == nullptr) return absl::InfinitePast();
  // Up to the year 5138; ample, and keeps microseconds exact in a double.
  constexpr double kMaxSeconds = 1e11;
  const double seconds = value->is_number() ? value->get<double>() : -1;
  if (!value->is_number() || !std::isfinite(seconds) || seconds < 0 ||
      seconds > kMaxSeconds) {
    Wrong(key, "must be a number of seconds since 1970", presence);
    return absl::InfinitePast();
  }
  return absl::FromUnixMicros(
      static_cast<int64_t>(std::llround(seconds * 1e6)));
}

absl::Time FieldReader::Rfc3339(absl::string_view key, Presence presence) {
  const json* value = Find(key, presence);
  if (value == nullptr) return absl::InfinitePast();
  absl::Time time;
  std::string error;
  if (!value->is_string() ||
      !absl::ParseTime(absl::RFC3339_full, value->get_ref<const std::string&>(),
                       &time, &error) ||
      time == absl::InfinitePast() || time == absl::InfiniteFuture()) {
    Wrong(key, "must be an RFC 3339 time such as 2025-01-18T12:00:00.000Z",
          presence);
    return absl::InfinitePast();
  }
  return time;
}

int64_t FieldReader::DurationSeconds(absl::string_view key, Presence presence) {
  const json* value = Find(key, presence);
  if (value == nullptr) return 0;
  constexpr double kMaxSeconds = 1e12;
  const double seconds = value->is_number() ? value->get<double>() : -1;
  if (!value->is_number() || !std::isfinite(seconds) || seconds < 0 ||
      seconds > kMaxSeconds) {
    Wrong(key, "must be a non-negative number of seconds", presence);
    return 0;
  }
  return static_cast<int64_t>(seconds);
}

const json* FieldReader::Object(absl::string_view key, Presence presence) {
  const json* value = Find(key, presence);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) {
    Wrong(key, "must be an object", presence);
    return nullptr;
  }
  return value;
}

const json* FieldReader::Array(absl::string_view key, Presence presence) {
  const json* value = Find(key, presence);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) {
    Wrong(key, "must be an array", presence);
    return nullptr;
  }
  return value;
}

}  // namespace videoplatform::providers::webhook_json
