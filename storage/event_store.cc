// EventStore on the shared connection: writes are units of the group
// committer (one writer thread, one transaction per batch, holding the
// connection's mutex), so they serialise against every other writer of the
// file and sequences commit in order; reads hold the connection's mutex.
#include "storage/event_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/common/status_macros.h"
#include "storage/group_commit.h"
#include "storage/sqlite.h"

namespace videoplatform::storage {
namespace {

constexpr absl::string_view kApplied = "applied";
constexpr absl::string_view kIgnored = "ignored";

absl::Time FromProto(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

// The time an event orders by: its own, else when it was received.
int64_t EventTimeMicros(const v1::Event& event, absl::Time now) {
  if (event.has_event_time()) {
    return absl::ToUnixMicros(FromProto(event.event_time()));
  }
  return absl::ToUnixMicros(now);
}

bool IsKnownType(v1::EventType type) {
  return type != v1::EVENT_TYPE_UNSPECIFIED && v1::EventType_IsValid(type);
}

// The meeting state the apply rules read.
struct MeetingState {
  std::string meeting_id;
  int num_clients = 0;
  bool is_active = true;
  std::optional<int64_t> participants_time_us;
  std::optional<int64_t> session_time_us;
};

std::optional<int64_t> OptionalInt64(const Statement& row, int column) {
  if (row.ColumnIsNull(column)) return std::nullopt;
  return row.ColumnInt64(column);
}

// The newest meeting of `platform` with the provider's id, else with the
// room name; nullopt when neither matches (or both are empty).
absl::StatusOr<std::optional<MeetingState>> FindMeetingLocked(
    Database& db, absl::string_view platform,
    absl::string_view provider_meeting_id, absl::string_view room_name) {
  absl::string_view column;
  absl::string_view value;
  if (!provider_meeting_id.empty()) {
    column = "provider_meeting_id";
    value = provider_meeting_id;
  } else if (!room_name.empty()) {
    column = "room_name";
    value = room_name;
  } else {
    return std::optional<MeetingState>();
  }
  ASSIGN_OR_RETURN(
      Statement select,
      db.PrepareCached(absl::StrCat(
          "SELECT id, num_clients, is_active, participants_time_us, "
          "session_time_us "
          "FROM meetings WHERE platform = ?1 AND ",
          column, " = ?2 ORDER BY start_time_us DESC, id DESC LIMIT 1")));
  RETURN_IF_ERROR(select.BindAll(platform, value));
  ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::optional<MeetingState>();
  MeetingState state;
  state.meeting_id = select.ColumnText(0);
  state.num_clients = static_cast<int>(select.ColumnInt64(1));
  state.is_active = select.ColumnBool(2);
  state.participants_time_us = OptionalInt64(select, 3);
  state.session_time_us = OptionalInt64(select, 4);
  return std::optional<MeetingState>(std::move(state));
}

std::string Stale(absl::string_view what) {
  return absl::StrCat("stale: a later ", what,
                      " was already applied; the meeting is unchanged");
}

absl::StatusOr<int> CountPresent(Database& db, absl::string_view meeting_id) {
  ASSIGN_OR_RETURN(Statement count,
                   db.PrepareCached("SELECT COUNT(*) FROM participant_presence "
                                    "WHERE meeting_id = ?1 AND present = 1"));
  RETURN_IF_ERROR(count.BindText(1, meeting_id));
  ASSIGN_OR_RETURN(const bool row, count.Step());
  if (!row) return absl::InternalError("COUNT(*) returned no row");
  return static_cast<int>(count.ColumnInt64(0));
}

absl::Status SetNumClients(Database& db, absl::string_view meeting_id,
                           int num_clients) {
  ASSIGN_OR_RETURN(Statement update,
                   db.PrepareCached("UPDATE meetings SET num_clients = ?2 "
                                    "WHERE id = ?1"));
  RETURN_IF_ERROR(update.BindAll(meeting_id, num_clients));
  return update.Run();
}

// Whereby: the provider's count, unless a later one was applied. Returns
// whether it was applied.
absl::StatusOr<bool> ApplyAbsoluteCount(Database& db, MeetingState& meeting,
                                        int num_clients, int64_t time_us) {
  if (meeting.participants_time_us.has_value() &&
      time_us < *meeting.participants_time_us) {
    return false;
  }
  ASSIGN_OR_RETURN(Statement update,
                   db.PrepareCached("UPDATE meetings SET num_clients = ?2, "
                                    "participants_time_us = ?3 WHERE id = ?1"));
  const int count = std::max(num_clients, 0);
  RETURN_IF_ERROR(update.BindAll(meeting.meeting_id, count, time_us));
  RETURN_IF_ERROR(update.Run());
  meeting.num_clients = count;
  meeting.participants_time_us = time_us;
  return true;
}

// Daily: presence by per-join id; a later time wins, "left" wins ties, and
// a join from before the meeting's end counts as left. Returns why the
// count did not take the event into account; empty when it did.
absl::StatusOr<std::string> ApplyPresence(Database& db, MeetingState& meeting,
                                          absl::string_view participant_id,
                                          bool joined, int64_t time_us) {
  ASSIGN_OR_RETURN(
      Statement select,
      db.PrepareCached("SELECT present, event_time_us FROM "
                       "participant_presence WHERE meeting_id = ?1 "
                       "AND participant_id = ?2"));
  RETURN_IF_ERROR(select.BindAll(meeting.meeting_id, participant_id));
  ASSIGN_OR_RETURN(const bool row, select.Step());
  if (row) {
    const bool present = select.ColumnBool(0);
    const int64_t last_us = select.ColumnInt64(1);
    const bool newer =
        time_us > last_us || (time_us == last_us && !joined && present);
    if (!newer) return Stale("event of this participant");
  }
  std::string detail;
  bool present = joined;
  if (joined && !meeting.is_active && meeting.session_time_us.has_value() &&
      time_us <= *meeting.session_time_us) {
    present = false;
    detail = "stale: the meeting ended after this join; not counted";
  }
  ASSIGN_OR_RETURN(
      Statement upsert,
      db.PrepareCached(
          "INSERT INTO participant_presence "
          "(meeting_id, participant_id, present, event_time_us) "
          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (meeting_id, "
          "participant_id) DO UPDATE SET present = excluded.present, "
          "event_time_us = excluded.event_time_us"));
  RETURN_IF_ERROR(
      upsert.BindAll(meeting.meeting_id, participant_id, present, time_us));
  RETURN_IF_ERROR(upsert.Run());
  ASSIGN_OR_RETURN(meeting.num_clients, CountPresent(db, meeting.meeting_id));
  RETURN_IF_ERROR(SetNumClients(db, meeting.meeting_id, meeting.num_clients));
  return detail;
}

// Meeting (session) started/ended. Returns whether it was applied.
absl::StatusOr<bool> ApplySession(Database& db, MeetingState& meeting,
                                  bool started, int64_t time_us) {
  if (meeting.session_time_us.has_value()) {
    const int64_t last_us = *meeting.session_time_us;
    if (time_us < last_us || (time_us == last_us && started)) return false;
  }
  if (started) {
    ASSIGN_OR_RETURN(Statement update,
                     db.PrepareCached("UPDATE meetings SET is_active = 1, "
                                      "session_time_us = ?2 WHERE id = ?1"));
    RETURN_IF_ERROR(update.BindAll(meeting.meeting_id, time_us));
    RETURN_IF_ERROR(update.Run());
    meeting.is_active = true;
    meeting.session_time_us = time_us;
    return true;
  }
  // Everyone present before the end has left.
  ASSIGN_OR_RETURN(
      Statement leave,
      db.PrepareCached(
          "UPDATE participant_presence SET present = 0, "
          "event_time_us = ?2 WHERE meeting_id = ?1 AND present = 1 "
          "AND event_time_us <= ?2"));
  RETURN_IF_ERROR(leave.BindAll(meeting.meeting_id, time_us));
  RETURN_IF_ERROR(leave.Run());
  ASSIGN_OR_RETURN(const int present, CountPresent(db, meeting.meeting_id));
  // An absolute count from before the end is void; a later one stands.
  const bool later_count = meeting.participants_time_us.has_value() &&
                           *meeting.participants_time_us > time_us;
  const int num_clients = later_count ? meeting.num_clients : present;
  const int64_t participants_us =
      later_count ? *meeting.participants_time_us : time_us;
  ASSIGN_OR_RETURN(
      Statement update,
      db.PrepareCached("UPDATE meetings SET is_active = 0, num_clients = ?2, "
                       "participants_time_us = ?3, session_time_us = ?4 "
                       "WHERE id = ?1"));
  RETURN_IF_ERROR(update.BindAll(meeting.meeting_id, num_clients,
                                 participants_us, time_us));
  RETURN_IF_ERROR(update.Run());
  meeting.num_clients = num_clients;
  meeting.is_active = false;
  meeting.participants_time_us = participants_us;
  meeting.session_time_us = time_us;
  return true;
}

// Inserts `event` (its sequence cleared) and returns its sequence.
absl::StatusOr<int64_t> InsertEvent(Database& db, v1::Event event,
                                    absl::Time now) {
  event.set_sequence(0);
  std::string bytes;
  if (!event.SerializeToString(&bytes)) {
    return absl::InternalError("cannot serialize the event");
  }
  ASSIGN_OR_RETURN(
      Statement insert,
      db.PrepareCached("INSERT INTO events (type, platform, meeting_id, "
                       "create_time_us, event) VALUES (?1, ?2, ?3, ?4, ?5) "
                       "RETURNING sequence"));
  RETURN_IF_ERROR(insert.BindAll(v1::EventType_Name(event.type()),
                                 event.platform(), event.meeting_id(),
                                 absl::ToUnixMicros(now)));
  RETURN_IF_ERROR(insert.BindBlob(5, bytes));
  ASSIGN_OR_RETURN(const bool row, insert.Step());
  if (!row) return absl::InternalError("INSERT .. RETURNING gave no row");
  const int64_t sequence = insert.ColumnInt64(0);
  RETURN_IF_ERROR(insert.Run());  // Finishes the statement.
  return sequence;
}

absl::StatusOr<v1::Event> ParseEvent(int64_t sequence,
                                     const std::string& bytes) {
  v1::Event event;
  if (!event.ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("stored event ", sequence, " does not parse"));
  }
  event.set_sequence(sequence);
  return event;
}

absl::StatusOr<std::optional<v1::Event>> ReadEventLocked(Database& db,
                                                         int64_t sequence) {
  ASSIGN_OR_RETURN(
      Statement select,
      db.PrepareCached("SELECT event FROM events WHERE sequence = ?1"));
  RETURN_IF_ERROR(select.BindInt64(1, sequence));
  ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::optional<v1::Event>();
  ASSIGN_OR_RETURN(v1::Event event, ParseEvent(sequence, select.ColumnText(0)));
  return std::optional<v1::Event>(std::move(event));
}

constexpr absl::string_view kWebhookColumns =
    "platform, provider_event_id, provider_event_type, received_time_us, "
    "outcome, detail, meeting_id, event_sequence, body";

WebhookRecord ReadWebhook(const Statement& row) {
  WebhookRecord record;
  record.platform = row.ColumnText(0);
  record.provider_event_id = row.ColumnText(1);
  record.provider_event_type = row.ColumnText(2);
  record.received_time = absl::FromUnixMicros(row.ColumnInt64(3));
  record.outcome = row.ColumnText(4) == kApplied ? v1::WEBHOOK_OUTCOME_APPLIED
                                                 : v1::WEBHOOK_OUTCOME_IGNORED;
  record.detail = row.ColumnText(5);
  record.meeting_id = row.ColumnText(6);
  record.event_sequence = row.ColumnIsNull(7) ? 0 : row.ColumnInt64(7);
  record.body = row.ColumnText(8);
  return record;
}

absl::StatusOr<std::optional<WebhookRecord>> GetWebhookLocked(
    Database& db, absl::string_view platform,
    absl::string_view provider_event_id) {
  ASSIGN_OR_RETURN(Statement select, db.PrepareCached(absl::StrCat(
                                         "SELECT ", kWebhookColumns,
                                         " FROM webhooks WHERE platform = "
                                         "?1 AND provider_event_id = ?2")));
  RETURN_IF_ERROR(select.BindAll(platform, provider_event_id));
  ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::optional<WebhookRecord>();
  return std::optional<WebhookRecord>(ReadWebhook(select));
}

absl::Status InsertWebhook(Database& db, const WebhookInput& input,
                           absl::Time now, absl::string_view outcome,
                           absl::string_view detail,
                           absl::string_view meeting_id, int64_t sequence) {
  ASSIGN_OR_RETURN(Statement insert,
                   db.PrepareCached(absl::StrCat(
                       "INSERT INTO webhooks (", kWebhookColumns,
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")));
  // BindAll binds from parameter 1; the NULL-able ones are set after it.
  RETURN_IF_ERROR(
      insert.BindAll(input.platform, input.event.provider_event_id(),
                     input.event.provider_event_type(), absl::ToUnixMicros(now),
                     outcome, detail, meeting_id));
  if (input.event.provider_event_id().empty()) {
    RETURN_IF_ERROR(insert.BindNull(2));
  }
  RETURN_IF_ERROR(sequence > 0 ? insert.BindInt64(8, sequence)
                               : insert.BindNull(8));
  RETURN_IF_ERROR(insert.BindBlob(9, input.raw_body));
  return insert.Run();
}

// The body of ApplyWebhook, inside the group commit's transaction (under
// its own savepoint); fills `result`. Input is validated already.
absl::Status ApplyInTransaction(Database& db, const WebhookInput& input,
                                absl::Time now, WebhookResult& result) {
  const v1::Event& parsed = input.event;
  if (!parsed.provider_event_id().empty()) {
    ASSIGN_OR_RETURN(
        const std::optional<WebhookRecord> earlier,
        GetWebhookLocked(db, input.platform, parsed.provider_event_id()));
    if (earlier.has_value()) {
      result.outcome = v1::WEBHOOK_OUTCOME_DUPLICATE;
      result.detail = absl::StrCat("event ", parsed.provider_event_id(),
                                   " was received before");
      if (earlier->outcome == v1::WEBHOOK_OUTCOME_IGNORED) {
        absl::StrAppend(&result.detail, " and ignored: ", earlier->detail);
      }
      if (earlier->event_sequence > 0) {
        ASSIGN_OR_RETURN(result.event,
                         ReadEventLocked(db, earlier->event_sequence));
      }
      return absl::OkStatus();  // Nothing written.
    }
  }

  std::optional<MeetingState> meeting;
  if (parsed.type() == v1::EVENT_TYPE_UNSPECIFIED) {
    result.detail = input.ignore_reason.empty() ? "uninteresting event"
                                                : input.ignore_reason;
  } else {
    ASSIGN_OR_RETURN(meeting, FindMeetingLocked(db, input.platform,
                                                parsed.provider_meeting_id(),
                                                parsed.room_name()));
    if (!meeting.has_value()) {
      result.detail = absl::StrCat(
          "no ", input.platform, " meeting with ",
          parsed.provider_meeting_id().empty()
              ? absl::StrCat("room name \"", parsed.room_name(), "\"")
              : absl::StrCat("provider meeting id \"",
                             parsed.provider_meeting_id(), "\""));
    }
  }
  if (!meeting.has_value()) {
    result.outcome = v1::WEBHOOK_OUTCOME_IGNORED;
    RETURN_IF_ERROR(
        InsertWebhook(db, input, now, kIgnored, result.detail, "", 0));
    return absl::OkStatus();
  }

  const int64_t time_us = EventTimeMicros(parsed, now);
  switch (parsed.type()) {
    case v1::EVENT_TYPE_PARTICIPANT_JOINED:
    case v1::EVENT_TYPE_PARTICIPANT_LEFT: {
      const bool joined = parsed.type() == v1::EVENT_TYPE_PARTICIPANT_JOINED;
      if (input.num_clients.has_value()) {
        ASSIGN_OR_RETURN(
            const bool applied,
            ApplyAbsoluteCount(db, *meeting, *input.num_clients, time_us));
        if (!applied) result.detail = Stale("participant count");
      } else {
        ASSIGN_OR_RETURN(
            result.detail,
            ApplyPresence(db, *meeting, parsed.participant().participant_id(),
                          joined, time_us));
      }
      break;
    }
    case v1::EVENT_TYPE_MEETING_STARTED:
    case v1::EVENT_TYPE_MEETING_ENDED: {
      ASSIGN_OR_RETURN(
          const bool applied,
          ApplySession(db, *meeting,
                       parsed.type() == v1::EVENT_TYPE_MEETING_STARTED,
                       time_us));
      if (!applied) result.detail = Stale("meeting start or end");
      break;
    }
    default:
      break;  // Recording events change no meeting state.
  }

  v1::Event event = parsed;
  event.set_meeting_id(meeting->meeting_id);
  event.set_num_clients(meeting->num_clients);
  ASSIGN_OR_RETURN(const int64_t sequence, InsertEvent(db, event, now));
  RETURN_IF_ERROR(InsertWebhook(db, input, now, kApplied, result.detail,
                                meeting->meeting_id, sequence));
  event.set_sequence(sequence);
  result.outcome = v1::WEBHOOK_OUTCOME_APPLIED;
  result.event = std::move(event);
  return absl::OkStatus();
}

}  // namespace

EventStore::EventStore(Database& db, CommitListener on_commit,
                       std::optional<GroupCommitOptions> commit_options)
    : db_(db),
      on_commit_(std::move(on_commit)),
      own_committer_(
          commit_options.has_value() || db.group_committer() == nullptr
              ? std::make_unique<GroupCommitter>(
                    db, commit_options.value_or(GroupCommitOptions()))
              : nullptr),
      committer_(own_committer_ != nullptr ? own_committer_.get()
                                           : db.group_committer()) {}

absl::StatusOr<WebhookResult> EventStore::ApplyWebhook(
    const WebhookInput& input, absl::Time now) {
  if (input.platform.empty()) {
    return absl::InvalidArgumentError("platform must not be empty");
  }
  const v1::Event& parsed = input.event;
  if (parsed.type() != v1::EVENT_TYPE_UNSPECIFIED &&
      !IsKnownType(parsed.type())) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown event type ", parsed.type()));
  }
  const bool participant_event =
      parsed.type() == v1::EVENT_TYPE_PARTICIPANT_JOINED ||
      parsed.type() == v1::EVENT_TYPE_PARTICIPANT_LEFT;
  if (participant_event && !input.num_clients.has_value() &&
      parsed.participant().participant_id().empty()) {
    return absl::InvalidArgumentError(
        "a participant event without a count needs "
        "participant.participant_id");
  }

  WebhookResult result;
  RETURN_IF_ERROR(committer_->Run([&](Database& db) {
    return ApplyInTransaction(db, input, now, result);
  }));
  if (on_commit_ && result.outcome == v1::WEBHOOK_OUTCOME_APPLIED) {
    on_commit_(result.event->sequence());
  }
  return result;
}

absl::StatusOr<v1::Event> EventStore::AppendEvent(v1::Event event,
                                                  absl::Time now) {
  if (!IsKnownType(event.type())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event type must be a specified EventType, got ", event.type()));
  }
  int64_t sequence = 0;
  RETURN_IF_ERROR(committer_->Run([&](Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(sequence, InsertEvent(db, event, now));
    return absl::OkStatus();
  }));
  event.set_sequence(sequence);
  if (on_commit_) on_commit_(sequence);
  return event;
}

absl::StatusOr<std::vector<v1::Event>> EventStore::ReadEvents(
    int64_t after_sequence, int limit) {
  if (after_sequence < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "after_sequence must not be negative, got ", after_sequence));
  }
  if (limit <= 0 || limit > kMaxEventPage) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be in 1..", kMaxEventPage, ", got ", limit));
  }
  ReadLease reader = db_.Read();
  Database& db = reader.db();
  ASSIGN_OR_RETURN(Statement select,
                   db.PrepareCached("SELECT sequence, event FROM events "
                                    "WHERE sequence > ?1 ORDER BY sequence "
                                    "LIMIT ?2"));
  RETURN_IF_ERROR(select.BindAll(after_sequence, limit));
  std::vector<v1::Event> events;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(v1::Event event,
                     ParseEvent(select.ColumnInt64(0), select.ColumnText(1)));
    events.push_back(std::move(event));
  }
  return events;
}

absl::StatusOr<int64_t> EventStore::LastSequence() {
  ReadLease reader = db_.Read();
  Database& db = reader.db();
  ASSIGN_OR_RETURN(
      Statement select,
      db.PrepareCached("SELECT COALESCE(MAX(sequence), 0) FROM events"));
  ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return absl::InternalError("MAX(sequence) returned no row");
  return select.ColumnInt64(0);
}

absl::StatusOr<std::optional<std::string>> EventStore::FindMeetingId(
    absl::string_view platform, absl::string_view provider_meeting_id,
    absl::string_view room_name) {
  ReadLease reader = db_.Read();
  Database& db = reader.db();
  ASSIGN_OR_RETURN(
      const std::optional<MeetingState> meeting,
      FindMeetingLocked(db, platform, provider_meeting_id, room_name));
  if (!meeting.has_value()) return std::optional<std::string>();
  return std::optional<std::string>(meeting->meeting_id);
}

absl::StatusOr<std::optional<WebhookRecord>> EventStore::GetWebhook(
    absl::string_view platform, absl::string_view provider_event_id) {
  ReadLease reader = db_.Read();
  Database& db = reader.db();
  return GetWebhookLocked(db, platform, provider_event_id);
}

}  // namespace videoplatform::storage
