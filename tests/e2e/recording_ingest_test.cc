// Recording ingestion end to end through the real videoplatformd: S3
// objects on a real S3-compatible server (npm s3rver) or on a fault-
// injecting file server, media made by ffmpeg, the real CurlDownloader and
// ffprobe, the durable queue, and a SIGKILL in the middle of a download.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "server/ingest/testing/fault_file_server.h"
#include "server/ingest/testing/media_fixtures.h"
#include "server/ingest/testing/s3rver.h"
#include "storage/event_store.h"
#include "storage/store.h"
#include "tests/e2e/rpc_client.h"
#include "tests/e2e/server_process.h"
#include "tests/e2e/signed_webhooks.h"

namespace videoplatform::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
namespace fixtures = ::videoplatform::ingest::testing;

constexpr char kWherebyBucket[] = "whereby-recordings";
constexpr char kDailyBucket[] = "daily-recordings";
constexpr char kWherebyKey[] = "team-abc-2025-01-18T12:00:00Z.mp4";
constexpr absl::Duration kIngestTimeout = absl::Seconds(60);
constexpr char kWherebyWebhookSecret[] = "whsec_ingest";
constexpr char kDailyWebhookSecret[] =
    "aW5nZXN0LXdlYmhvb2stc2VjcmV0LWZvci1kYWlseQ==";

std::string MediaPath(const std::string& name) {
  return ::testing::TempDir() + "/media-" + name;
}

// Meetings the recordings match, written straight into the database
// before the server starts.
void AddMeeting(const std::string& db_path, const std::string& id,
                const std::string& platform, const std::string& room_name,
                absl::Time start) {
  auto store = storage::Store::Open(db_path);
  ASSERT_THAT(store, IsOk());
  storage::MeetingRecord meeting;
  meeting.meeting_id = id;
  meeting.platform = platform;
  meeting.provider_meeting_id = "p-" + id;
  meeting.room_name = room_name;
  meeting.room_url = "https://example.invalid" + room_name;
  meeting.host_room_url = meeting.room_url;
  meeting.start_time = start;
  meeting.end_time = start + absl::Hours(8);
  ASSERT_THAT((*store)->InsertMeeting(meeting), IsOk());
}

class RecordingIngestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_THAT(fixtures::MakeAudioVideoMp4(MediaPath("av.mp4")), IsOk());
    ASSERT_THAT(fixtures::MakeVideoOnlyMp4(MediaPath("video.mp4")), IsOk());
    ASSERT_THAT(fixtures::MakeAudioOnlyWebm(MediaPath("raw.webm")), IsOk());
    ASSERT_THAT(fixtures::MakeAudioVideoMp4(MediaPath("long.mp4"), 30), IsOk());
  }

  void SetUp() override {
    const std::string name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = ::testing::TempDir() + "/" + name;
    std::filesystem::create_directories(dir_);
    db_path_ = dir_ + "/videoplatform.db";
    recordings_dir_ = dir_ + "/recordings";
  }

  void StartS3rver() {
    absl::StatusOr<std::string> s3rver = fixtures::FindS3rverInRunfiles();
    ASSERT_THAT(s3rver, IsOk());
    ASSERT_THAT(
        s3rver_.Start(*s3rver, dir_ + "/s3", {kWherebyBucket, kDailyBucket}),
        IsOk());
    endpoint_ = s3rver_.endpoint();
  }

  void Put(const std::string& bucket, const std::string& key,
           const std::string& file) {
    ASSERT_THAT(fixtures::S3PutObject(s3rver_.Credentials(), bucket, key,
                                      MediaPath(file)),
                IsOk());
  }

  void StartServer(std::vector<std::string> extra_args = {}) {
    ServerProcessOptions options;
    options.db_path = db_path_;
    options.args = {"--recordings_dir=" + recordings_dir_,
                    "--ingest_workers=2"};
    options.args.insert(options.args.end(), extra_args.begin(),
                        extra_args.end());
    options.env = {
        {"WHEREBY_API_KEY", "whereby-key"},
        {"WHEREBY_S3_BUCKET", kWherebyBucket},
        {"WHEREBY_S3_ACCESS_KEY_ID", fixtures::kS3rverAccessKey},
        {"WHEREBY_S3_ACCESS_KEY_SECRET", fixtures::kS3rverSecret},
        {"DAILY_API_KEY", "daily-key"},
        {"DAILY_S3_BUCKET", kDailyBucket},
        {"DAILY_S3_REGION", "us-east-1"},
        {"DAILY_S3_ROLE_ARN", "arn:aws:iam::123456789012:role/daily"},
        {"DAILY_S3_ACCESS_KEY_ID", fixtures::kS3rverAccessKey},
        {"DAILY_S3_ACCESS_KEY_SECRET", fixtures::kS3rverSecret},
        {"RECORDINGS_S3_ENDPOINT", endpoint_},
        {"WHEREBY_WEBHOOK_SECRET", kWherebyWebhookSecret},
        {"DAILY_WEBHOOK_SECRET", kDailyWebhookSecret},
    };
    auto server = ServerProcess::Start(options);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
    client_ = std::make_unique<RpcClient>(server_->Channel());
  }

  v1::IngestRecordingResponse Ingest(
      const v1::IngestRecordingRequest& request) {
    v1::IngestRecordingResponse response;
    const grpc::Status status =
        client_->Call(&Stub::IngestRecording, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static v1::IngestRecordingRequest S3Request(const std::string& platform,
                                              const std::string& bucket,
                                              const std::string& key) {
    v1::IngestRecordingRequest request;
    request.set_platform(platform);
    request.mutable_s3_object()->set_bucket(bucket);
    request.mutable_s3_object()->set_key(key);
    return request;
  }

  v1::Recording Get(const std::string& id) {
    v1::GetRecordingRequest request;
    request.set_recording_id(id);
    v1::GetRecordingResponse response;
    const grpc::Status status =
        client_->Call(&Stub::GetRecording, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.recording();
  }

  // Waits until `done(recording)`; the recording as last read.
  template <typename Predicate>
  v1::Recording AwaitRecording(const std::string& id, Predicate done) {
    const absl::Time deadline = absl::Now() + kIngestTimeout;
    v1::Recording recording;
    while (absl::Now() < deadline) {
      recording = Get(id);
      if (done(recording)) return recording;
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "recording " << id << " stayed "
                  << recording.ShortDebugString() << "\n"
                  << server_->Output();
    return recording;
  }

  v1::Recording AwaitFinished(const std::string& id) {
    return AwaitRecording(id, [](const v1::Recording& r) {
      return r.state() == v1::RECORDING_STATE_READY ||
             r.state() == v1::RECORDING_STATE_FAILED;
    });
  }

  // The ingest events in the server's event log (read through a second
  // connection to the same file).
  std::vector<v1::Event> AwaitIngestEvents(size_t count) {
    const absl::Time deadline = absl::Now() + kIngestTimeout;
    std::vector<v1::Event> found;
    while (absl::Now() < deadline) {
      auto store = storage::Store::Open(db_path_);
      EXPECT_THAT(store, IsOk());
      if (!store.ok()) break;
      storage::EventStore events((*store)->database());
      auto read = events.ReadEvents(0, 1000);
      EXPECT_THAT(read, IsOk());
      if (!read.ok()) break;
      found.clear();
      for (const v1::Event& event : *read) {
        if (event.type() == v1::EVENT_TYPE_RECORDING_INGESTED ||
            event.type() == v1::EVENT_TYPE_RECORDING_INGEST_FAILED) {
          found.push_back(event);
        }
      }
      if (found.size() >= count) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return found;
  }

  std::vector<v1::Recording> ListAll() {
    v1::ListRecordingsRequest request;
    v1::ListRecordingsResponse response;
    const grpc::Status status =
        client_->Call(&Stub::ListRecordings, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.recordings().begin(), response.recordings().end()};
  }

  std::string dir_;
  std::string db_path_;
  std::string recordings_dir_;
  std::string endpoint_;
  fixtures::S3rverProcess s3rver_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RpcClient> client_;
};

TEST_F(RecordingIngestTest, WherebyObjectBecomesReadyVerifiedAndAnnounced) {
  StartS3rver();
  Put(kWherebyBucket, kWherebyKey, "av.mp4");
  AddMeeting(db_path_, "m-whereby", "whereby", "/team-abc", absl::Now());
  StartServer();

  const v1::IngestRecordingRequest request =
      S3Request("whereby", kWherebyBucket, kWherebyKey);
  const v1::IngestRecordingResponse first = Ingest(request);
  EXPECT_TRUE(first.created());
  const std::string id = first.recording().recording_id();
  EXPECT_EQ(first.recording().meeting_id(), "m-whereby");
  EXPECT_FALSE(first.recording().unmatched());

  const v1::Recording ready = AwaitFinished(id);
  ASSERT_EQ(ready.state(), v1::RECORDING_STATE_READY) << ready.failure_reason();
  auto sha = fixtures::Sha256OfFile(MediaPath("av.mp4"));
  ASSERT_THAT(sha, IsOk());
  EXPECT_EQ(ready.sha256(), *sha);
  EXPECT_EQ(
      ready.size_bytes(),
      static_cast<int64_t>(std::filesystem::file_size(MediaPath("av.mp4"))));
  EXPECT_EQ(ready.bytes_done(), ready.size_bytes());
  EXPECT_EQ(ready.attempts(), 1);
  EXPECT_EQ(ready.local_path(), recordings_dir_ + "/" + id + ".mp4");
  auto local = fixtures::Sha256OfFile(ready.local_path());
  ASSERT_THAT(local, IsOk());
  EXPECT_EQ(*local, *sha);
  EXPECT_TRUE(ready.media().has_audio());
  EXPECT_TRUE(ready.media().has_video());
  EXPECT_NEAR(ready.media().duration_seconds(), 2.0, 0.5);
  EXPECT_THAT(ready.media().container(), HasSubstr("mp4"));
  EXPECT_EQ(ready.source(),
            absl::StrCat("s3://", kWherebyBucket, "/", kWherebyKey));

  // Registering it again changes nothing.
  const v1::IngestRecordingResponse again = Ingest(request);
  EXPECT_FALSE(again.created());
  EXPECT_EQ(again.recording().recording_id(), id);
  EXPECT_EQ(again.recording().state(), v1::RECORDING_STATE_READY);
  EXPECT_THAT(ListAll(), SizeIs(1));

  const std::vector<v1::Event> events = AwaitIngestEvents(1);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].type(), v1::EVENT_TYPE_RECORDING_INGESTED);
  EXPECT_EQ(events[0].recording().recording_id(), id);
  EXPECT_EQ(events[0].meeting_id(), "m-whereby");
}

// Issue 5's path end to end: a provider's signed "recording ready" webhook,
// posted over HTTP to the shim, ends as a verified local recording and a
// RECORDING_INGESTED event, for both providers.
TEST_F(RecordingIngestTest, SignedWebhooksThroughTheShimStartIngestion) {
  StartS3rver();
  const std::string daily_key =
      "reflector/standup-20250118120000/1737201600000";
  Put(kWherebyBucket, kWherebyKey, "av.mp4");
  Put(kDailyBucket, daily_key, "av.mp4");
  AddMeeting(db_path_, "m-whereby", "whereby", "/team-abc", absl::Now());
  AddMeeting(db_path_, "m-daily", "daily", "standup-20250118120000",
             absl::FromUnixSeconds(1737201600));
  StartServer();
  auto shim = ServerProcess::Start({.args = {"--service=" + server_->address()},
                                    .binary = "server/shim/webhook_shim"});
  ASSERT_THAT(shim, IsOk());
  httplib::Client http("127.0.0.1", (*shim)->port());
  auto post = [&http](const std::string& path,
                      const v1::HandleWebhookRequest& request) {
    httplib::Headers headers;
    for (const v1::WebhookHeader& header : request.headers()) {
      if (header.name() != "Content-Type") {
        headers.emplace(header.name(), header.value());
      }
    }
    const auto result =
        http.Post(path.c_str(), headers, request.body(), "application/json");
    return result ? result->status : 0;
  };

  EXPECT_EQ(
      post("/v1/whereby",
           SignedWhereby(
               absl::StrCat(
                   R"({"id":"wb-rec-1","apiVersion":"1.0","createdAt":")",
                   absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(),
                                    absl::UTCTimeZone()),
                   R"(","type":"recording.finished","data":{"meetingId":)"
                   R"("p-m-whereby","roomName":"/team-abc","subdomain":)"
                   R"("reflector","filename":")",
                   kWherebyKey,
                   R"(","recordingId":"wb-rec-1","status":"completed"}})"),
               kWherebyWebhookSecret)),
      200);
  EXPECT_EQ(
      post("/v1/daily/webhook",
           SignedDaily(
               absl::StrCat(
                   R"({"version":"1.0.0","type":"recording.ready-to-download",)"
                   R"("id":"daily-rec-evt-1","payload":{"type":"cloud",)"
                   R"("recording_id":"daily-rec-1","room_name":)"
                   R"("standup-20250118120000","start_ts":1737201600,)"
                   R"("status":"finished","max_participants":2,"duration":2,)"
                   R"("s3_key":")",
                   daily_key, R"(","tracks":[]},"event_ts":1737201700.5})"),
               kDailyWebhookSecret)),
      200);

  const std::vector<v1::Event> ingested = AwaitIngestEvents(2);
  ASSERT_THAT(ingested, SizeIs(2)) << server_->Output();
  std::map<std::string, v1::Recording> by_meeting;
  for (const v1::Recording& recording : ListAll()) {
    by_meeting[recording.meeting_id()] = recording;
  }
  ASSERT_EQ(by_meeting.size(), 2u);
  for (const auto& [meeting, recording] : by_meeting) {
    EXPECT_EQ(recording.state(), v1::RECORDING_STATE_READY) << meeting;
    EXPECT_TRUE(recording.media().has_audio()) << meeting;
  }
  EXPECT_EQ(by_meeting["m-whereby"].provider_recording_id(), "wb-rec-1");
  EXPECT_EQ(by_meeting["m-daily"].provider_recording_id(), "daily-rec-1");
  for (const v1::Event& event : ingested) {
    EXPECT_EQ(event.type(), v1::EVENT_TYPE_RECORDING_INGESTED);
  }
}

TEST_F(RecordingIngestTest, FailuresAreExplainedAndDailyRecordingsMatched) {
  StartS3rver();
  Put(kWherebyBucket, "video-only-2025-01-18T12:00:00Z.mp4", "video.mp4");
  const std::string daily_key =
      "reflector/standup-20250118120000/1737201600000-4f1c-cam-audio-"
      "1737201601000";
  Put(kDailyBucket, daily_key, "raw.webm");
  const absl::Time daily_start = absl::FromUnixSeconds(1737201600);
  AddMeeting(db_path_, "d-early", "daily", "standup-20250118120000",
             daily_start - absl::Hours(6));
  AddMeeting(db_path_, "d-near", "daily", "standup-20250118120000",
             daily_start - absl::Minutes(1));
  StartServer();

  const std::string video_only =
      Ingest(S3Request("whereby", kWherebyBucket,
                       "video-only-2025-01-18T12:00:00Z.mp4"))
          .recording()
          .recording_id();
  const v1::IngestRecordingResponse missing =
      Ingest(S3Request("whereby", kWherebyBucket, "gone.mp4"));
  EXPECT_TRUE(missing.recording().unmatched());
  v1::IngestRecordingRequest daily =
      S3Request("daily", kDailyBucket, daily_key);
  daily.set_provider_recording_id("daily-rec-1");
  daily.set_room_name("standup-20250118120000");
  daily.mutable_start_time()->set_seconds(absl::ToUnixSeconds(daily_start));
  daily.set_kind(v1::RECORDING_KIND_RAW_TRACKS);
  const v1::IngestRecordingResponse daily_response = Ingest(daily);
  EXPECT_EQ(daily_response.recording().meeting_id(), "d-near");

  const v1::Recording no_audio = AwaitFinished(video_only);
  EXPECT_EQ(no_audio.state(), v1::RECORDING_STATE_FAILED);
  EXPECT_THAT(no_audio.failure_reason(), HasSubstr("no audio stream"));
  EXPECT_EQ(no_audio.local_path(), "");

  const v1::Recording gone = AwaitFinished(missing.recording().recording_id());
  EXPECT_EQ(gone.state(), v1::RECORDING_STATE_FAILED);
  EXPECT_THAT(gone.failure_reason(), HasSubstr("404"));
  EXPECT_THAT(gone.failure_reason(), HasSubstr("NoSuchKey"));
  EXPECT_EQ(gone.attempts(), 1);

  const v1::Recording raw =
      AwaitFinished(daily_response.recording().recording_id());
  ASSERT_EQ(raw.state(), v1::RECORDING_STATE_READY) << raw.failure_reason();
  EXPECT_TRUE(raw.media().has_audio());
  EXPECT_FALSE(raw.media().has_video());
  EXPECT_EQ(raw.local_path(), recordings_dir_ + "/" + raw.recording_id());

  const std::vector<v1::Event> events = AwaitIngestEvents(3);
  ASSERT_THAT(events, SizeIs(3));
  int failed = 0;
  for (const v1::Event& event : events) {
    if (event.type() == v1::EVENT_TYPE_RECORDING_INGEST_FAILED) {
      ++failed;
      EXPECT_FALSE(event.recording().error_message().empty());
    }
  }
  EXPECT_EQ(failed, 2);
}

TEST_F(RecordingIngestTest, KilledMidDownloadResumesAfterRestart) {
  // The bucket is a fault-injecting file server (path-style S3): the first
  // GET stalls after a part of the file, so the kill lands mid-download.
  fixtures::FaultFileServer files;
  ASSERT_THAT(files.Start(), IsOk());
  const std::string key = "team-abc-2025-01-18T13:00:00Z.mp4";
  files.ServeFile(absl::StrCat("/", kWherebyBucket, "/", key),
                  MediaPath("long.mp4"));
  const int64_t total =
      static_cast<int64_t>(std::filesystem::file_size(MediaPath("long.mp4")));
  ASSERT_GT(total, 32 << 10);
  fixtures::FileFault stall = fixtures::FileFault::Stall(absl::Seconds(60));
  stall.stall_after_bytes = 16 << 10;
  files.AddFault(stall);
  endpoint_ = files.Url("");
  StartServer();

  const std::string id = Ingest(S3Request("whereby", kWherebyBucket, key))
                             .recording()
                             .recording_id();
  // Wait until the stalled first request has put its bytes on disk.
  const std::string partial = recordings_dir_ + "/" + id + ".mp4.partial";
  const absl::Time deadline = absl::Now() + kIngestTimeout;
  std::error_code error;
  while (absl::Now() < deadline &&
         (!std::filesystem::exists(partial, error) ||
          static_cast<int64_t>(std::filesystem::file_size(partial, error)) <
              stall.stall_after_bytes)) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_GE(static_cast<int64_t>(std::filesystem::file_size(partial, error)),
            stall.stall_after_bytes);
  const v1::Recording downloading = AwaitRecording(
      id, [total](const v1::Recording& r) { return r.bytes_total() == total; });
  EXPECT_EQ(downloading.state(), v1::RECORDING_STATE_DOWNLOADING);
  EXPECT_EQ(downloading.bytes_total(), total);
  auto killed = server_->Stop(SIGKILL, absl::Seconds(10));
  ASSERT_THAT(killed, IsOk());
  EXPECT_EQ(*killed, 128 + SIGKILL);
  EXPECT_TRUE(
      std::filesystem::exists(recordings_dir_ + "/" + id + ".mp4.partial"));

  StartServer();
  const v1::Recording ready = AwaitFinished(id);
  ASSERT_EQ(ready.state(), v1::RECORDING_STATE_READY) << ready.failure_reason();
  EXPECT_EQ(ready.attempts(), 2);
  auto sha = fixtures::Sha256OfFile(MediaPath("long.mp4"));
  ASSERT_THAT(sha, IsOk());
  EXPECT_EQ(ready.sha256(), *sha);
  EXPECT_EQ(ready.size_bytes(), total);
  // The second run continued the partial file with a Range request.
  bool resumed = false;
  for (const fixtures::ServedRequest& served : files.requests()) {
    if (served.method == "GET" && !served.range.empty() &&
        served.range != "bytes=0-") {
      resumed = true;
    }
  }
  EXPECT_TRUE(resumed);
  // Exactly one recording, one file, one announcement.
  EXPECT_THAT(ListAll(), SizeIs(1));
  std::vector<std::string> files_left;
  for (const auto& entry :
       std::filesystem::directory_iterator(recordings_dir_)) {
    files_left.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(files_left, ::testing::ElementsAre(id + ".mp4"));
  EXPECT_THAT(AwaitIngestEvents(1), SizeIs(1));
}

TEST_F(RecordingIngestTest, ShutdownAbandonsAStalledDownloadWithinTheGrace) {
  fixtures::FaultFileServer files;
  ASSERT_THAT(files.Start(), IsOk());
  const std::string key = "team-abc-2025-01-18T14:00:00Z.mp4";
  files.ServeFile(absl::StrCat("/", kWherebyBucket, "/", key),
                  MediaPath("long.mp4"));
  fixtures::FileFault stall = fixtures::FileFault::Stall(absl::Seconds(60));
  stall.stall_after_bytes = 16 << 10;
  files.AddFault(stall);
  endpoint_ = files.Url("");
  StartServer({"--shutdown_grace=500ms"});
  const std::string id = Ingest(S3Request("whereby", kWherebyBucket, key))
                             .recording()
                             .recording_id();
  ASSERT_TRUE(files.WaitForRequests(1, kIngestTimeout));

  const absl::Time start = absl::Now();
  auto stopped = server_->Stop(SIGTERM, absl::Seconds(20));
  ASSERT_THAT(stopped, IsOk());
  EXPECT_EQ(*stopped, 0) << server_->Output();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_THAT(server_->Output(), HasSubstr("left to resume"));

  StartServer();
  const v1::Recording ready = AwaitFinished(id);
  ASSERT_EQ(ready.state(), v1::RECORDING_STATE_READY) << ready.failure_reason();
  auto sha = fixtures::Sha256OfFile(MediaPath("long.mp4"));
  ASSERT_THAT(sha, IsOk());
  EXPECT_EQ(ready.sha256(), *sha);
  EXPECT_THAT(ListAll(), SizeIs(1));
}

}  // namespace
}  // namespace videoplatform::testing
