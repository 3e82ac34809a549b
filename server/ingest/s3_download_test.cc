// CurlDownloader's SigV4 path against a real S3-compatible server: npm
// s3rver on loopback, objects uploaded through its API (signed PUTs).
#include <sys/stat.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/status_matchers.h"
#include "server/ingest/curl_downloader.h"
#include "server/ingest/partial_file.h"
#include "server/ingest/testing/media_fixtures.h"
#include "server/ingest/testing/s3rver.h"

namespace videoplatform::ingest {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::videoplatform::ingest::testing::FileExists;
using ::videoplatform::ingest::testing::ReadFile;
using ::videoplatform::ingest::testing::S3PutObject;
using ::videoplatform::ingest::testing::S3rverProcess;
using ::videoplatform::ingest::testing::Sha256OfFile;
using ::videoplatform::ingest::testing::WriteFile;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;
namespace fixtures = ::videoplatform::ingest::testing;

constexpr char kBucket[] = "recordings";
// As Whereby names cloud recordings: <room>-<start ISO-8601>.mp4.
constexpr char kWherebyKey[] = "standup-2025-01-18T12:00:00Z.mp4";
// As Daily names raw tracks: <domain>/<room>/<start ms>-<uuid>-cam-audio-<ms>.
constexpr char kDailyKey[] =
    "acme/standup/1737201600000-6f1c2b4e-cam-audio-1737201600123";

class S3DownloadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir());
    ASSERT_THAT(fixtures::MakeAudioVideoMp4(Path("whereby.mp4")), IsOk());
    ASSERT_THAT(fixtures::MakeAudioOnlyWebm(Path("daily.webm")), IsOk());
    auto s3rver = fixtures::FindS3rverInRunfiles();
    ASSERT_THAT(s3rver, IsOk());
    server_ = new S3rverProcess;
    ASSERT_THAT(server_->Start(*s3rver, Path("s3data"), {kBucket}), IsOk());
    const S3Credentials credentials = server_->Credentials();
    ASSERT_THAT(
        S3PutObject(credentials, kBucket, kWherebyKey, Path("whereby.mp4")),
        IsOk());
    ASSERT_THAT(
        S3PutObject(credentials, kBucket, kDailyKey, Path("daily.webm")),
        IsOk());
  }
  static void TearDownTestSuite() {
    delete server_;  // Stops s3rver.
    delete dir_;
  }
  static std::string Path(const std::string& name) {
    return *dir_ + "/" + name;
  }

  static DownloadSource Object(const std::string& key) {
    DownloadSource source;
    source.s3_bucket = kBucket;
    source.s3_key = key;
    source.s3 = server_->Credentials();
    return source;
  }
  static DownloadOptions Quick() {
    DownloadOptions options;
    options.initial_backoff = absl::Milliseconds(10);
    options.max_backoff = absl::Milliseconds(50);
    options.deadline = absl::Now() + absl::Seconds(20);
    return options;
  }
  std::string Dest() const {
    return Path(absl::StrCat(
        ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        ".rec"));
  }

  static std::string* dir_;
  static S3rverProcess* server_;
  CurlDownloader downloader_{CurlDownloaderOptions{}};  // Default policy.
};
std::string* S3DownloadTest::dir_ = nullptr;
S3rverProcess* S3DownloadTest::server_ = nullptr;

TEST_F(S3DownloadTest, DownloadsAWherebyRecording) {
  auto result =
      downloader_.Download(Object(kWherebyKey), Dest(), Quick(), nullptr);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->sha256_hex, *Sha256OfFile(Path("whereby.mp4")));
  EXPECT_EQ(*ReadFile(Dest()), *ReadFile(Path("whereby.mp4")));
  EXPECT_TRUE(result->media.has_audio);
  EXPECT_TRUE(result->media.has_video);
  EXPECT_EQ(result->attempts, 1);
}

TEST_F(S3DownloadTest, DownloadsADailyRawTrack) {
  auto result =
      downloader_.Download(Object(kDailyKey), Dest(), Quick(), nullptr);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->sha256_hex, *Sha256OfFile(Path("daily.webm")));
  EXPECT_TRUE(result->media.has_audio);
  EXPECT_FALSE(result->media.has_video);
}

TEST_F(S3DownloadTest, ResumesAPartialFileWithARangeRequest) {
  const std::string bytes = *ReadFile(Path("whereby.mp4"));
  ASSERT_THAT(WriteFile(PartialPathFor(Dest()), bytes.substr(0, 5000)), IsOk());
  auto result =
      downloader_.Download(Object(kWherebyKey), Dest(), Quick(), nullptr);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->sha256_hex, *Sha256OfFile(Path("whereby.mp4")));
  EXPECT_EQ(result->attempts, 1);
}

TEST_F(S3DownloadTest, CompletePartialFileIsRecognizedFromS3s416) {
  // s3rver's 416 has no Content-Range; its XML names the object's size.
  ASSERT_THAT(WriteFile(PartialPathFor(Dest()), *ReadFile(Path("daily.webm"))),
              IsOk());
  auto result =
      downloader_.Download(Object(kDailyKey), Dest(), Quick(), nullptr);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->sha256_hex, *Sha256OfFile(Path("daily.webm")));
  EXPECT_EQ(result->attempts, 1);
}

TEST_F(S3DownloadTest, MissingObjectIsNotFoundWithS3sMessage) {
  EXPECT_THAT(
      downloader_.Download(Object("standup-2025-01-19T12:00:00Z.mp4"), Dest(),
                           Quick(), nullptr),
      StatusIs(absl::StatusCode::kNotFound,
               AllOf(HasSubstr("s3://recordings/standup-2025-01-19T12:00:00Z"),
                     HasSubstr("HTTP 404: NoSuchKey"))));
  EXPECT_FALSE(FileExists(PartialPathFor(Dest())));
}

TEST_F(S3DownloadTest, UnknownAccessKeyIsPermissionDenied) {
  DownloadSource source = Object(kWherebyKey);
  source.s3.access_key_id = "AKIAUNKNOWN";
  EXPECT_THAT(downloader_.Download(source, Dest(), Quick(), nullptr),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("HTTP 403: InvalidAccessKeyId")));
}

TEST_F(S3DownloadTest, S3rverDoesNotCheckSigV4Signatures) {
  // Documents the fake, not the downloader: s3rver 3.7.1 accepts any SigV4
  // signature from a known key id. The wrong-secret refusal is tested
  // against FaultFileServer::RequireSigV4 (curl_downloader_test).
  DownloadSource source = Object(kWherebyKey);
  source.s3.secret_access_key = "not-the-secret";
  EXPECT_THAT(downloader_.Download(source, Dest(), Quick(), nullptr), IsOk());
}

}  // namespace
}  // namespace videoplatform::ingest
