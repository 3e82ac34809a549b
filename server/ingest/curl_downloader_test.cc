// CurlDownloader through the real path: libcurl against a loopback file
// server that injects faults, ffprobe on ffmpeg-generated media, files on
// disk.
#include "server/ingest/curl_downloader.h"

#include <sys/stat.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/status_matchers.h"
#include "server/ingest/partial_file.h"
#include "server/ingest/testing/fault_file_server.h"
#include "server/ingest/testing/media_fixtures.h"

namespace videoplatform::ingest {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::videoplatform::ingest::testing::FaultFileServer;
using ::videoplatform::ingest::testing::FileExists;
using ::videoplatform::ingest::testing::FileFault;
using ::videoplatform::ingest::testing::ReadFile;
using ::videoplatform::ingest::testing::Sha256OfFile;
using ::videoplatform::ingest::testing::WriteFile;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;
namespace fixtures = ::videoplatform::ingest::testing;

constexpr char kRecording[] = "/recordings/room-2025-01-18T12:00:00Z.mp4";

class CurlDownloaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    media_dir_ = new std::string(::testing::TempDir() + "/media");
    mkdir(media_dir_->c_str(), 0755);
    ASSERT_THAT(fixtures::MakeAudioVideoMp4(Media("av.mp4")), IsOk());
    ASSERT_THAT(fixtures::MakeVideoOnlyMp4(Media("video.mp4")), IsOk());
    ASSERT_THAT(fixtures::MakeAudioOnlyWebm(Media("raw.webm")), IsOk());
    ASSERT_THAT(fixtures::MakeNonMedia(Media("agenda.txt")), IsOk());
  }
  static void TearDownTestSuite() { delete media_dir_; }
  static std::string Media(const std::string& name) {
    return *media_dir_ + "/" + name;
  }

  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    server_.ServeFile(kRecording, Media("av.mp4"));
    server_.ServeFile("/video.mp4", Media("video.mp4"));
    server_.ServeFile("/agenda.mp4", Media("agenda.txt"));
    server_.ServeFile(
        "/daily.co/room/1700000000000-0d1e-cam-audio-1700000000100",
        Media("raw.webm"));
    out_dir_ = absl::StrCat(
        ::testing::TempDir(), "/out-",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    mkdir(out_dir_.c_str(), 0755);
    source_sha256_ = *Sha256OfFile(Media("av.mp4"));
    source_bytes_ = *ReadFile(Media("av.mp4"));
  }

  static CurlDownloader MakeDownloader() {
    CurlDownloaderOptions options;
    UrlPolicyOptions policy;
    policy.allow_loopback_http_for_tests = true;
    options.url_policy = *UrlPolicy::Create(policy);
    return CurlDownloader(std::move(options));
  }

  // Quick retries and a stall timeout of 1 s (libcurl's minimum).
  static DownloadOptions Quick() {
    DownloadOptions options;
    options.initial_backoff = absl::Milliseconds(10);
    options.max_backoff = absl::Milliseconds(50);
    options.stall_timeout = absl::Seconds(1);
    options.connect_timeout = absl::Seconds(2);
    options.deadline = absl::Now() + absl::Seconds(20);
    return options;
  }

  DownloadSource Url(const std::string& path) const {
    DownloadSource source;
    source.url = server_.Url(path);
    return source;
  }
  std::string Dest(const std::string& name = "recording.mp4") const {
    return out_dir_ + "/" + name;
  }

  absl::StatusOr<DownloadResult> Download(
      const DownloadSource& source, const DownloadOptions& options,
      const ProgressCallback& progress = nullptr) {
    return downloader_.Download(source, Dest(), options, progress);
  }

  void ExpectIntact(const absl::StatusOr<DownloadResult>& result) {
    ASSERT_THAT(result, IsOk());
    EXPECT_EQ(result->path, Dest());
    EXPECT_EQ(result->sha256_hex, source_sha256_);
    EXPECT_EQ(result->size_bytes, static_cast<int64_t>(source_bytes_.size()));
    EXPECT_EQ(*ReadFile(Dest()), source_bytes_);
    EXPECT_EQ(*Sha256OfFile(Dest()), source_sha256_);
    EXPECT_FALSE(FileExists(PartialPathFor(Dest())));
    EXPECT_TRUE(result->media.has_audio);
  }

  std::vector<std::string> Ranges() const {
    std::vector<std::string> ranges;
    for (const auto& request : server_.requests()) {
      ranges.push_back(request.range);
    }
    return ranges;
  }

  static std::string* media_dir_;
  FaultFileServer server_;
  CurlDownloader downloader_ = MakeDownloader();
  std::string out_dir_;
  std::string source_sha256_;
  std::string source_bytes_;
};
std::string* CurlDownloaderTest::media_dir_ = nullptr;

TEST_F(CurlDownloaderTest, DownloadsVerifiesAndPublishes) {
  std::vector<std::pair<int64_t, int64_t>> reports;
  auto result = Download(
      Url(kRecording), Quick(),
      [&](int64_t done, int64_t total) { reports.emplace_back(done, total); });
  ExpectIntact(result);
  EXPECT_EQ(result->attempts, 1);
  EXPECT_THAT(result->media.container, HasSubstr("mp4"));
  EXPECT_TRUE(result->media.has_video);
  EXPECT_NEAR(result->media.duration_seconds, 2.0, 0.1);
  // Headers in (0 of N), then the end (N of N); monotonic in between.
  const int64_t size = result->size_bytes;
  ASSERT_GE(reports.size(), 2u);
  EXPECT_EQ(reports.front(), std::make_pair(int64_t{0}, size));
  EXPECT_EQ(reports.back(), std::make_pair(size, size));
  for (size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].first, reports[i - 1].first);
  }
  EXPECT_THAT(Ranges(), ElementsAre(""));
}

TEST_F(CurlDownloaderTest, DroppedConnectionResumesWithRange) {
  server_.AddFault(FileFault::DropHalfway());
  auto result = Download(Url(kRecording), Quick());
  ExpectIntact(result);
  EXPECT_EQ(result->attempts, 2);
  const std::vector<std::string> ranges = Ranges();
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], "");
  // The retry asked for the rest only: the bytes after the first half.
  EXPECT_EQ(ranges[1], absl::StrCat("bytes=", source_bytes_.size() / 2, "-"));
}

TEST_F(CurlDownloaderTest, RepeatedDropsResumeEachTime) {
  server_.AddFault(FileFault::DropHalfway(/*times=*/3));
  auto result = Download(Url(kRecording), Quick());
  ExpectIntact(result);
  EXPECT_EQ(result->attempts, 4);
}

TEST_F(CurlDownloaderTest, ServerErrorThenSuccess) {
  server_.AddFault(FileFault::Status(500, "internal error"));
  auto result = Download(Url(kRecording), Quick());
  ExpectIntact(result);
  EXPECT_EQ(result->attempts, 2);
}

TEST_F(CurlDownloaderTest, StallEndsTheAttemptAndTheRetryCompletes) {
  // libcurl averages the speed over the last 5 s: 100 bytes, then
  // nothing, is under 1 KiB/s at once, and a stall 1 s later.
  FileFault stall = FileFault::Stall(absl::Seconds(30));
  stall.stall_after_bytes = 100;
  server_.AddFault(stall);
  const absl::Time start = absl::Now();
  auto result = Download(Url(kRecording), Quick());
  ExpectIntact(result);
  EXPECT_EQ(result->attempts, 2);
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
  // The stalled attempt kept its first bytes: the retry resumed after them.
  EXPECT_EQ(Ranges()[1], "bytes=100-");
}

TEST_F(CurlDownloaderTest, NotFoundFailsAtOnceWithTheServersMessage) {
  auto result = Download(Url("/recordings/missing.mp4"), Quick());
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("HTTP 404"),
                             HasSubstr("NoSuchKey: The specified key does not "
                                       "exist."))));
  EXPECT_EQ(server_.request_count(), 1u);
  EXPECT_FALSE(FileExists(PartialPathFor(Dest())));
  EXPECT_FALSE(FileExists(Dest()));
}

TEST_F(CurlDownloaderTest, ForbiddenFailsAtOnceAndKeepsThePartialFile) {
  ASSERT_THAT(WriteFile(PartialPathFor(Dest()), source_bytes_.substr(0, 100)),
              IsOk());
  server_.AddFault(FileFault::Status(403, "link expired"));
  auto result = Download(Url(kRecording), Quick());
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kPermissionDenied,
                               HasSubstr("HTTP 403: link expired")));
  EXPECT_EQ(server_.request_count(), 1u);
  // A later attempt (with a fresh link) can still resume.
  EXPECT_EQ(*ReadFile(PartialPathFor(Dest())), source_bytes_.substr(0, 100));
}

TEST_F(CurlDownloaderTest, RetriesRunOut) {
  server_.AddFault(FileFault::Status(503, "busy", /*times=*/10));
  DownloadOptions options = Quick();
  options.max_attempts = 3;
  auto result = Download(Url(kRecording), options);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnavailable,
                               AllOf(HasSubstr("HTTP 503: busy"),
                                     HasSubstr("gave up after 3 attempts"))));
  EXPECT_EQ(server_.request_count(), 3u);
}

TEST_F(CurlDownloaderTest, RateLimitWaitsForRetryAfter) {
  server_.AddFault(FileFault::RateLimited(/*retry_after_seconds=*/1));
  auto result = Download(Url(kRecording), Quick());
  ExpectIntact(result);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].status, 429);
  // The backoff alone would be 10 ms; Retry-After asked for 1 s.
  EXPECT_GE(requests[1].time - requests[0].time, absl::Milliseconds(990));
}

TEST_F(CurlDownloaderTest, RetryAfterBeyondTheDeadlineFailsAtOnce) {
  server_.AddFault(FileFault::RateLimited(/*retry_after_seconds=*/60));
  const absl::Time start = absl::Now();
  auto result = Download(Url(kRecording), Quick());
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kDeadlineExceeded,
                               AllOf(HasSubstr("HTTP 429"),
                                     HasSubstr("no time left to retry"))));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(CurlDownloaderTest, AnnouncedSizeAboveTheLimit) {
  DownloadOptions options = Quick();
  options.max_bytes = 1000;
  auto result = Download(Url(kRecording), options);
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kResourceExhausted,
                       AllOf(HasSubstr("too large"),
                             HasSubstr(absl::StrCat(source_bytes_.size())),
                             HasSubstr("the limit is 1000"))));
  EXPECT_EQ(server_.request_count(), 1u);
  EXPECT_FALSE(FileExists(PartialPathFor(Dest())));
  EXPECT_FALSE(FileExists(Dest()));
}

TEST_F(CurlDownloaderTest, StreamedBytesAboveTheLimit) {
  // Chunked: no Content-Length, so the limit is enforced as bytes arrive.
  server_.AddFault(FileFault::Chunked());
  DownloadOptions options = Quick();
  options.max_bytes = 1000;
  auto result = Download(Url(kRecording), options);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kResourceExhausted,
                               HasSubstr("too large")));
  EXPECT_EQ(server_.request_count(), 1u);
  EXPECT_FALSE(FileExists(PartialPathFor(Dest())));
}

TEST_F(CurlDownloaderTest, ChunkedWithinTheLimit) {
  server_.AddFault(FileFault::Chunked());
  ExpectIntact(Download(Url(kRecording), Quick()));
}

TEST_F(CurlDownloaderTest, ResumesAPartialFileLeftByACrash) {
  const size_t half = source_bytes_.size() / 2;
  ASSERT_THAT(WriteFile(PartialPathFor(Dest()), source_bytes_.substr(0, half)),
              IsOk());
  auto result = Download(Url(kRecording), Quick());
  ExpectIntact(result);  // The SHA-256 covers the bytes from before too.
  EXPECT_THAT(Ranges(), ElementsAre(absl::StrCat("bytes=", half, "-")));
}

TEST_F(CurlDownloaderTest, ServerIgnoringRangeRestartsCleanly) {
  // Garbage in the partial file: only a clean restart gives the right bytes.
  ASSERT_THAT(WriteFile(PartialPathFor(Dest()), std::string(5000, 'x')),
              IsOk());
  server_.AddFault(FileFault::IgnoreRange());
  auto result = Download(Url(kRecording), Quick());
  ExpectIntact(result);
  EXPECT_EQ(result->attempts, 1);  // The 200 body was taken from byte 0.
  EXPECT_EQ(server_.requests()[0].status, 200);
}

TEST_F(CurlDownloaderTest, CompletePartialFileNeedsNoBody) {
  // A crash after the last byte but before the rename: 416 "bytes */N".
  ASSERT_THAT(WriteFile(PartialPathFor(Dest()), source_bytes_), IsOk());
  auto result = Download(Url(kRecording), Quick());
  ExpectIntact(result);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].status, 416);
}

TEST_F(CurlDownloaderTest, PartialFileLargerThanTheSourceRestarts) {
  ASSERT_THAT(WriteFile(PartialPathFor(Dest()), source_bytes_ + "extra"),
              IsOk());
  auto result = Download(Url(kRecording), Quick());
  ExpectIntact(result);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].status, 416);
  EXPECT_EQ(requests[1].range, "");
  EXPECT_EQ(requests[1].status, 200);
}

TEST_F(CurlDownloaderTest, VideoOnlyFileFailsForLackOfAudio) {
  auto result = Download(Url("/video.mp4"), Quick());
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("no audio stream")));
  EXPECT_FALSE(FileExists(Dest()));
  EXPECT_FALSE(FileExists(PartialPathFor(Dest())));
}

TEST_F(CurlDownloaderTest, NonMediaFileFails) {
  auto result = Download(Url("/agenda.mp4"), Quick());
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("not a media file")));
  EXPECT_FALSE(FileExists(Dest()));
  EXPECT_FALSE(FileExists(PartialPathFor(Dest())));
}

TEST_F(CurlDownloaderTest, DailyRawTrackWebm) {
  auto result =
      Download(Url("/daily.co/room/1700000000000-0d1e-cam-audio-1700000000100"),
               Quick());
  ASSERT_THAT(result, IsOk());
  EXPECT_TRUE(result->media.has_audio);
  EXPECT_FALSE(result->media.has_video);
  EXPECT_THAT(result->media.container, HasSubstr("webm"));
  EXPECT_EQ(result->sha256_hex, *Sha256OfFile(Media("raw.webm")));
}

TEST_F(CurlDownloaderTest, StalledServerAndAShortDeadline) {
  server_.AddFault(FileFault::Stall(absl::Seconds(30)));
  DownloadOptions options = Quick();
  options.stall_timeout = absl::Seconds(30);  // Only the deadline can end it.
  options.deadline = absl::Now() + absl::Milliseconds(500);
  const absl::Time start = absl::Now();
  auto result = Download(Url(kRecording), options);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kDeadlineExceeded,
                               HasSubstr("deadline exceeded with 4096 bytes")));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500));
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(CurlDownloaderTest, BackoffNeverSleepsPastTheDeadline) {
  server_.AddFault(FileFault::Status(500, "down", /*times=*/10));
  DownloadOptions options = Quick();
  options.initial_backoff = absl::Seconds(10);
  options.max_backoff = absl::Seconds(30);
  options.deadline = absl::Now() + absl::Seconds(1);
  const absl::Time start = absl::Now();
  EXPECT_THAT(
      Download(Url(kRecording), options),
      StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("HTTP 500")));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
}

TEST_F(CurlDownloaderTest, DeadlineAlreadyPassed) {
  DownloadOptions options = Quick();
  options.deadline = absl::Now() - absl::Seconds(1);
  EXPECT_THAT(Download(Url(kRecording), options),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("")));
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(CurlDownloaderTest, ConnectionRefusedIsRetriedThenUnavailable) {
  const std::string url = server_.Url(kRecording);
  server_.Stop();
  DownloadOptions options = Quick();
  options.max_attempts = 2;
  DownloadSource source;
  source.url = url;
  EXPECT_THAT(Download(source, options),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("gave up after 2 attempts")));
}

TEST_F(CurlDownloaderTest, RefusedUrlsAreNeverFetched) {
  CurlDownloader strict{CurlDownloaderOptions{}};  // Default policy.
  DownloadSource source = Url(kRecording);
  EXPECT_THAT(strict.Download(source, Dest(), Quick(), nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("url: scheme must be https")));
  source.url = "https://169.254.169.254/latest/meta-data/";
  EXPECT_THAT(
      strict.Download(source, Dest(), Quick(), nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("IP address")));
  EXPECT_EQ(server_.request_count(), 0u);
  EXPECT_FALSE(FileExists(PartialPathFor(Dest())));
}

TEST_F(CurlDownloaderTest, AllowedHostResolvingToAnInternalAddressIsRefused) {
  // libcurl resolves *.localhost to loopback itself (no DNS): an allowed
  // suffix whose name points inside.
  CurlDownloaderOptions options;
  UrlPolicyOptions policy;
  policy.allowed_host_suffixes = {".internal.localhost"};
  options.url_policy = *UrlPolicy::Create(policy);
  CurlDownloader downloader(std::move(options));
  DownloadSource source;
  source.url = "https://recordings.internal.localhost/r.mp4";
  DownloadOptions quick = Quick();
  quick.max_attempts = 1;
  EXPECT_THAT(downloader.Download(source, Dest(), quick, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("resolves to an internal address")));
}

TEST_F(CurlDownloaderTest, FollowsRedirectsTheUrlPolicyAllows) {
  FileFault redirect = FileFault::Status(302);
  redirect.headers["Location"] = kRecording;
  server_.AddFault(redirect);
  auto result = Download(Url("/short-link"), Quick());
  ExpectIntact(result);
  EXPECT_EQ(result->attempts, 2);
}

TEST_F(CurlDownloaderTest, RefusesRedirectsElsewhere) {
  FileFault redirect = FileFault::Status(302);
  redirect.headers["Location"] = "http://10.0.0.1/internal";
  server_.AddFault(redirect);
  EXPECT_THAT(Download(Url("/short-link"), Quick()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("url (redirect): scheme must be https")));
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(CurlDownloaderTest, MessagesNeverCarryTheUrlsQuery) {
  auto result = Download(
      Url("/recordings/missing.mp4?X-Amz-Signature=topsecret"), Quick());
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kNotFound,
                               HasSubstr("missing.mp4?...")));
  EXPECT_THAT(std::string(result.status().message()),
              Not(HasSubstr("topsecret")));
}

TEST_F(CurlDownloaderTest, ChecksTheSource) {
  DownloadSource both = Url(kRecording);
  both.s3_bucket = "bucket";
  both.s3_key = "key";
  EXPECT_THAT(Download(both, Quick()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("exactly one of url or s3")));
  EXPECT_THAT(Download(DownloadSource{}, Quick()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("exactly one of url or s3")));
}

TEST_F(CurlDownloaderTest, ConcurrentDownloads) {
  // One downloader, several threads, different destinations.
  constexpr int kThreads = 4;
  server_.AddFault(FileFault::DropHalfway(/*times=*/2));
  std::vector<absl::StatusOr<DownloadResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = downloader_.Download(Url(kRecording),
                                        Dest(absl::StrCat("r", i, ".mp4")),
                                        Quick(), nullptr);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) {
    ASSERT_THAT(result, IsOk());
    EXPECT_EQ(result->sha256_hex, source_sha256_);
  }
}

TEST_F(CurlDownloaderTest, SignsS3RequestsWithSigV4) {
  testing::SigV4Key key{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", "eu-west-1"};
  server_.RequireSigV4(key);
  DownloadSource source;
  source.s3_bucket = "recordings";
  source.s3_key = "room-2025-01-18T12:00:00Z.mp4";  // ':' is encoded.
  source.s3 = {key.access_key_id, key.secret_access_key, key.region,
               server_.Url("")};
  server_.AddFault(FileFault::DropHalfway());  // The resume is signed too.
  auto result = Download(source, Quick());
  ExpectIntact(result);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& request : requests) {
    EXPECT_EQ(request.target, "/recordings/room-2025-01-18T12%3A00%3A00Z.mp4");
    EXPECT_THAT(request.authorization,
                AllOf(StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
                      HasSubstr("/eu-west-1/s3/aws4_request"),
                      HasSubstr("x-amz-content-sha256")));
    EXPECT_EQ(
        request.content_sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
}

TEST_F(CurlDownloaderTest, WrongS3SecretIsPermissionDeniedAndNeverShown) {
  server_.RequireSigV4({"AKIDEXAMPLE", "the-right-secret", "eu-west-1"});
  DownloadSource source;
  source.s3_bucket = "recordings";
  source.s3_key = "room-2025-01-18T12:00:00Z.mp4";
  source.s3 = {"AKIDEXAMPLE", "a-wrong-secret", "eu-west-1", server_.Url("")};
  auto result = Download(source, Quick());
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kPermissionDenied,
                       AllOf(HasSubstr("s3://recordings/room-2025-01-18T12:00:"
                                       "00Z.mp4: HTTP 403"),
                             HasSubstr("SignatureDoesNotMatch"))));
  EXPECT_THAT(std::string(result.status().message()),
              Not(HasSubstr("a-wrong-secret")));
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(CurlDownloaderTest, ConcurrentDownloadsToOneDestinationAreRefused) {
  server_.AddFault(FileFault::Stall(absl::Seconds(30)));
  DownloadOptions slow = Quick();
  slow.stall_timeout = absl::Seconds(30);
  slow.deadline = absl::Now() + absl::Seconds(3);
  std::thread first([&] { (void)Download(Url(kRecording), slow); });
  // Once the server saw its request, the first download holds the file.
  ASSERT_TRUE(server_.WaitForRequests(1, absl::Seconds(5)));
  EXPECT_THAT(
      Download(Url(kRecording), Quick()),
      StatusIs(absl::StatusCode::kAborted, HasSubstr("another download")));
  server_.Stop();  // Ends the stall.
  first.join();
}

}  // namespace
}  // namespace videoplatform::ingest
