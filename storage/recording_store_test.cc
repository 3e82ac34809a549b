#include "storage/recording_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/status_matchers.h"
#include "storage/store.h"
#include "storage/test_util.h"

namespace videoplatform::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

const absl::Time kNow = absl::FromUnixSeconds(1737201600);
constexpr absl::Duration kLease = absl::Minutes(5);

RecordingRecord S3Recording(const std::string& id, const std::string& key) {
  RecordingRecord r;
  r.recording_id = id;
  r.platform = "whereby";
  r.source_kind = RecordingSourceKind::kS3;
  r.s3_bucket = "bucket";
  r.s3_key = key;
  r.unmatched = true;
  return r;
}

class RecordingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::TempDbPath();
    Reopen();
  }

  // Closes and reopens the file, as a restarted process would.
  void Reopen() {
    recordings_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
    recordings_ = std::make_unique<RecordingStore>(store_->database());
  }

  RecordingRecord MustRegister(const RecordingRecord& r,
                               absl::Time now = kNow) {
    auto result = recordings_->Register(r, now);
    EXPECT_THAT(result, IsOk());
    EXPECT_TRUE(result.ok() && result->created);
    return result.ok() ? result->recording : RecordingRecord{};
  }

  ClaimedJob MustClaim(const std::string& worker, absl::Time now = kNow) {
    auto job = recordings_->ClaimJob(worker, now, kLease);
    EXPECT_THAT(job, IsOk());
    EXPECT_TRUE(job.ok() && job->has_value());
    return job.ok() && job->has_value() ? **job : ClaimedJob{};
  }

  bool NothingToClaim(absl::Time now = kNow) {
    auto job = recordings_->ClaimJob("other", now, kLease);
    EXPECT_THAT(job, IsOk());
    return job.ok() && !job->has_value();
  }

  std::string path_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RecordingStore> recordings_;
};

TEST_F(RecordingStoreTest, RegisterStoresEveryFieldAndQueuesAJob) {
  RecordingRecord r = S3Recording("rec-1", "room-2025-01-18T12:00:00Z.mp4");
  r.provider_recording_id = "prov-1";
  r.s3_region = "eu-west-1";
  r.room_name = "/room";
  r.start_time = kNow - absl::Hours(1);
  r.kind = v1::RECORDING_KIND_RAW_TRACKS;
  r.tracks = {{"audio", "d/room/1-a", 10}, {"video", "d/room/1-v", 20}};
  const RecordingRecord stored = MustRegister(r);
  EXPECT_EQ(stored.recording_id, "rec-1");
  EXPECT_EQ(stored.state, v1::RECORDING_STATE_PENDING);
  EXPECT_EQ(stored.s3_region, "eu-west-1");
  EXPECT_EQ(stored.room_name, "/room");
  EXPECT_EQ(stored.start_time, kNow - absl::Hours(1));
  EXPECT_EQ(stored.kind, v1::RECORDING_KIND_RAW_TRACKS);
  ASSERT_THAT(stored.tracks, SizeIs(2));
  EXPECT_EQ(stored.tracks[1].s3_key, "d/room/1-v");
  EXPECT_EQ(stored.tracks[1].size_bytes, 20);
  EXPECT_TRUE(stored.unmatched);
  EXPECT_EQ(stored.create_time, kNow);
  EXPECT_EQ(stored.update_time, kNow);

  Reopen();
  auto read = recordings_->Get("rec-1");
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->provider_recording_id, "prov-1");
  EXPECT_EQ(read->tracks[0].type, "audio");
  auto due = recordings_->NextDueTime();
  ASSERT_THAT(due, IsOk());
  EXPECT_EQ(*due, kNow);
}

TEST_F(RecordingStoreTest, RegisterIsIdempotentOnProviderIdThenObject) {
  RecordingRecord first = S3Recording("rec-1", "a.mp4");
  first.provider_recording_id = "p1";
  MustRegister(first);

  // Same provider id, another object: the first recording.
  RecordingRecord again = S3Recording("rec-2", "b.mp4");
  again.provider_recording_id = "p1";
  auto result = recordings_->Register(again, kNow);
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->created);
  EXPECT_EQ(result->recording.recording_id, "rec-1");

  // Same object without a provider id, or with another one: the first.
  for (const std::string& provider_id : {std::string(), std::string("p9")}) {
    RecordingRecord same_object = S3Recording("rec-3", "a.mp4");
    same_object.provider_recording_id = provider_id;
    result = recordings_->Register(same_object, kNow);
    ASSERT_THAT(result, IsOk());
    EXPECT_FALSE(result->created);
    EXPECT_EQ(result->recording.recording_id, "rec-1");
  }

  // The same provider id on another platform is another recording.
  RecordingRecord daily = S3Recording("rec-4", "c.mp4");
  daily.platform = "daily";
  daily.provider_recording_id = "p1";
  MustRegister(daily);

  // URLs without a provider id are never deduplicated.
  RecordingRecord url;
  url.platform = "daily";
  url.source_kind = RecordingSourceKind::kUrl;
  url.download_url = "https://x.example/r.mp4";
  url.recording_id = "rec-5";
  MustRegister(url);
  url.recording_id = "rec-6";
  MustRegister(url);
}

TEST_F(RecordingStoreTest, RegisterValidates) {
  RecordingRecord r = S3Recording("", "a.mp4");
  EXPECT_THAT(
      recordings_->Register(r, kNow),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("recording_id")));
  r = S3Recording("rec-1", "");
  EXPECT_THAT(
      recordings_->Register(r, kNow),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s3_key")));
  r = S3Recording("rec-1", "a.mp4");
  r.meeting_id = "m1";  // But still flagged unmatched.
  EXPECT_THAT(
      recordings_->Register(r, kNow),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unmatched")));
  r = S3Recording("rec-1", "a.mp4");
  r.kind = v1::RECORDING_KIND_UNSPECIFIED;
  EXPECT_THAT(recordings_->Register(r, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind")));
}

TEST_F(RecordingStoreTest, ClaimLeasesTheOldestDueJob) {
  EXPECT_TRUE(NothingToClaim());
  MustRegister(S3Recording("later", "b.mp4"), kNow + absl::Seconds(1));
  MustRegister(S3Recording("first", "a.mp4"), kNow);
  EXPECT_TRUE(NothingToClaim(kNow - absl::Seconds(1)));

  ClaimedJob job = MustClaim("w1", kNow + absl::Seconds(2));
  EXPECT_EQ(job.recording.recording_id, "first");
  EXPECT_EQ(job.phase, JobPhase::kDownload);
  EXPECT_EQ(job.runs, 1);
  EXPECT_EQ(job.recording.state, v1::RECORDING_STATE_DOWNLOADING);
  EXPECT_EQ(job.recording.attempts, 1);

  ClaimedJob second = MustClaim("w2", kNow + absl::Seconds(2));
  EXPECT_EQ(second.recording.recording_id, "later");
  // Both are leased now.
  EXPECT_TRUE(NothingToClaim(kNow + absl::Seconds(3)));
  auto due = recordings_->NextDueTime();
  ASSERT_THAT(due, IsOk());
  EXPECT_FALSE(due->has_value());
}

TEST_F(RecordingStoreTest, AnExpiredLeaseIsTakenOverAndTheOldWorkerLocksOut) {
  MustRegister(S3Recording("rec-1", "a.mp4"));
  MustClaim("w1");
  EXPECT_THAT(
      recordings_->UpdateProgress("rec-1", "w1", 10, 100, kNow, kNow + kLease),
      IsOk());
  // The lease was extended to kNow + kLease; taking over needs it expired.
  EXPECT_TRUE(NothingToClaim(kNow + kLease - absl::Seconds(1)));
  ClaimedJob job = MustClaim("w2", kNow + kLease);
  EXPECT_EQ(job.runs, 2);
  EXPECT_EQ(job.recording.bytes_done, 10);
  EXPECT_EQ(job.recording.bytes_total, 100);

  EXPECT_THAT(
      recordings_->UpdateProgress("rec-1", "w1", 50, 100, kNow, kNow + kLease),
      StatusIs(absl::StatusCode::kAborted, HasSubstr("w1")));
  IngestedFile file;
  EXPECT_THAT(recordings_->CompleteJob("rec-1", "w1", file, kNow),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("")));
  EXPECT_THAT(recordings_->FailJob("rec-1", "w1", "x", kNow),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("")));
  EXPECT_THAT(recordings_->ReleaseJob("rec-1", "w1", "x", kNow, kNow),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("")));
}

TEST_F(RecordingStoreTest, CompleteThenAnnounceFinishesTheJob) {
  MustRegister(S3Recording("rec-1", "a.mp4"));
  MustClaim("w1");
  IngestedFile file;
  file.local_path = "/recordings/rec-1.mp4";
  file.size_bytes = 1234;
  file.sha256 = std::string(64, 'a');
  file.media_container = "mov,mp4,m4a,3gp,3g2,mj2";
  file.media_duration_seconds = 2.5;
  file.media_has_audio = true;
  file.media_has_video = true;
  auto ready =
      recordings_->CompleteJob("rec-1", "w1", file, kNow + absl::Seconds(5));
  ASSERT_THAT(ready, IsOk());
  EXPECT_EQ(ready->state, v1::RECORDING_STATE_READY);
  EXPECT_EQ(ready->local_path, "/recordings/rec-1.mp4");
  EXPECT_EQ(ready->size_bytes, 1234);
  EXPECT_EQ(ready->bytes_done, 1234);
  EXPECT_EQ(ready->bytes_total, 1234);
  EXPECT_EQ(ready->sha256, file.sha256);
  EXPECT_EQ(ready->media_container, file.media_container);
  EXPECT_DOUBLE_EQ(ready->media_duration_seconds, 2.5);
  EXPECT_TRUE(ready->media_has_audio);
  EXPECT_TRUE(ready->media_has_video);
  EXPECT_EQ(ready->update_time, kNow + absl::Seconds(5));

  // Still leased by w1 for the announcement.
  EXPECT_TRUE(NothingToClaim(kNow + absl::Seconds(6)));
  ASSERT_THAT(recordings_->MarkAnnounced("rec-1", "w1", kNow), IsOk());
  EXPECT_TRUE(NothingToClaim(kNow + absl::Hours(10)));
  Reopen();
  auto recovered = recordings_->RecoverJobs(kNow);
  ASSERT_THAT(recovered, IsOk());
  EXPECT_EQ(*recovered, 0);
  EXPECT_TRUE(NothingToClaim(kNow + absl::Hours(10)));
}

TEST_F(RecordingStoreTest, MarkAnnouncedNeedsAFinishedDownload) {
  MustRegister(S3Recording("rec-1", "a.mp4"));
  MustClaim("w1");
  EXPECT_THAT(recordings_->MarkAnnounced("rec-1", "w1", kNow),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("")));
}

TEST_F(RecordingStoreTest, FailRecordsTheReason) {
  MustRegister(S3Recording("rec-1", "a.mp4"));
  MustClaim("w1");
  auto failed = recordings_->FailJob("rec-1", "w1", "no audio stream", kNow);
  ASSERT_THAT(failed, IsOk());
  EXPECT_EQ(failed->state, v1::RECORDING_STATE_FAILED);
  EXPECT_EQ(failed->failure_reason, "no audio stream");
  EXPECT_EQ(failed->local_path, "");
}

TEST_F(RecordingStoreTest, ReleaseRequeuesForLater) {
  MustRegister(S3Recording("rec-1", "a.mp4"));
  MustClaim("w1");
  const absl::Time due = kNow + absl::Seconds(30);
  ASSERT_THAT(recordings_->ReleaseJob("rec-1", "w1", "HTTP 503", due, kNow),
              IsOk());
  auto recording = recordings_->Get("rec-1");
  ASSERT_THAT(recording, IsOk());
  EXPECT_EQ(recording->state, v1::RECORDING_STATE_PENDING);
  EXPECT_EQ(recording->attempts, 1);
  auto next = recordings_->NextDueTime();
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(*next, due);
  EXPECT_TRUE(NothingToClaim(due - absl::Seconds(1)));
  EXPECT_EQ(MustClaim("w2", due).runs, 2);
}

TEST_F(RecordingStoreTest, ACrashLeavesTheJobClaimableAtStart) {
  MustRegister(S3Recording("rec-1", "a.mp4"));
  MustRegister(S3Recording("rec-2", "b.mp4"));
  MustClaim("dead-worker");
  ClaimedJob announcing = MustClaim("dead-worker");
  ASSERT_THAT(recordings_->CompleteJob(announcing.recording.recording_id,
                                       "dead-worker", IngestedFile{}, kNow),
              IsOk());
  // The process dies with both jobs leased; a new one opens the file.
  Reopen();
  EXPECT_TRUE(NothingToClaim(kNow + absl::Seconds(1)));
  auto recovered = recordings_->RecoverJobs(kNow + absl::Seconds(1));
  ASSERT_THAT(recovered, IsOk());
  EXPECT_EQ(*recovered, 2);

  std::set<std::string> phases;
  for (int i = 0; i < 2; ++i) {
    ClaimedJob job = MustClaim("new-worker", kNow + absl::Seconds(1));
    if (job.phase == JobPhase::kDownload) {
      phases.insert("download");
      EXPECT_EQ(job.runs, 2);
      EXPECT_EQ(job.recording.state, v1::RECORDING_STATE_DOWNLOADING);
    } else {
      phases.insert("announce");
      EXPECT_EQ(job.recording.state, v1::RECORDING_STATE_READY);
    }
  }
  EXPECT_THAT(phases, ElementsAre("announce", "download"));
}

TEST_F(RecordingStoreTest, RecoveredDownloadsAreShownAsPending) {
  MustRegister(S3Recording("rec-1", "a.mp4"));
  MustClaim("dead-worker");
  Reopen();
  ASSERT_THAT(recordings_->RecoverJobs(kNow), IsOk());
  auto recording = recordings_->Get("rec-1");
  ASSERT_THAT(recording, IsOk());
  EXPECT_EQ(recording->state, v1::RECORDING_STATE_PENDING);
}

TEST_F(RecordingStoreTest, ListPagesByMeetingAndState) {
  for (int i = 0; i < 5; ++i) {
    RecordingRecord r = S3Recording(absl::StrCat("rec-", i), absl::StrCat(i));
    if (i % 2 == 0) {
      r.meeting_id = "m1";
      r.unmatched = false;
    }
    MustRegister(r, kNow + absl::Seconds(i));
  }
  // rec-0 (due first) is claimed: DOWNLOADING.
  MustClaim("w", kNow + absl::Seconds(10));

  RecordingFilter filter;
  filter.limit = 2;
  std::vector<std::string> ids;
  do {
    auto page = recordings_->List(filter);
    ASSERT_THAT(page, IsOk());
    for (const RecordingRecord& r : page->recordings) {
      ids.push_back(r.recording_id);
    }
    filter.after_cursor = page->next_cursor;
  } while (!filter.after_cursor.empty());
  EXPECT_THAT(ids, ElementsAre("rec-4", "rec-3", "rec-2", "rec-1", "rec-0"));

  filter = RecordingFilter();
  filter.meeting_id = "m1";
  auto page = recordings_->List(filter);
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(page->recordings, SizeIs(3));
  EXPECT_EQ(page->recordings[0].recording_id, "rec-4");

  filter.state = v1::RECORDING_STATE_PENDING;
  filter.limit = 1;
  page = recordings_->List(filter);
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(page->recordings, SizeIs(1));
  EXPECT_EQ(page->recordings[0].recording_id, "rec-4");
  ASSERT_FALSE(page->next_cursor.empty());

  // A cursor only continues its own listing.
  RecordingFilter other;
  other.after_cursor = page->next_cursor;
  EXPECT_THAT(
      recordings_->List(other),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  other.after_cursor = "garbage";
  EXPECT_THAT(
      recordings_->List(other),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  other = RecordingFilter();
  other.limit = 0;
  EXPECT_THAT(recordings_->List(other),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

TEST_F(RecordingStoreTest, FindsMeetingsByProviderRoomName) {
  for (int i = 0; i < 3; ++i) {
    MeetingRecord meeting;
    meeting.meeting_id = absl::StrCat("m", i);
    meeting.platform = i == 2 ? "daily" : "whereby";
    meeting.room_name = "/room";
    meeting.start_time = kNow + absl::Hours(i);
    meeting.end_time = kNow + absl::Hours(i + 1);
    ASSERT_THAT(store_->InsertMeeting(meeting), IsOk());
  }
  auto found = recordings_->FindMeetingsByRoomName("whereby", "/room");
  ASSERT_THAT(found, IsOk());
  ASSERT_THAT(*found, SizeIs(2));
  EXPECT_EQ((*found)[0].meeting_id, "m1");
  EXPECT_EQ((*found)[0].start_time, kNow + absl::Hours(1));
  EXPECT_EQ((*found)[1].meeting_id, "m0");
  found = recordings_->FindMeetingsByRoomName("whereby", "/other");
  ASSERT_THAT(found, IsOk());
  EXPECT_THAT(*found, SizeIs(0));
}

}  // namespace
}  // namespace videoplatform::storage
