// RecordingAnnouncer over the durable event log (storage::EventStore):
// each announcement is one AppendEvent. Use the EventStore whose commit
// listener wakes WatchEvents, so watchers see the event at once.
// Thread-safe (EventStore is).
#ifndef VIDEOPLATFORM_SERVER_INGEST_EVENT_LOG_ANNOUNCER_H_
#define VIDEOPLATFORM_SERVER_INGEST_EVENT_LOG_ANNOUNCER_H_

#include <functional>

#include "absl/time/clock.h"
#include "server/ingest/recording_announcer.h"
#include "storage/event_store.h"

namespace videoplatform::ingest {

class EventLogAnnouncer : public RecordingAnnouncer {
 public:
  // `events` must outlive this object.
  explicit EventLogAnnouncer(
      storage::EventStore& events,
      std::function<absl::Time()> clock = [] { return absl::Now(); })
      : events_(events), clock_(std::move(clock)) {}

  absl::Status Announce(const v1::Event& event) override;

 private:
  storage::EventStore& events_;
  const std::function<absl::Time()> clock_;
};

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_EVENT_LOG_ANNOUNCER_H_
