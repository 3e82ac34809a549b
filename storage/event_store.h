// The durable side of webhooks: received webhooks (for de-duplication and
// audit), their effect on meetings, and the event log that WatchEvents
// streams. Lives in the same SQLite file as Store, over its connection.
//
// Apply rules (ApplyWebhook, all in one transaction):
// - A webhook whose (platform, provider event id) was stored before is a
//   DUPLICATE: nothing changes and the event it first appended is returned.
// - A webhook whose event type is UNSPECIFIED, or that matches no meeting,
//   is stored as IGNORED: not applied, not in the event log.
// - Meetings are found by (platform, provider_meeting_id) when the event
//   carries one, else by (platform, room_name), newest first.
// - Participant events with an absolute count (Whereby's numClients) set
//   num_clients unless an event with a later time already set it.
// - Participant events without one (Daily) record the participant's
//   presence under its per-join id with the event time; a later time wins,
//   and at equal times "left" wins, so repeated and out-of-order events
//   change nothing; a join from before the meeting ended, delivered after
//   the end, counts as left. num_clients is the number of present
//   participants, so it never goes below zero.
// - Meeting started/ended set is_active unless an event with a later time
//   already did (at equal times "ended" wins). Ended also marks every
//   participant present before it as left, resets the absolute count to 0
//   and sets num_clients to the participants who joined after it.
// - Recording events change no meeting state.
// - Every applied event goes to the event log with the meeting's id and its
//   num_clients after the event, even when its time made it stale (the
//   response's detail then says so).
// Event times come from event.event_time; when unset, the receive time.
//
// Durability and batching: ApplyWebhook and AppendEvent are units of a
// GroupCommitter (storage/group_commit.h) over the connection: concurrent
// calls share one transaction and one fsync, each under its own savepoint,
// and return only after that commit succeeded (with synchronous=FULL: it
// survives power loss). If the commit fails, every call of the batch gets
// the error and nothing of it is stored. Two copies of one event in one
// batch: the first is applied, the second is a DUPLICATE of it.
//
// Thread safety: every method may be called concurrently. Writes run on the
// writer thread holding the connection's mutex (storage/sqlite.h);
// reads lease a read connection (Database::Read()), so they see the last
// commit and do not wait for writes. The commit listener is called after
// the transaction commits, without the mutex held, possibly from several
// threads at once and not in sequence order.
// Errors: as Store (UNAVAILABLE when the database stays busy, INTERNAL for
// other SQLite failures, INVALID_ARGUMENT for bad input, DATA_LOSS for a
// stored event that no longer parses).
#ifndef VIDEOPLATFORM_STORAGE_EVENT_STORE_H_
#define VIDEOPLATFORM_STORAGE_EVENT_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/group_commit.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::storage {

class Database;

// A genuine (signature-checked) webhook after provider parsing.
struct WebhookInput {
  // The platform that sent it. Required.
  std::string platform;
  // The body exactly as received, kept for audit.
  std::string raw_body;
  // The normalized event. Its provider_event_id is the de-duplication key
  // (empty only for bodies without one, which are never duplicates); its
  // sequence, meeting_id and num_clients are filled in here. Type
  // UNSPECIFIED: ignored, `ignore_reason` says why.
  v1::Event event;
  std::string ignore_reason;
  // The room's participant count when the provider reports it outright;
  // nullopt when participants are counted by presence.
  std::optional<int> num_clients;
};

struct WebhookResult {
  v1::WebhookOutcome outcome = v1::WEBHOOK_OUTCOME_UNSPECIFIED;
  // APPLIED: the event as appended (with its sequence). DUPLICATE: the event
  // the first delivery appended, if it was applied. IGNORED: nullopt.
  std::optional<v1::Event> event;
  // Why it was ignored, or notes such as a stale participant count.
  std::string detail;
};

// A stored webhook (for audit and tests).
struct WebhookRecord {
  std::string platform;
  std::string provider_event_id;
  std::string provider_event_type;
  absl::Time received_time;
  v1::WebhookOutcome outcome = v1::WEBHOOK_OUTCOME_UNSPECIFIED;
  std::string detail;
  std::string meeting_id;      // Empty when no meeting matched.
  int64_t event_sequence = 0;  // 0 when ignored.
  std::string body;
};

// The longest page ReadEvents returns.
inline constexpr int kMaxEventPage = 1000;

class EventStore {
 public:
  // Called with the sequence of each event after its transaction commits.
  using CommitListener = std::function<void(int64_t sequence)>;

  // `db` must be migrated (Store::Open does it) and outlive this object.
  // Several EventStores may share one connection and its writer.
  // Writes join the connection's group committer (db.group_committer(),
  // registered by Store) when it has one and `commit_options` is not given;
  // otherwise this store runs its own, sized by `commit_options` (max_batch
  // = 1: one transaction and fsync per write, as without group commit).
  explicit EventStore(
      Database& db, CommitListener on_commit = nullptr,
      std::optional<GroupCommitOptions> commit_options = std::nullopt);

  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Stores, de-duplicates and applies one webhook in one transaction (see
  // the file comment). `now` is the receive time. INVALID_ARGUMENT for an
  // empty platform, an unknown event type, or a presence-counted
  // participant event without a participant id. On error nothing is stored.
  absl::StatusOr<WebhookResult> ApplyWebhook(const WebhookInput& input,
                                             absl::Time now);

  // Appends an event that does not come from a webhook (e.g.
  // RECORDING_INGESTED / RECORDING_INGEST_FAILED from recording ingestion)
  // and returns it with its sequence. Changes no meeting; `event` is stored
  // as given (its sequence is ignored). INVALID_ARGUMENT for an
  // UNSPECIFIED or unknown type. Watchers are woken through the commit
  // listener of this EventStore.
  absl::StatusOr<v1::Event> AppendEvent(v1::Event event, absl::Time now);

  // Up to `limit` (1..kMaxEventPage) events with a sequence above
  // `after_sequence` (>= 0), in sequence order. A reader that continues
  // from the last sequence it saw misses nothing: sequences commit in
  // increasing order.
  absl::StatusOr<std::vector<v1::Event>> ReadEvents(int64_t after_sequence,
                                                    int limit);

  // The largest sequence in the log; 0 when it is empty.
  absl::StatusOr<int64_t> LastSequence();

  // The id of the meeting an event of `platform` refers to, found as
  // ApplyWebhook finds it; nullopt when none matches. Reads only.
  absl::StatusOr<std::optional<std::string>> FindMeetingId(
      absl::string_view platform, absl::string_view provider_meeting_id,
      absl::string_view room_name);

  // The stored webhook with this id; nullopt when never received.
  absl::StatusOr<std::optional<WebhookRecord>> GetWebhook(
      absl::string_view platform, absl::string_view provider_event_id);

  // The writer that batches this store's writes (for stats and tests).
  GroupCommitter& committer() { return *committer_; }

 private:
  Database& db_;
  const CommitListener on_commit_;
  // Set when this store runs its own writer; destroyed first.
  std::unique_ptr<GroupCommitter> own_committer_;
  GroupCommitter* committer_;  // own_committer_ or the connection's.
};

}  // namespace videoplatform::storage

#endif  // VIDEOPLATFORM_STORAGE_EVENT_STORE_H_
