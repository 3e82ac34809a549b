// How the ingest queue tells the world that a recording is ready or has
// failed: one event per finished recording, EVENT_TYPE_RECORDING_INGESTED
// or EVENT_TYPE_RECORDING_INGEST_FAILED, for the event log and WatchEvents.
//
// Delivery is at least once: the queue announces after the recording's
// final state is committed and marks the job done only after Announce()
// succeeded, so a crash or an error in between announces the same event
// again (same provider_event_id, see RecordingEvent()).
#ifndef VIDEOPLATFORM_SERVER_INGEST_RECORDING_ANNOUNCER_H_
#define VIDEOPLATFORM_SERVER_INGEST_RECORDING_ANNOUNCER_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storage/recording_store.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::ingest {

class RecordingAnnouncer {
 public:
  virtual ~RecordingAnnouncer() = default;
  // Durably records `event` (its sequence is 0). An error makes the queue
  // try again later. Must be thread-safe.
  virtual absl::Status Announce(const v1::Event& event) = 0;
};

// The event for a READY or FAILED recording: type INGESTED/INGEST_FAILED,
// the recording's platform, meeting and room, provider_event_id
// "recording/<id>/ingested" or "recording/<id>/ingest-failed",
// provider_event_type "videoplatform.recording.ingested" /
// "videoplatform.recording.ingest_failed", event_time = the recording's
// update time, and RecordingDetails (recording id, provider recording id,
// kind, S3 key, tracks, duration, failure reason).
v1::Event RecordingEvent(const storage::RecordingRecord& recording);

}  // namespace videoplatform::ingest

#endif  // VIDEOPLATFORM_SERVER_INGEST_RECORDING_ANNOUNCER_H_
