#include "server/recording_rpcs.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/ids.h"
#include "server/common/status_macros.h"
#include "server/field_checks.h"
#include "server/ingest/recording_matcher.h"
#include "server/time_convert.h"
#include "spdlog/spdlog.h"

namespace videoplatform::server {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

absl::Status CheckTracks(const v1::IngestRecordingRequest& request,
                         std::vector<storage::RecordingTrackRecord>* tracks) {
  if (request.tracks_size() > kMaxRecordingTracks) {
    return Invalid(
        "tracks", absl::StrCat("at most ", kMaxRecordingTracks, " tracks, got ",
                               request.tracks_size()));
  }
  for (int i = 0; i < request.tracks_size(); ++i) {
    const v1::RecordingTrack& track = request.tracks(i);
    const std::string field = absl::StrCat("tracks[", i, "]");
    if (track.type() != "audio" && track.type() != "video") {
      return Invalid(absl::StrCat(field, ".type"),
                     "must be \"audio\" or \"video\"");
    }
    RETURN_IF_ERROR(CheckRequiredText(
        track.s3_key(), absl::StrCat(field, ".s3_key"), kMaxS3KeyLength));
    if (track.size_bytes() < 0) {
      return Invalid(absl::StrCat(field, ".size_bytes"),
                     "must not be negative");
    }
    tracks->push_back({track.type(), track.s3_key(), track.size_bytes()});
  }
  return absl::OkStatus();
}

}  // namespace

v1::Recording ToProto(const storage::RecordingRecord& r) {
  v1::Recording out;
  out.set_recording_id(r.recording_id);
  out.set_platform(r.platform);
  out.set_provider_recording_id(r.provider_recording_id);
  out.set_meeting_id(r.meeting_id);
  out.set_unmatched(r.unmatched);
  out.set_kind(r.kind);
  out.set_state(r.state);
  out.set_source(ingest::DescribeRecordingSource(r));
  out.set_bytes_done(r.bytes_done);
  out.set_bytes_total(r.bytes_total);
  out.set_attempts(r.attempts);
  out.set_local_path(r.local_path);
  out.set_size_bytes(r.size_bytes);
  out.set_sha256(r.sha256);
  if (r.state == v1::RECORDING_STATE_READY) {
    v1::MediaInfo* media = out.mutable_media();
    media->set_container(r.media_container);
    media->set_duration_seconds(r.media_duration_seconds);
    media->set_has_audio(r.media_has_audio);
    media->set_has_video(r.media_has_video);
  }
  out.set_failure_reason(r.failure_reason);
  *out.mutable_create_time() = ToProtoTimestamp(r.create_time);
  *out.mutable_update_time() = ToProtoTimestamp(r.update_time);
  out.set_room_name(r.room_name);
  if (r.start_time.has_value()) {
    *out.mutable_start_time() = ToProtoTimestamp(*r.start_time);
  }
  for (const storage::RecordingTrackRecord& track : r.tracks) {
    v1::RecordingTrack* t = out.add_tracks();
    t->set_type(track.type);
    t->set_s3_key(track.s3_key);
    t->set_size_bytes(track.size_bytes);
  }
  return out;
}

absl::StatusOr<v1::IngestRecordingResponse> RecordingRpcs::IngestRecording(
    const v1::IngestRecordingRequest& request) {
  RETURN_IF_ERROR(CheckRequiredText(request.platform(), "platform"));
  RETURN_IF_ERROR(providers_.CheckKnown(request.platform(), "platform"));
  RETURN_IF_ERROR(providers_.Get(request.platform()).status());

  storage::RecordingRecord record;
  record.platform = request.platform();
  switch (request.source_case()) {
    case v1::IngestRecordingRequest::kS3Object: {
      const v1::S3Object& object = request.s3_object();
      RETURN_IF_ERROR(CheckRequiredText(object.bucket(), "s3_object.bucket",
                                        kMaxTextLength * 2));
      RETURN_IF_ERROR(
          CheckRequiredText(object.key(), "s3_object.key", kMaxS3KeyLength));
      RETURN_IF_ERROR(CheckOptionalText(object.region(), "s3_object.region"));
      ASSIGN_OR_RETURN(const ingest::RecordingBucket bucket,
                       settings_.BucketFor(request.platform()));
      // The platform's keys are for its own bucket; reading any other
      // bucket with them is refused.
      if (object.bucket() != bucket.bucket) {
        return Invalid("s3_object.bucket",
                       absl::StrCat("is not the recordings bucket of platform "
                                    "\"",
                                    request.platform(), "\""));
      }
      record.source_kind = storage::RecordingSourceKind::kS3;
      record.s3_bucket = object.bucket();
      record.s3_key = object.key();
      record.s3_region = object.region();
      break;
    }
    case v1::IngestRecordingRequest::kDownloadUrl: {
      RETURN_IF_ERROR(CheckRequiredText(request.download_url(), "download_url",
                                        kMaxDownloadUrlLength));
      if (!check_url_) {
        return absl::FailedPreconditionError(
            "download_url: this server fetches no download URLs");
      }
      ASSIGN_OR_RETURN(record.download_url,
                       check_url_("download_url", request.download_url()));
      record.source_kind = storage::RecordingSourceKind::kUrl;
      break;
    }
    case v1::IngestRecordingRequest::kDailyRecordingId:
      RETURN_IF_ERROR(CheckRequiredText(request.daily_recording_id(),
                                        "daily_recording_id"));
      if (request.platform() != "daily") {
        return Invalid("daily_recording_id", "is only for platform \"daily\"");
      }
      record.source_kind = storage::RecordingSourceKind::kDailyRecordingId;
      record.source_recording_id = request.daily_recording_id();
      break;
    default:
      return Invalid("source",
                     "one of s3_object, download_url or daily_recording_id is "
                     "required");
  }

  RETURN_IF_ERROR(CheckOptionalText(request.provider_recording_id(),
                                    "provider_recording_id",
                                    kMaxTextLength * 2));
  record.provider_recording_id = request.provider_recording_id();
  if (record.provider_recording_id.empty()) {
    // A Daily recording id is the provider's recording id.
    record.provider_recording_id = record.source_recording_id;
  }
  RETURN_IF_ERROR(CheckOptionalText(request.meeting_id(), "meeting_id"));
  RETURN_IF_ERROR(
      CheckOptionalText(request.room_name(), "room_name", kMaxTextLength * 2));
  std::optional<absl::Time> start_time;
  if (request.has_start_time()) {
    ASSIGN_OR_RETURN(start_time,
                     FromProtoTimestamp(request.start_time(), "start_time"));
  }
  RETURN_IF_ERROR(CheckEnum(request.kind(), v1::RecordingKind_IsValid, "kind"));
  RETURN_IF_ERROR(CheckTracks(request, &record.tracks));
  record.kind = request.kind();
  if (record.kind == v1::RECORDING_KIND_UNSPECIFIED) {
    record.kind = record.tracks.empty() ? v1::RECORDING_KIND_CLOUD
                                        : v1::RECORDING_KIND_RAW_TRACKS;
  }

  ingest::MatchInput match;
  match.platform = record.platform;
  match.s3_key = record.s3_key;
  match.room_name = request.room_name();
  match.start_time = start_time;
  ASSIGN_OR_RETURN(const ingest::MatchResult matched,
                   ingest::MatchRecording(recordings_, match));
  record.room_name = matched.room_name;
  record.start_time = matched.start_time;
  if (!request.meeting_id().empty()) {
    // An explicit meeting wins over matching.
    ASSIGN_OR_RETURN(const storage::MeetingRecord meeting,
                     store_.GetMeeting(request.meeting_id()));
    if (meeting.platform != record.platform) {
      return Invalid(
          "meeting_id",
          absl::StrCat("meeting ", meeting.meeting_id, " is on platform \"",
                       meeting.platform, "\", not \"", record.platform, "\""));
    }
    record.meeting_id = meeting.meeting_id;
  } else {
    record.meeting_id = matched.meeting_id;
  }
  record.unmatched = record.meeting_id.empty();
  record.recording_id = NewUuid();

  ASSIGN_OR_RETURN(const storage::RecordingStore::RegisterResult registered,
                   recordings_.Register(record, absl::Now()));
  if (registered.created) {
    spdlog::info("registered recording {} on {} from {} ({})",
                 registered.recording.recording_id, record.platform,
                 ingest::DescribeRecordingSource(registered.recording),
                 record.unmatched
                     ? std::string("unmatched")
                     : absl::StrCat("meeting ", record.meeting_id));
    if (on_registered_) on_registered_();
  }
  v1::IngestRecordingResponse response;
  *response.mutable_recording() = ToProto(registered.recording);
  response.set_created(registered.created);
  return response;
}

absl::StatusOr<v1::GetRecordingResponse> RecordingRpcs::GetRecording(
    const v1::GetRecordingRequest& request) {
  RETURN_IF_ERROR(CheckRequiredText(request.recording_id(), "recording_id"));
  ASSIGN_OR_RETURN(const storage::RecordingRecord recording,
                   recordings_.Get(request.recording_id()));
  v1::GetRecordingResponse response;
  *response.mutable_recording() = ToProto(recording);
  return response;
}

absl::StatusOr<v1::ListRecordingsResponse> RecordingRpcs::ListRecordings(
    const v1::ListRecordingsRequest& request) {
  RETURN_IF_ERROR(CheckOptionalText(request.meeting_id(), "meeting_id"));
  RETURN_IF_ERROR(
      CheckEnum(request.state(), v1::RecordingState_IsValid, "state"));
  ASSIGN_OR_RETURN(const int limit,
                   CheckPageSize(request.page_size(), "page_size"));
  RETURN_IF_ERROR(CheckOptionalText(request.page_token(), "page_token", 1024));
  storage::RecordingFilter filter;
  filter.meeting_id = request.meeting_id();
  filter.state = request.state();
  filter.limit = limit;
  filter.after_cursor = request.page_token();
  ASSIGN_OR_RETURN(const storage::RecordingPage page, recordings_.List(filter));
  v1::ListRecordingsResponse response;
  for (const storage::RecordingRecord& recording : page.recordings) {
    *response.add_recordings() = ToProto(recording);
  }
  response.set_next_page_token(page.next_cursor);
  return response;
}

std::optional<v1::IngestRecordingRequest> IngestRequestForEvent(
    const v1::Event& event, const ingest::IngestSettings& settings) {
  if (event.type() != v1::EVENT_TYPE_RECORDING_READY ||
      !event.has_recording()) {
    return std::nullopt;
  }
  const v1::RecordingDetails& details = event.recording();
  v1::IngestRecordingRequest request;
  request.set_platform(event.platform());
  absl::StatusOr<ingest::RecordingBucket> bucket =
      settings.BucketFor(event.platform());
  if (!details.s3_key().empty() && bucket.ok()) {
    request.mutable_s3_object()->set_bucket(bucket->bucket);
    request.mutable_s3_object()->set_key(details.s3_key());
  } else if (event.platform() == "daily" &&
             !details.provider_recording_id().empty()) {
    request.set_daily_recording_id(details.provider_recording_id());
  } else {
    return std::nullopt;
  }
  request.set_provider_recording_id(details.provider_recording_id());
  request.set_meeting_id(event.meeting_id());
  request.set_room_name(event.room_name());
  request.set_kind(details.kind());
  for (const v1::RecordingTrack& track : details.tracks()) {
    *request.add_tracks() = track;
  }
  return request;
}

}  // namespace videoplatform::server
