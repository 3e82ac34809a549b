#include "server/common/logging.h"

#include <memory>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "spdlog/sinks/ostream_sink.h"

namespace videoplatform {
namespace {

using ::testing::MatchesRegex;

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("t", sink));
  }
  void TearDown() override { spdlog::set_default_logger(nullptr); }

  std::ostringstream out_;
};

TEST_F(LoggingTest, JsonLinesCarryScopedAndPerLineFields) {
  ConfigureLogging(LogFormat::kJson);
  {
    LogFields rpc({{"rpc", "CreateMeeting"}, {"request_id", "abc"}});
    LogWithFields(spdlog::level::warn, "failed \"quoted\"",
                  {{"code", "NOT_FOUND"}});
  }
  spdlog::info("plain");
  std::istringstream lines(out_.str());
  std::string first, second;
  ASSERT_TRUE(std::getline(lines, first));
  ASSERT_TRUE(std::getline(lines, second));
  const nlohmann::json a = nlohmann::json::parse(first);
  EXPECT_EQ(a["level"], "warning");
  EXPECT_EQ(a["message"], "failed \"quoted\"");
  EXPECT_EQ(a["rpc"], "CreateMeeting");
  EXPECT_EQ(a["request_id"], "abc");
  EXPECT_EQ(a["code"], "NOT_FOUND");
  EXPECT_THAT(a["time"].get<std::string>(),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"));
  const nlohmann::json b = nlohmann::json::parse(second);
  EXPECT_EQ(b["message"], "plain");
  EXPECT_FALSE(b.contains("rpc"));  // the scope ended
}

TEST_F(LoggingTest, JsonNeverThrowsOnInvalidUtf8) {
  ConfigureLogging(LogFormat::kJson);
  LogWithFields(spdlog::level::info, "bad \xff byte", {{"k", "\xfe"}});
  const nlohmann::json line = nlohmann::json::parse(out_.str());
  EXPECT_EQ(line["level"], "info");
}

TEST_F(LoggingTest, TextAppendsFieldsQuotingOddValues) {
  ConfigureLogging(LogFormat::kText);
  LogWithFields(spdlog::level::info, "done",
                {{"rpc", "GetMeeting"}, {"why", "two words"}});
  EXPECT_THAT(out_.str(), MatchesRegex("[0-9T:.-]+Z info done rpc=GetMeeting "
                                       "why=\"two words\"\n"));
}

TEST(ParseLogFormatTest, AcceptsTextAndJsonOnly) {
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(ParseLogFormat("xml").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConfigureLoggingFromFlagsTest, RejectsAnUnknownLevelNamingTheFlag) {
  const absl::Status status = ConfigureLoggingFromFlags("text", "verbose");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              ::testing::HasSubstr("--log_level must be debug, info, warning "
                                   "or error, not \"verbose\""));
  EXPECT_EQ(ConfigureLoggingFromFlags("xml", "info").code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace videoplatform
