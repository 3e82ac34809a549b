#include "server/ingest/media_probe.h"

#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/status_matchers.h"
#include "server/ingest/subprocess.h"
#include "server/ingest/testing/media_fixtures.h"

namespace videoplatform::ingest {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Not;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;
namespace fixtures = ::videoplatform::ingest::testing;

// Real files, generated once with ffmpeg.
class MediaProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir());
    ASSERT_THAT(fixtures::MakeAudioVideoMp4(Path("av.mp4")), IsOk());
    ASSERT_THAT(fixtures::MakeVideoOnlyMp4(Path("video.mp4")), IsOk());
    // Daily's raw tracks are WebM without an extension.
    ASSERT_THAT(
        fixtures::MakeAudioOnlyWebm(Path("1700000000000-u-cam-audio-17")),
        IsOk());
    ASSERT_THAT(fixtures::MakeNonMedia(Path("agenda.mp4")), IsOk());
    ASSERT_THAT(fixtures::MakeNonMedia(Path("agenda.partial")), IsOk());
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string Path(const std::string& name) {
    return *dir_ + "/" + name;
  }
  static std::string* dir_;
};
std::string* MediaProbeTest::dir_ = nullptr;

TEST_F(MediaProbeTest, AudioAndVideoMp4) {
  auto facts = CheckRecording(Path("av.mp4"), {});
  ASSERT_THAT(facts, IsOk());
  EXPECT_THAT(facts->container, HasSubstr("mp4"));
  EXPECT_THAT(facts->duration_seconds, DoubleNear(2.0, 0.1));
  EXPECT_TRUE(facts->has_audio);
  EXPECT_TRUE(facts->has_video);
}

TEST_F(MediaProbeTest, AudioOnlyWebmWithoutExtension) {
  auto facts = CheckRecording(Path("1700000000000-u-cam-audio-17"), {});
  ASSERT_THAT(facts, IsOk());
  EXPECT_THAT(facts->container, HasSubstr("webm"));
  EXPECT_THAT(facts->duration_seconds, DoubleNear(2.0, 0.1));
  EXPECT_TRUE(facts->has_audio);
  EXPECT_FALSE(facts->has_video);
}

TEST_F(MediaProbeTest, VideoOnlyHasNoAudioStream) {
  auto facts = ProbeMedia(Path("video.mp4"), {});
  ASSERT_THAT(facts, IsOk());
  EXPECT_FALSE(facts->has_audio);
  EXPECT_TRUE(facts->has_video);
  EXPECT_THAT(CheckRecording(Path("video.mp4"), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("no audio stream")));
}

TEST_F(MediaProbeTest, TextIsNotAMediaFile) {
  auto facts = CheckRecording(Path("agenda.mp4"), {});
  // ffprobe picks the MP4 demuxer from the extension, which finds no moov.
  EXPECT_THAT(facts, StatusIs(absl::StatusCode::kInvalidArgument,
                              HasSubstr("not a media file: moov atom")));
  // The local path stays out of the message.
  EXPECT_THAT(std::string(facts.status().message()), Not(HasSubstr(*dir_)));
}

TEST_F(MediaProbeTest, TextWithoutMediaExtensionIsNotAMediaFile) {
  EXPECT_THAT(CheckRecording(Path("agenda.partial"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a media file: Invalid data found")));
}

TEST_F(MediaProbeTest, MissingFileIsNotAMediaFile) {
  EXPECT_THAT(CheckRecording(Path("nope.mp4"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a media file")));
}

TEST_F(MediaProbeTest, PathsThatLookLikeOptionsOrProtocols) {
  ASSERT_EQ(std::rename(Path("av.mp4").c_str(), Path("-i:x.mp4").c_str()), 0);
  EXPECT_THAT(CheckRecording(Path("-i:x.mp4"), {}), IsOk());
  ASSERT_EQ(std::rename(Path("-i:x.mp4").c_str(), Path("av.mp4").c_str()), 0);
}

TEST_F(MediaProbeTest, MissingFfprobeIsInternalNotTheFilesFault) {
  MediaProbeOptions options;
  options.ffprobe = "/nonexistent/ffprobe";
  EXPECT_THAT(CheckRecording(Path("av.mp4"), options),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("cannot run /nonexistent/ffprobe")));
}

TEST(ParseFfprobeJsonTest, Facts) {
  auto facts = ParseFfprobeJson(R"({
    "streams": [
      {"codec_type": "video", "disposition": {"attached_pic": 1}},
      {"codec_type": "audio", "duration": "12.5"}
    ],
    "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2"}
  })");
  ASSERT_THAT(facts, IsOk());
  EXPECT_EQ(facts->container, "mov,mp4,m4a,3gp,3g2,mj2");
  EXPECT_TRUE(facts->has_audio);
  EXPECT_FALSE(facts->has_video);  // Cover art is not video.
  EXPECT_DOUBLE_EQ(facts->duration_seconds, 12.5);
}

TEST(ParseFfprobeJsonTest, NotMedia) {
  for (const char* json : {"", "[]", "{}", R"({"format": {}, "streams": []})",
                           "{\"format\": 1}"}) {
    EXPECT_THAT(ParseFfprobeJson(json),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("not a media file")))
        << json;
  }
}

TEST(RunProcessTest, CapturesOutputAndExitCode) {
  auto run = RunProcess({"sh", "-c", "echo out; echo err >&2; exit 3"},
                        absl::Seconds(10));
  ASSERT_THAT(run, IsOk());
  EXPECT_EQ(run->exit_code, 3);
  EXPECT_EQ(run->stdout_text, "out\n");
  EXPECT_EQ(run->stderr_text, "err\n");
}

TEST(RunProcessTest, ArgumentsAreNotParsedByAShell) {
  auto run = RunProcess({"echo", "$HOME;", "`id`"}, absl::Seconds(10));
  ASSERT_THAT(run, IsOk());
  EXPECT_EQ(run->stdout_text, "$HOME; `id`\n");
}

TEST(RunProcessTest, KillsAtTheTimeout) {
  const absl::Time start = absl::Now();
  EXPECT_THAT(RunProcess({"sleep", "30"}, absl::Milliseconds(200)),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       HasSubstr("sleep did not finish")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(RunProcessTest, CapsOutput) {
  auto run = RunProcess({"head", "-c", "100000", "/dev/zero"},
                        absl::Seconds(10), /*max_output_bytes=*/1000);
  ASSERT_THAT(run, IsOk());
  EXPECT_EQ(run->exit_code, 0);
  EXPECT_EQ(run->stdout_text.size(), 1000u);
}

TEST(RunProcessTest, MissingProgram) {
  EXPECT_THAT(RunProcess({"/nonexistent/tool"}, absl::Seconds(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("cannot run /nonexistent/tool")));
}

}  // namespace
}  // namespace videoplatform::ingest
