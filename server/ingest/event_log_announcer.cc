#include "server/ingest/event_log_announcer.h"

#include "spdlog/spdlog.h"

namespace videoplatform::ingest {

absl::Status EventLogAnnouncer::Announce(const v1::Event& event) {
  absl::StatusOr<v1::Event> appended = events_.AppendEvent(event, clock_());
  if (!appended.ok()) return appended.status();
  spdlog::info("ingest: event {} ({}) for recording {}", appended->sequence(),
               v1::EventType_Name(appended->type()),
               appended->recording().recording_id());
  return absl::OkStatus();
}

}  // namespace videoplatform::ingest
