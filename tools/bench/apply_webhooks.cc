// Micro-benchmark of the storage write path of webhooks: N threads each
// apply distinct Daily participant.joined webhooks through
// storage::EventStore::ApplyWebhook on a real SQLite file
// (synchronous=FULL), with group commit ("batched") and with one
// transaction and fsync per webhook ("unbatched", max_batch = 1),
// alternating the two for --rounds rounds. Prints applies/s, p50/p99
// latency per call and the mean batch size. See README.md.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/event_store.h"
#include "storage/store.h"

ABSL_FLAG(int, threads, 32, "concurrent callers of ApplyWebhook");
ABSL_FLAG(int, per_thread, 100, "webhooks each caller applies per run");
ABSL_FLAG(int, rounds, 3, "rounds; each runs both modes, alternating");
ABSL_FLAG(int, meetings, 16, "meetings the webhooks are spread over");
ABSL_FLAG(std::string, dir, "/tmp",
          "directory for the database files (deleted after each run)");

namespace videoplatform {
namespace {

struct RunResult {
  double applies_per_second = 0;
  absl::Duration p50;
  absl::Duration p99;
  int64_t batches = 0;
  int64_t errors = 0;
};

storage::WebhookInput Joined(int meeting, const std::string& id) {
  storage::WebhookInput input;
  input.platform = "daily";
  input.raw_body = absl::StrCat("{\"id\":\"", id, "\"}");
  input.event.set_type(v1::EVENT_TYPE_PARTICIPANT_JOINED);
  input.event.set_platform("daily");
  input.event.set_provider_event_id(id);
  input.event.set_provider_event_type("participant.joined");
  input.event.set_room_name(absl::StrCat("bench-room-", meeting));
  input.event.mutable_participant()->set_participant_id(
      absl::StrCat("session-", id));
  return input;
}

absl::StatusOr<RunResult> RunOnce(const std::string& dir, bool batched,
                                  int threads, int per_thread, int meetings) {
  const std::string path = absl::StrCat(dir, "/apply_webhooks.db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    unlink(absl::StrCat(path, suffix).c_str());
  }
  RunResult result;
  {
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::Store::Open(path);
    if (!store.ok()) return store.status();
    const absl::Time now = absl::Now();
    for (int m = 0; m < meetings; ++m) {
      storage::MeetingRecord meeting;
      meeting.meeting_id = absl::StrCat("bench-meeting-", m);
      meeting.platform = "daily";
      meeting.room_id = absl::StrCat("bench-room-id-", m);
      meeting.room_name = absl::StrCat("bench-room-", m);
      meeting.start_time = now - absl::Hours(1);
      meeting.end_time = now + absl::Hours(1);
      if (absl::Status s = (*store)->InsertMeeting(meeting); !s.ok()) return s;
    }
    // Batched: the service's set-up, the connection's shared writer.
    // Unbatched: a writer of its own that commits every webhook alone.
    std::optional<storage::GroupCommitOptions> options;
    if (!batched) {
      options.emplace();
      options->max_batch = 1;
    }
    storage::EventStore events((*store)->database(), nullptr, options);

    std::vector<std::vector<absl::Duration>> latencies(threads);
    std::atomic<int64_t> errors{0};
    std::vector<std::thread> workers;
    const absl::Time start = absl::Now();
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        latencies[t].reserve(per_thread);
        for (int i = 0; i < per_thread; ++i) {
          const storage::WebhookInput input =
              Joined((t * per_thread + i) % meetings, absl::StrCat(t, "-", i));
          const absl::Time before = absl::Now();
          absl::StatusOr<storage::WebhookResult> applied =
              events.ApplyWebhook(input, before);
          latencies[t].push_back(absl::Now() - before);
          if (!applied.ok() ||
              applied->outcome != v1::WEBHOOK_OUTCOME_APPLIED) {
            ++errors;
          }
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    const absl::Duration elapsed = absl::Now() - start;

    std::vector<absl::Duration> all;
    for (const auto& per : latencies)
      all.insert(all.end(), per.begin(), per.end());
    std::sort(all.begin(), all.end());
    result.applies_per_second =
        static_cast<double>(all.size()) / absl::ToDoubleSeconds(elapsed);
    result.p50 = all[all.size() / 2];
    result.p99 = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    result.batches = events.committer().stats().batches;
    result.errors = errors.load();
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    unlink(absl::StrCat(path, suffix).c_str());
  }
  return result;
}

int Main() {
  const int threads = std::max(1, absl::GetFlag(FLAGS_threads));
  const int per_thread = std::max(1, absl::GetFlag(FLAGS_per_thread));
  const int rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
  const int meetings = std::max(1, absl::GetFlag(FLAGS_meetings));
  std::string dir_template =
      absl::StrCat(absl::GetFlag(FLAGS_dir), "/apply_webhooks_XXXXXX");
  if (mkdtemp(dir_template.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string dir = dir_template;
  std::printf("%d threads x %d webhooks per run, %d meetings, in %s\n", threads,
              per_thread, meetings, dir.c_str());
  std::printf("%-6s %-10s %12s %10s %10s %12s %7s\n", "round", "mode",
              "applies/s", "p50 ms", "p99 ms", "mean batch", "errors");
  double sums[2] = {0, 0};
  for (int round = 1; round <= rounds; ++round) {
    // Alternate which mode goes first, so neither always runs on a warmer
    // (or more tired) disk.
    for (int k = 0; k < 2; ++k) {
      const bool batched = ((round + k) % 2) == 0;
      absl::StatusOr<RunResult> r =
          RunOnce(dir, batched, threads, per_thread, meetings);
      if (!r.ok()) {
        std::fprintf(stderr, "run failed: %s\n", r.status().ToString().c_str());
        return 1;
      }
      sums[batched ? 0 : 1] += r->applies_per_second;
      std::printf("%-6d %-10s %12.0f %10.2f %10.2f %12.1f %7lld\n", round,
                  batched ? "batched" : "unbatched", r->applies_per_second,
                  absl::ToDoubleMilliseconds(r->p50),
                  absl::ToDoubleMilliseconds(r->p99),
                  r->batches > 0 ? static_cast<double>(threads * per_thread) /
                                       static_cast<double>(r->batches)
                                 : 0.0,
                  static_cast<long long>(r->errors));
      std::fflush(stdout);
    }
  }
  std::printf("mean applies/s: batched %.0f, unbatched %.0f, ratio %.1fx\n",
              sums[0] / rounds, sums[1] / rounds,
              sums[1] > 0 ? sums[0] / sums[1] : 0.0);
  rmdir(dir.c_str());
  return 0;
}

}  // namespace
}  // namespace videoplatform

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return videoplatform::Main();
}
