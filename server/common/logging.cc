#include "server/common/logging.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "spdlog/formatter.h"
#include "spdlog/pattern_formatter.h"

namespace videoplatform {
namespace {

// The fields of this thread's open LogFields scopes and LogWithFields call.
thread_local std::vector<LogField> thread_fields;

std::string Timestamp(const spdlog::details::log_msg& message) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                          absl::FromChrono(message.time), absl::UTCTimeZone());
}

absl::string_view LevelName(spdlog::level::level_enum level) {
  const spdlog::string_view_t name = spdlog::level::to_string_view(level);
  return absl::string_view(name.data(), name.size());
}

// Text values with spaces, quotes or control bytes are JSON-quoted, so a
// line always splits back into its fields.
std::string TextValue(const std::string& value) {
  for (const char c : value) {
    if (c == ' ' || c == '"' || c == '=' ||
        static_cast<unsigned char>(c) < 0x20) {
      return nlohmann::json(value).dump(
          -1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  return value.empty() ? "\"\"" : value;
}

class TextFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message,
              spdlog::memory_buf_t& out) override {
    std::string line = absl::StrCat(
        Timestamp(message), " ", LevelName(message.level), " ",
        absl::string_view(message.payload.data(), message.payload.size()));
    for (const auto& [key, value] : thread_fields) {
      absl::StrAppend(&line, " ", key, "=", TextValue(value));
    }
    line.push_back('\n');
    out.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }
};

class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message,
              spdlog::memory_buf_t& out) override {
    nlohmann::ordered_json line;
    line["time"] = Timestamp(message);
    line["level"] = std::string(LevelName(message.level));
    line["message"] =
        std::string(message.payload.data(), message.payload.size());
    for (const auto& [key, value] : thread_fields) {
      if (key != "time" && key != "level" && key != "message") {
        line[key] = value;
      }
    }
    // Invalid UTF-8 (from a client's bytes) is replaced, never thrown on.
    std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    out.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--log_format must be text or json, not \"", name, "\""));
}

void ConfigureLogging(LogFormat format) {
  if (format == LogFormat::kJson) {
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
  } else {
    spdlog::set_formatter(std::make_unique<TextFormatter>());
  }
}

absl::Status ConfigureLoggingFromFlags(absl::string_view format,
                                       absl::string_view level) {
  const absl::StatusOr<LogFormat> parsed = ParseLogFormat(format);
  if (!parsed.ok()) return parsed.status();
  spdlog::level::level_enum threshold;
  if (level == "debug") {
    threshold = spdlog::level::debug;
  } else if (level == "info") {
    threshold = spdlog::level::info;
  } else if (level == "warning") {
    threshold = spdlog::level::warn;
  } else if (level == "error") {
    threshold = spdlog::level::err;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--log_level must be debug, info, warning or error, not \"", level,
        "\""));
  }
  ConfigureLogging(*parsed);
  spdlog::set_level(threshold);
  return absl::OkStatus();
}

LogFields::LogFields(std::vector<LogField> fields)
    : previous_size_(thread_fields.size()) {
  for (LogField& field : fields) thread_fields.push_back(std::move(field));
}

LogFields::~LogFields() { thread_fields.resize(previous_size_); }

void LogWithFields(spdlog::level::level_enum level, absl::string_view message,
                   std::vector<LogField> fields) {
  const LogFields scope(std::move(fields));
  spdlog::log(level, "{}", std::string(message));
}

}  // namespace videoplatform
