#include "server/ingest/recording_announcer.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace videoplatform::ingest {

v1::Event RecordingEvent(const storage::RecordingRecord& recording) {
  const bool ready = recording.state == v1::RECORDING_STATE_READY;
  v1::Event event;
  event.set_type(ready ? v1::EVENT_TYPE_RECORDING_INGESTED
                       : v1::EVENT_TYPE_RECORDING_INGEST_FAILED);
  event.set_platform(recording.platform);
  event.set_meeting_id(recording.meeting_id);
  event.set_room_name(recording.room_name);
  event.set_provider_event_id(
      absl::StrCat("recording/", recording.recording_id,
                   ready ? "/ingested" : "/ingest-failed"));
  event.set_provider_event_type(ready
                                    ? "videoplatform.recording.ingested"
                                    : "videoplatform.recording.ingest_failed");
  const int64_t micros = absl::ToUnixMicros(recording.update_time);
  event.mutable_event_time()->set_seconds(
      micros >= 0 ? micros / 1000000 : (micros - 999999) / 1000000);
  event.mutable_event_time()->set_nanos(
      static_cast<int32_t>((micros % 1000000 + 1000000) % 1000000) * 1000);
  v1::RecordingDetails* details = event.mutable_recording();
  details->set_recording_id(recording.recording_id);
  details->set_provider_recording_id(recording.provider_recording_id);
  details->set_kind(recording.kind);
  details->set_s3_key(recording.s3_key);
  for (const storage::RecordingTrackRecord& track : recording.tracks) {
    v1::RecordingTrack* out = details->add_tracks();
    out->set_type(track.type);
    out->set_s3_key(track.s3_key);
    out->set_size_bytes(track.size_bytes);
  }
  details->set_duration_seconds(
      static_cast<int64_t>(std::llround(recording.media_duration_seconds)));
  details->set_error_message(recording.failure_reason);
  return event;
}

}  // namespace videoplatform::ingest
