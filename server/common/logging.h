// Log output of the daemons: spdlog writes; this module chooses the line
// format and carries structured fields.
//
//   text (default): 2026-12-02T10:00:00.000Z info message key=value ...
//   json:           {"time":"...","level":"info","message":"...","key":"value"}
//
// Fields come from LogFields scopes on the logging thread (e.g. the RPC
// being served and its x-request-id) and from LogWithFields.
// Never put secrets in messages or fields.
#ifndef VIDEOPLATFORM_SERVER_COMMON_LOGGING_H_
#define VIDEOPLATFORM_SERVER_COMMON_LOGGING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "spdlog/spdlog.h"

namespace videoplatform {

enum class LogFormat { kText, kJson };

// "text" or "json"; INVALID_ARGUMENT naming --log_format otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

// Sets the default logger's formatter. Call once in main, before threads log.
void ConfigureLogging(LogFormat format);

// ConfigureLogging from --log_format ("text"/"json") and sets the level from
// --log_level ("debug", "info", "warning", "error"). INVALID_ARGUMENT naming
// the flag for other values.
absl::Status ConfigureLoggingFromFlags(absl::string_view format,
                                       absl::string_view level);

using LogField = std::pair<std::string, std::string>;

// Adds `fields` to every line logged by this thread while the object lives.
// Scopes nest; inner fields come after outer ones. Not movable.
class LogFields {
 public:
  explicit LogFields(std::vector<LogField> fields);
  ~LogFields();
  LogFields(const LogFields&) = delete;
  LogFields& operator=(const LogFields&) = delete;

 private:
  size_t previous_size_;
};

// Logs `message` at `level` with `fields` added for this line only.
void LogWithFields(spdlog::level::level_enum level, absl::string_view message,
                   std::vector<LogField> fields);

}  // namespace videoplatform

#endif  // VIDEOPLATFORM_SERVER_COMMON_LOGGING_H_
