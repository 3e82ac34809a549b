#include "server/ingest/recording_ingestor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "providers/daily/daily_provider.h"
#include "providers/registry.h"
#include "server/common/status_matchers.h"
#include "tests/fakes/daily_fake.h"

namespace videoplatform::ingest {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

// Records what it was asked to fetch.
class RecordingDownloader : public Downloader {
 public:
  absl::StatusOr<DownloadResult> Download(
      const DownloadSource& source, const std::string& destination,
      const DownloadOptions& options,
      const ProgressCallback& progress) override {
    last_source = source;
    last_destination = destination;
    DownloadResult result;
    result.path = destination;
    return result;
  }
  DownloadSource last_source;
  std::string last_destination;
};

TEST(IngestSettingsTest, ReadsEachPlatformsBucket) {
  auto settings = IngestSettings::FromSettings(providers::MapSettings({
      {"WHEREBY_S3_BUCKET", "wb"},
      {"WHEREBY_S3_ACCESS_KEY_ID", "AKW"},
      {"WHEREBY_S3_ACCESS_KEY_SECRET", "wsecret"},
      {"DAILY_S3_BUCKET", "db"},
      {"DAILY_S3_REGION", "eu-west-1"},
      {"DAILY_S3_ACCESS_KEY_ID", "AKD"},
      {"DAILY_S3_ACCESS_KEY_SECRET", "dsecret"},
      {"RECORDINGS_S3_ENDPOINT", "http://127.0.0.1:4568/"},
  }));
  ASSERT_THAT(settings, IsOk());
  auto whereby = settings->BucketFor("whereby");
  ASSERT_THAT(whereby, IsOk());
  EXPECT_EQ(whereby->bucket, "wb");
  EXPECT_EQ(whereby->credentials.access_key_id, "AKW");
  EXPECT_EQ(whereby->credentials.secret_access_key, "wsecret");
  EXPECT_EQ(whereby->credentials.region, "us-east-1");
  EXPECT_EQ(whereby->credentials.endpoint, "http://127.0.0.1:4568");
  auto daily = settings->BucketFor("daily");
  ASSERT_THAT(daily, IsOk());
  EXPECT_EQ(daily->credentials.region, "eu-west-1");
  EXPECT_EQ(daily->credentials.access_key_id, "AKD");
}

TEST(IngestSettingsTest, MissingSettingsAreNamed) {
  auto settings = IngestSettings::FromSettings(providers::MapSettings({
      {"WHEREBY_S3_BUCKET", "wb"},
  }));
  ASSERT_THAT(settings, IsOk());
  EXPECT_THAT(settings->BucketFor("whereby"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("WHEREBY_S3_ACCESS_KEY_ID"),
                             HasSubstr("WHEREBY_S3_ACCESS_KEY_SECRET"))));
  EXPECT_THAT(settings->BucketFor("daily"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("DAILY_S3_BUCKET")));
  EXPECT_THAT(
      settings->BucketFor("mock"),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("mock")));
  EXPECT_THAT(IngestSettings::FromSettings(providers::MapSettings(
                  {{"RECORDINGS_S3_ENDPOINT", "ftp://x"}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("RECORDINGS_S3_ENDPOINT")));
}

TEST(RecordingFileNameTest, KeepsShortExtensions) {
  storage::RecordingRecord r;
  r.recording_id = "id";
  r.source_kind = storage::RecordingSourceKind::kS3;
  r.s3_key = "room-2025-01-18T12:00:00Z.MP4";
  EXPECT_EQ(RecordingFileName(r), "id.mp4");
  r.s3_key = "d/room/1737201600000-uuid-cam-audio-1737201601000";
  EXPECT_EQ(RecordingFileName(r), "id");
  r.source_kind = storage::RecordingSourceKind::kUrl;
  r.download_url = "https://x.daily.co/a/b.webm?sig=1.verylongext";
  EXPECT_EQ(RecordingFileName(r), "id.webm");
  EXPECT_EQ(DescribeRecordingSource(r), "https://x.daily.co/a/b.webm");
  r.download_url = "https://x.daily.co/a/../b.tar.gz.";
  EXPECT_EQ(RecordingFileName(r), "id");
}

class RecordingIngestorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(daily_.Start(), IsOk());
    ASSERT_THAT(registry_.Register(providers::MakeDailyProviderFactory()),
                IsOk());
    auto providers = providers::Providers::Create(
        registry_,
        providers::MapSettings({{"DAILY_API_KEY", "daily-test-key"},
                                {"DAILY_API_URL", daily_.base_url()}}));
    ASSERT_THAT(providers, IsOk());
    providers_ = std::move(*providers);
    settings_.SetBucket("whereby",
                        {"wb", {"AKW", "secret", "eu-north-1", "http://s3"}});
    ingestor_ = std::make_unique<RecordingIngestor>(settings_, *providers_,
                                                    downloader_);
  }

  fakes::DailyFake daily_;
  providers::ProviderRegistry registry_;
  std::unique_ptr<providers::Providers> providers_;
  IngestSettings settings_;
  RecordingDownloader downloader_;
  std::unique_ptr<RecordingIngestor> ingestor_;
};

TEST_F(RecordingIngestorTest, S3UsesThePlatformsCredentialsAndRegion) {
  storage::RecordingRecord r;
  r.platform = "whereby";
  r.source_kind = storage::RecordingSourceKind::kS3;
  r.s3_bucket = "wb";
  r.s3_key = "room-2025-01-18T12:00:00Z.mp4";
  ASSERT_THAT(ingestor_->Ingest(r, "/tmp/x.mp4", DownloadOptions(), nullptr),
              IsOk());
  EXPECT_EQ(downloader_.last_source.s3_bucket, "wb");
  EXPECT_EQ(downloader_.last_source.s3_key, r.s3_key);
  EXPECT_EQ(downloader_.last_source.s3.access_key_id, "AKW");
  EXPECT_EQ(downloader_.last_source.s3.region, "eu-north-1");
  EXPECT_EQ(downloader_.last_source.s3.endpoint, "http://s3");
  EXPECT_EQ(downloader_.last_source.url, "");
  EXPECT_EQ(downloader_.last_destination, "/tmp/x.mp4");
  r.s3_region = "ap-south-1";
  auto source = ingestor_->ResolveSource(r, absl::InfiniteFuture());
  ASSERT_THAT(source, IsOk());
  EXPECT_EQ(source->s3.region, "ap-south-1");
  r.platform = "daily";
  EXPECT_THAT(ingestor_->ResolveSource(r, absl::InfiniteFuture()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("DAILY_S3_BUCKET")));
}

TEST_F(RecordingIngestorTest, DailyRecordingIdAsksDailyForALink) {
  daily_.SetRecordingAccessLink("rec-1", "https://dl.daily.co/rec-1.mp4?t=x",
                                absl::Now() + absl::Hours(1));
  storage::RecordingRecord r;
  r.platform = "daily";
  r.source_kind = storage::RecordingSourceKind::kDailyRecordingId;
  r.source_recording_id = "rec-1";
  auto source = ingestor_->ResolveSource(r, absl::Now() + absl::Seconds(10));
  ASSERT_THAT(source, IsOk());
  EXPECT_EQ(source->url, "https://dl.daily.co/rec-1.mp4?t=x");
  EXPECT_EQ(source->s3_bucket, "");

  r.source_recording_id = "unknown";
  EXPECT_THAT(ingestor_->Ingest(r, "/tmp/y", DownloadOptions(), nullptr),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("not found")));
}

TEST_F(RecordingIngestorTest, UrlsPassThrough) {
  storage::RecordingRecord r;
  r.platform = "daily";
  r.source_kind = storage::RecordingSourceKind::kUrl;
  r.download_url = "https://dl.daily.co/r.mp4";
  auto source = ingestor_->ResolveSource(r, absl::InfiniteFuture());
  ASSERT_THAT(source, IsOk());
  EXPECT_EQ(source->url, "https://dl.daily.co/r.mp4");
}

}  // namespace
}  // namespace videoplatform::ingest
