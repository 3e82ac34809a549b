// IngestQueue over a real SQLite file with a fake Downloader (the real one
// is exercised end to end in tests/e2e).
#include "server/ingest/ingest_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "prometheus/registry.h"
#include "providers/registry.h"
#include "server/common/status_matchers.h"
#include "server/ingest/event_log_announcer.h"
#include "server/ingest/recording_ingestor.h"
#include "storage/event_store.h"
#include "storage/recording_store.h"
#include "storage/store.h"

namespace videoplatform::ingest {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::videoplatform::testing::IsOk;

constexpr absl::Duration kWait = absl::Seconds(20);

std::string TempDir(const std::string& name) {
  static int counter = 0;
  const char* base = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(base != nullptr ? base : "/tmp", "/queue-",
                                 ++counter, "-", name);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Writes "<key>" bytes to the destination (continuing a partial file), as
// the real Downloader does, with scripted failures and blocking.
class FakeDownloader : public Downloader {
 public:
  absl::StatusOr<DownloadResult> Download(
      const DownloadSource& source, const std::string& destination,
      const DownloadOptions& options,
      const ProgressCallback& progress) override {
    const std::string key = source.s3_key.empty() ? source.url : source.s3_key;
    absl::Status fail;
    {
      absl::MutexLock lock(&mu_);
      ++calls_;
      ++in_flight_;
      max_in_flight_ = std::max(max_in_flight_, in_flight_);
      auto script = failures_.find(key);
      if (script != failures_.end() && !script->second.empty()) {
        fail = script->second.front();
        script->second.pop_front();
      }
      auto blocked = [this, key]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return blocked_.count(key) == 0;
      };
      mu_.Await(absl::Condition(&blocked));
    }
    const std::string partial = destination + ".partial";
    const int64_t resumed =
        std::filesystem::exists(partial)
            ? static_cast<int64_t>(std::filesystem::file_size(partial))
            : 0;
    const std::string content = absl::StrCat("media of ", key);
    if (progress) progress(resumed, static_cast<int64_t>(content.size()));
    {
      std::ofstream out(partial, std::ios::binary | std::ios::app);
      out << content.substr(std::min<size_t>(resumed, content.size()));
    }
    absl::MutexLock lock(&mu_);
    --in_flight_;
    resumed_from_[key] = resumed;
    if (!fail.ok()) return fail;
    std::filesystem::rename(partial, destination);
    if (progress) {
      progress(static_cast<int64_t>(content.size()),
               static_cast<int64_t>(content.size()));
    }
    DownloadResult result;
    result.path = destination;
    result.size_bytes = static_cast<int64_t>(content.size());
    result.sha256_hex = std::string(64, 'f');
    result.media = {"mov,mp4,m4a,3gp,3g2,mj2", 12.5, true, true};
    result.attempts = 1;
    return result;
  }

  void FailNext(const std::string& key, absl::Status status) {
    absl::MutexLock lock(&mu_);
    failures_[key].push_back(std::move(status));
  }
  void Block(const std::string& key) {
    absl::MutexLock lock(&mu_);
    blocked_.insert({key, true});
  }
  void Unblock(const std::string& key) {
    absl::MutexLock lock(&mu_);
    blocked_.erase(key);
  }
  // Waits until `count` downloads are running at once.
  bool AwaitInFlight(int count) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return in_flight_ >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kWait);
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  int max_in_flight() {
    absl::MutexLock lock(&mu_);
    return max_in_flight_;
  }
  int64_t resumed_from(const std::string& key) {
    absl::MutexLock lock(&mu_);
    return resumed_from_[key];
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::deque<absl::Status>> failures_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, bool> blocked_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> resumed_from_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int max_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

class FakeAnnouncer : public RecordingAnnouncer {
 public:
  absl::Status Announce(const v1::Event& event) override {
    absl::MutexLock lock(&mu_);
    if (failures_ > 0) {
      --failures_;
      return absl::UnavailableError("event log unavailable");
    }
    events_.push_back(event);
    return absl::OkStatus();
  }
  void FailNext(int times) {
    absl::MutexLock lock(&mu_);
    failures_ = times;
  }
  bool AwaitEvents(size_t count) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return events_.size() >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kWait);
  }
  std::vector<v1::Event> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  absl::Mutex mu_;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<v1::Event> events_ ABSL_GUARDED_BY(mu_);
};

class IngestQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("data");
    db_path_ = dir_ + "/test.db";
    OpenStore();
    auto providers = providers::Providers::Create(
        registry_, [](absl::string_view) { return std::nullopt; });
    ASSERT_THAT(providers, IsOk());
    providers_ = std::move(*providers);
    settings_.SetBucket("whereby", {"bucket", {"id", "secret", "r", ""}});
    ingestor_ = std::make_unique<RecordingIngestor>(settings_, *providers_,
                                                    downloader_);
    options_.workers = 2;
    options_.recordings_dir = dir_ + "/recordings";
    options_.initial_retry_delay = absl::Milliseconds(10);
    options_.max_retry_delay = absl::Milliseconds(20);
    options_.idle_poll = absl::Milliseconds(200);
  }

  void TearDown() override { queue_.reset(); }

  void OpenStore() {
    auto store = storage::Store::Open(db_path_);
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
    recordings_ = std::make_unique<storage::RecordingStore>(store_->database());
  }

  void StartQueue() {
    queue_ = std::make_unique<IngestQueue>(*recordings_, *ingestor_, announcer_,
                                           metrics_, options_);
    ASSERT_THAT(queue_->Start(), IsOk());
  }

  std::string Register(const std::string& key,
                       const std::string& platform = "whereby") {
    storage::RecordingRecord r;
    r.recording_id = absl::StrCat("rec-", ++registered_);
    r.platform = platform;
    r.source_kind = storage::RecordingSourceKind::kS3;
    r.s3_bucket = "bucket";
    r.s3_key = key;
    auto result = recordings_->Register(r, absl::Now());
    EXPECT_THAT(result, IsOk());
    if (queue_ != nullptr) queue_->Notify();
    return r.recording_id;
  }

  // Waits until the recording reaches `state`; returns it.
  storage::RecordingRecord AwaitState(const std::string& id,
                                      v1::RecordingState state) {
    const absl::Time deadline = absl::Now() + kWait;
    absl::StatusOr<storage::RecordingRecord> r;
    do {
      r = recordings_->Get(id);
      EXPECT_THAT(r, IsOk());
      if (!r.ok()) return {};
      if (r->state == state) return *r;
      absl::SleepFor(absl::Milliseconds(5));
    } while (absl::Now() < deadline);
    ADD_FAILURE() << id << " stayed in state "
                  << v1::RecordingState_Name(r->state);
    return *r;
  }

  std::string dir_;
  std::string db_path_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::RecordingStore> recordings_;
  providers::ProviderRegistry registry_;
  std::unique_ptr<providers::Providers> providers_;
  IngestSettings settings_;
  FakeDownloader downloader_;
  FakeAnnouncer announcer_;
  prometheus::Registry metrics_registry_;
  IngestMetrics metrics_{metrics_registry_};
  std::unique_ptr<RecordingIngestor> ingestor_;
  IngestQueueOptions options_;
  std::unique_ptr<IngestQueue> queue_;
  int registered_ = 0;
};

TEST_F(IngestQueueTest, DownloadsVerifiesAndAnnounces) {
  StartQueue();
  const std::string id = Register("room-2025-01-18T12:00:00Z.mp4");
  const storage::RecordingRecord r = AwaitState(id, v1::RECORDING_STATE_READY);
  EXPECT_EQ(r.local_path, queue_->recordings_dir() + "/" + id + ".mp4");
  EXPECT_TRUE(std::filesystem::path(r.local_path).is_absolute());
  EXPECT_EQ(ReadFile(r.local_path), "media of room-2025-01-18T12:00:00Z.mp4");
  EXPECT_EQ(r.size_bytes, r.bytes_total);
  EXPECT_EQ(r.bytes_done, r.size_bytes);
  EXPECT_EQ(r.sha256, std::string(64, 'f'));
  EXPECT_EQ(r.media_container, "mov,mp4,m4a,3gp,3g2,mj2");
  EXPECT_DOUBLE_EQ(r.media_duration_seconds, 12.5);
  EXPECT_TRUE(r.media_has_audio);
  EXPECT_EQ(r.attempts, 1);
  ASSERT_TRUE(announcer_.AwaitEvents(1));
  const v1::Event event = announcer_.events()[0];
  EXPECT_EQ(event.type(), v1::EVENT_TYPE_RECORDING_INGESTED);
  EXPECT_EQ(event.platform(), "whereby");
  EXPECT_EQ(event.recording().recording_id(), id);
  EXPECT_EQ(event.recording().duration_seconds(), 13);
  EXPECT_EQ(event.provider_event_id(), "recording/" + id + "/ingested");
  EXPECT_EQ(downloader_.calls(), 1);
}

TEST_F(IngestQueueTest, PermanentErrorsFailAtOnceWithTheReason) {
  downloader_.FailNext("video-only.mp4",
                       absl::FailedPreconditionError("no audio stream"));
  downloader_.FailNext("gone.mp4",
                       absl::NotFoundError("HTTP 404: NoSuchKey: The specified "
                                           "key does not exist."));
  StartQueue();
  const std::string video_only = Register("video-only.mp4");
  const std::string gone = Register("gone.mp4");
  EXPECT_EQ(AwaitState(video_only, v1::RECORDING_STATE_FAILED).failure_reason,
            "no audio stream");
  const storage::RecordingRecord failed =
      AwaitState(gone, v1::RECORDING_STATE_FAILED);
  EXPECT_THAT(failed.failure_reason, HasSubstr("NoSuchKey"));
  EXPECT_EQ(failed.attempts, 1);
  ASSERT_TRUE(announcer_.AwaitEvents(2));
  for (const v1::Event& event : announcer_.events()) {
    EXPECT_EQ(event.type(), v1::EVENT_TYPE_RECORDING_INGEST_FAILED);
    EXPECT_FALSE(event.recording().error_message().empty());
  }
  EXPECT_EQ(downloader_.calls(), 2);
}

TEST_F(IngestQueueTest, TransientErrorsAreRetriedThenGivenUp) {
  options_.max_runs = 3;
  downloader_.FailNext("flaky.mp4", absl::UnavailableError("HTTP 503"));
  for (int i = 0; i < 3; ++i) {
    downloader_.FailNext("down.mp4", absl::UnavailableError("HTTP 500"));
  }
  StartQueue();
  const std::string flaky = Register("flaky.mp4");
  const std::string down = Register("down.mp4");
  const storage::RecordingRecord ready =
      AwaitState(flaky, v1::RECORDING_STATE_READY);
  EXPECT_EQ(ready.attempts, 2);
  // The second run continued the first run's partial file.
  EXPECT_EQ(downloader_.resumed_from("flaky.mp4"),
            static_cast<int64_t>(std::string("media of flaky.mp4").size()));
  const storage::RecordingRecord failed =
      AwaitState(down, v1::RECORDING_STATE_FAILED);
  EXPECT_EQ(failed.attempts, 3);
  EXPECT_EQ(failed.failure_reason, "HTTP 500");
}

TEST_F(IngestQueueTest, AnUnconfiguredBucketFailsNamingTheSettings) {
  StartQueue();
  const std::string id = Register("x.mp4", "daily");
  EXPECT_THAT(AwaitState(id, v1::RECORDING_STATE_FAILED).failure_reason,
              HasSubstr("DAILY_S3_BUCKET"));
}

TEST_F(IngestQueueTest, AtMostWorkersDownloadsRunAtOnce) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    downloader_.Block(absl::StrCat(i, ".mp4"));
    ids.push_back(Register(absl::StrCat(i, ".mp4")));
  }
  StartQueue();
  ASSERT_TRUE(downloader_.AwaitInFlight(2));
  auto pending = recordings_->List({"", v1::RECORDING_STATE_PENDING, 10, ""});
  ASSERT_THAT(pending, IsOk());
  EXPECT_THAT(pending->recordings, SizeIs(3));
  for (int i = 0; i < 5; ++i) downloader_.Unblock(absl::StrCat(i, ".mp4"));
  for (const std::string& id : ids) AwaitState(id, v1::RECORDING_STATE_READY);
  EXPECT_EQ(downloader_.max_in_flight(), 2);
  EXPECT_EQ(downloader_.calls(), 5);
}

TEST_F(IngestQueueTest, AJobInterruptedByACrashResumesAtStart) {
  const std::string id = Register("big.mp4");
  // A previous process claimed it and wrote part of the file, then died.
  auto claimed =
      recordings_->ClaimJob("dead-process/0", absl::Now(), absl::Hours(1));
  ASSERT_THAT(claimed, IsOk());
  ASSERT_TRUE(claimed->has_value());
  std::filesystem::create_directories(options_.recordings_dir);
  {
    std::ofstream partial(options_.recordings_dir + "/" + id + ".mp4.partial");
    partial << "media";
  }
  recordings_.reset();
  store_.reset();
  OpenStore();
  ingestor_ =
      std::make_unique<RecordingIngestor>(settings_, *providers_, downloader_);
  StartQueue();
  const storage::RecordingRecord r = AwaitState(id, v1::RECORDING_STATE_READY);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(downloader_.resumed_from("big.mp4"), 5);
  EXPECT_EQ(ReadFile(r.local_path), "media of big.mp4");
  EXPECT_EQ(downloader_.calls(), 1);
}

TEST_F(IngestQueueTest, FailedAnnouncementsAreRetried) {
  announcer_.FailNext(2);
  StartQueue();
  const std::string id = Register("a.mp4");
  AwaitState(id, v1::RECORDING_STATE_READY);
  ASSERT_TRUE(announcer_.AwaitEvents(1));
  EXPECT_EQ(announcer_.events()[0].recording().recording_id(), id);
  EXPECT_EQ(downloader_.calls(), 1);
}

TEST_F(IngestQueueTest, AnnouncementsReachTheEventLog) {
  storage::EventStore events(store_->database());
  EventLogAnnouncer announcer(events);
  queue_ = std::make_unique<IngestQueue>(*recordings_, *ingestor_, announcer,
                                         metrics_, options_);
  // A worker may still be returning from Announce() when the test ends:
  // join it before `announcer` and `events` go out of scope.
  absl::Cleanup join_workers = [this] { queue_.reset(); };
  ASSERT_THAT(queue_->Start(), IsOk());
  const std::string id = Register("a.mp4");
  AwaitState(id, v1::RECORDING_STATE_READY);
  const absl::Time deadline = absl::Now() + kWait;
  std::vector<v1::Event> log;
  while (log.empty() && absl::Now() < deadline) {
    auto read = events.ReadEvents(0, 10);
    ASSERT_THAT(read, IsOk());
    log = *read;
    if (log.empty()) absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_THAT(log, SizeIs(1));
  EXPECT_GT(log[0].sequence(), 0);
  EXPECT_EQ(log[0].type(), v1::EVENT_TYPE_RECORDING_INGESTED);
  EXPECT_EQ(log[0].recording().recording_id(), id);
}

TEST_F(IngestQueueTest, StopAbandonsDownloadsThatOutlastTheGrace) {
  downloader_.Block("slow.mp4");
  StartQueue();
  const std::string id = Register("slow.mp4");
  ASSERT_TRUE(downloader_.AwaitInFlight(1));
  const absl::Time start = absl::Now();
  EXPECT_EQ(queue_->Stop(absl::Milliseconds(50)), 1);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // The job is still leased; the next process would take it over.
  auto r = recordings_->Get(id);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->state, v1::RECORDING_STATE_DOWNLOADING);
  downloader_.Unblock("slow.mp4");
  queue_.reset();  // Joins the worker.
}

TEST_F(IngestQueueTest, StopWithIdleWorkersIsQuickAndStartsNothingNew) {
  StartQueue();
  EXPECT_EQ(queue_->Stop(absl::Seconds(5)), 0);
  const std::string id = Register("late.mp4");
  auto r = recordings_->Get(id);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->state, v1::RECORDING_STATE_PENDING);
  EXPECT_EQ(downloader_.calls(), 0);
}

TEST_F(IngestQueueTest, RejectsBadOptions) {
  options_.workers = 0;
  queue_ = std::make_unique<IngestQueue>(*recordings_, *ingestor_, announcer_,
                                         metrics_, options_);
  EXPECT_FALSE(queue_->Start().ok());
}

}  // namespace
}  // namespace videoplatform::ingest
