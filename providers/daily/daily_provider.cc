#include "providers/daily/daily_provider.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "providers/daily/daily_settings.h"
#include "providers/daily/daily_webhooks.h"
#include "providers/http/crypto.h"
#include "server/common/status_macros.h"

namespace videoplatform::providers {
namespace {

using json = nlohmann::json;

Capabilities DailyCapabilities() {
  Capabilities c;
  c.can_delete_room = true;
  c.can_upload_logo = false;
  c.has_host_url = false;     // Host URL = room URL.
  c.uses_join_tokens = true;  // "?t=<meeting token>" for auto recording.
  c.can_list_sessions = true;
  c.can_start_recording = true;
  return c;
}

std::optional<absl::Time> ParseIsoTime(const json& value) {
  if (!value.is_string()) return std::nullopt;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, value.get<std::string>(), &t,
                       &error)) {
    return std::nullopt;
  }
  return t;
}

std::optional<std::string> NonEmptyString(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() ||
      it->get<std::string>().empty()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::string StringOrEmpty(const json& object, const char* key) {
  return NonEmptyString(object, key).value_or("");
}

bool IsAutomatic(v1::RecordingTrigger trigger) {
  return trigger == v1::RECORDING_TRIGGER_AUTOMATIC ||
         trigger == v1::RECORDING_TRIGGER_AUTOMATIC_2ND_PARTICIPANT;
}

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-'
             : !absl::ascii_isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

absl::Status RequireRoomName(absl::string_view operation,
                             absl::string_view room_name) {
  if (!room_name.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("daily ", operation, ": room name is empty"));
}

class DailyProvider final : public VideoPlatform {
 public:
  DailyProvider(DailyOptions options, std::unique_ptr<http::HttpClient> client)
      : options_(std::move(options)), http_(std::move(client)) {}

  absl::string_view name() const override { return kDailyPlatformName; }
  Capabilities capabilities() const override { return DailyCapabilities(); }

  absl::StatusOr<CreatedMeeting> CreateMeeting(
      const MeetingSpec& spec, const CallContext& context) override {
    RETURN_IF_ERROR(RequireRoomName("CreateMeeting", spec.room_name));
    // Generated once per call: every retry below sends the same name, and
    // no other call can send it.
    const std::string room_name =
        DailyRoomName(spec.room_name, options_.clock(), NewDailyRoomSuffix());
    const int64_t exp = absl::ToUnixSeconds(spec.end_time);
    json properties = {
        {"exp", exp},
        {"enable_chat", true},
        {"enable_screenshare", true},
        {"enable_knocking", spec.is_locked},
        {"start_video_off", false},
        {"start_audio_off", false},
    };
    const bool cloud = spec.recording_type == v1::RECORDING_TYPE_CLOUD;
    if (spec.recording_type == v1::RECORDING_TYPE_LOCAL) {
      properties["enable_recording"] = "local";
    } else if (cloud) {
      properties["enable_recording"] = "cloud";
      if (options_.recordings_bucket.has_value()) {
        properties["recordings_bucket"] = {
            {"bucket_name", options_.recordings_bucket->bucket_name},
            {"bucket_region", options_.recordings_bucket->bucket_region},
            {"assume_role_arn", options_.recordings_bucket->assume_role_arn},
            {"allow_api_access", true},
        };
      }
    }
    http::HttpRequest request;
    request.operation = "CreateMeeting";
    request.method = "POST";
    request.path = "/rooms";
    request.json_body = json{{"name", room_name},
                             {"privacy", spec.is_locked ? "private" : "public"},
                             {"properties", std::move(properties)}};
    // The name makes a repeat harmless: it creates the room or finds it
    // taken (handled below).
    request.idempotent = true;
    request.pass_through_statuses = {400};
    ASSIGN_OR_RETURN(http::HttpResponse response,
                     http_->Send(request, context.deadline));
    if (response.status == 400) {
      const bool taken = absl::StrContains(
          http::ProviderErrorText(response.body), "already exists");
      if (taken && response.attempts > 1) {
        // The name is this call's alone, so an earlier attempt of this call
        // created the room before its answer was lost.
        ASSIGN_OR_RETURN(response, GetRoom(room_name, context));
      } else if (taken) {
        // Not this call's room (a random-suffix collision): never adopt it.
        return absl::AbortedError(
            absl::StrCat("daily CreateMeeting: the generated room name ",
                         room_name, " is already taken; retry the call"));
      } else {
        return http_->ErrorFromResponse(request, response);
      }
    }
    ASSIGN_OR_RETURN(json room, http_->ParseJson(request, response));

    CreatedMeeting meeting;
    std::optional<std::string> id = NonEmptyString(room, "id");
    std::optional<std::string> name = NonEmptyString(room, "name");
    if (!id || !name) {
      return http_->MalformedResponse(request, "room id or name missing");
    }
    meeting.provider_meeting_id = *id;
    meeting.room_name = *name;
    std::optional<std::string> url = NonEmptyString(room, "url");
    if (!url.has_value()) {
      if (options_.subdomain.empty()) {
        return http_->MalformedResponse(
            request, "room url missing (and DAILY_SUBDOMAIN is not set)");
      }
      url = absl::StrCat("https://", options_.subdomain, ".daily.co/",
                         meeting.room_name);
    }
    meeting.room_url = *url;
    meeting.start_time = ParseIsoTime(room.value("created_at", json()))
                             .value_or(options_.clock());
    meeting.end_time = spec.end_time;

    if (cloud && IsAutomatic(spec.recording_trigger)) {
      absl::StatusOr<std::string> token =
          CreateRecordingToken(meeting.room_name, exp, context);
      if (!token.ok()) {
        // Do not leave a room behind that the caller never learns about.
        (void)DeleteRoom({meeting.provider_meeting_id, meeting.room_name},
                         context);
        return token.status();
      }
      absl::StrAppend(&meeting.room_url, "?t=", http::UrlEscape(*token));
    }
    meeting.host_room_url = meeting.room_url;
    return meeting;
  }

  absl::StatusOr<std::vector<RoomSession>> GetRoomSessions(
      const MeetingRef& meeting, const CallContext& context) override {
    RETURN_IF_ERROR(RequireRoomName("GetRoomSessions", meeting.room_name));
    http::HttpRequest request;
    request.operation = "GetRoomSessions";
    request.path = absl::StrCat("/rooms/", http::UrlEscape(meeting.room_name),
                                "/presence");
    request.idempotent = true;
    ASSIGN_OR_RETURN(http::HttpResponse response,
                     http_->Send(request, context.deadline));
    ASSIGN_OR_RETURN(json answer, http_->ParseJson(request, response));
    auto data = answer.find("data");
    if (data == answer.end() || !data->is_array()) {
      return http_->MalformedResponse(request, "no data array");
    }
    std::map<std::string, RoomSession> by_session;
    for (const json& item : *data) {
      if (!item.is_object()) {
        return http_->MalformedResponse(request,
                                        "a participant is not an object");
      }
      SessionParticipant participant;
      participant.participant_id = StringOrEmpty(item, "id");
      participant.user_id = StringOrEmpty(item, "userId");
      participant.user_name = StringOrEmpty(item, "userName");
      std::optional<absl::Time> joined =
          ParseIsoTime(item.value("joinTime", json()));
      if (!joined.has_value()) {
        return http_->MalformedResponse(request,
                                        "a participant lacks joinTime");
      }
      participant.join_time = *joined;
      if (auto it = item.find("duration");
          it != item.end() && it->is_number()) {
        participant.duration_seconds = it->get<int64_t>();
      }
      const std::string session_id = StringOrEmpty(item, "mtgSessionId");
      RoomSession& session = by_session[session_id];
      if (session.participants.empty()) {
        session.session_id = session_id;
        session.room_name =
            NonEmptyString(item, "room").value_or(meeting.room_name);
        session.start_time = participant.join_time;
      }
      session.start_time = std::min(session.start_time, participant.join_time);
      session.participants.push_back(std::move(participant));
    }
    std::vector<RoomSession> sessions;
    for (auto& [id, session] : by_session) {
      std::sort(session.participants.begin(), session.participants.end(),
                [](const SessionParticipant& a, const SessionParticipant& b) {
                  return a.join_time < b.join_time;
                });
      sessions.push_back(std::move(session));
    }
    std::stable_sort(sessions.begin(), sessions.end(),
                     [](const RoomSession& a, const RoomSession& b) {
                       return a.start_time < b.start_time;
                     });
    return sessions;
  }

  absl::Status DeleteRoom(const MeetingRef& meeting,
                          const CallContext& context) override {
    RETURN_IF_ERROR(RequireRoomName("DeleteRoom", meeting.room_name));
    http::HttpRequest request;
    request.operation = "DeleteRoom";
    request.method = "DELETE";
    request.path = absl::StrCat("/rooms/", http::UrlEscape(meeting.room_name));
    request.idempotent = true;
    request.pass_through_statuses = {404};  // Already gone: done.
    return http_->Send(request, context.deadline).status();
  }

  absl::Status UploadLogo(const MeetingRef& meeting, absl::string_view image,
                          absl::string_view content_type,
                          const CallContext& context) override {
    return absl::OkStatus();  // Daily has no room logos.
  }

  absl::Status StartRecording(const MeetingRef& meeting,
                              absl::string_view recording_type,
                              absl::string_view instance_id,
                              const CallContext& context) override {
    RETURN_IF_ERROR(RequireRoomName("StartRecording", meeting.room_name));
    if (recording_type != "cloud" && recording_type != "raw-tracks") {
      return absl::InvalidArgumentError(absl::StrCat(
          "daily StartRecording: recording type \"", recording_type,
          "\" is not \"cloud\" or \"raw-tracks\""));
    }
    if (!IsUuid(instance_id)) {
      return absl::InvalidArgumentError(
          "daily StartRecording: instance id must be a UUID");
    }
    http::HttpRequest request;
    request.operation = "StartRecording";
    request.method = "POST";
    request.path = absl::StrCat("/rooms/", http::UrlEscape(meeting.room_name),
                                "/recordings/start");
    request.json_body =
        json{{"type", recording_type}, {"instanceId", instance_id}};
    // Daily answers 400 for state problems: nobody in the room, recording
    // not enabled for the room, this instance already recording.
    request.bad_request_code = absl::StatusCode::kFailedPrecondition;
    // The instanceId makes a repeat harmless: it starts the recording or
    // finds it running (handled below).
    request.idempotent = true;
    request.pass_through_statuses = {400};
    ASSIGN_OR_RETURN(http::HttpResponse response,
                     http_->Send(request, context.deadline));
    if (response.status == 400) {
      if (response.attempts > 1 &&
          absl::StrContains(http::ProviderErrorText(response.body),
                            "already in progress")) {
        return absl::OkStatus();  // An earlier attempt started it.
      }
      return http_->ErrorFromResponse(request, response);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<DownloadLink> GetRecordingDownloadLink(
      absl::string_view provider_recording_id,
      const CallContext& context) override {
    if (provider_recording_id.empty()) {
      return absl::InvalidArgumentError(
          "daily GetRecordingDownloadLink: recording id is empty");
    }
    http::HttpRequest request;
    request.operation = "GetRecordingDownloadLink";
    request.path = absl::StrCat(
        "/recordings/", http::UrlEscape(provider_recording_id), "/access-link");
    request.idempotent = true;
    ASSIGN_OR_RETURN(http::HttpResponse response,
                     http_->Send(request, context.deadline));
    ASSIGN_OR_RETURN(json answer, http_->ParseJson(request, response));
    std::optional<std::string> url = NonEmptyString(answer, "download_link");
    if (!url.has_value()) {
      return http_->MalformedResponse(request, "download_link missing");
    }
    DownloadLink link;
    link.url = *url;
    // Unix seconds; absent or malformed: unknown (never expires).
    if (auto it = answer.find("expires");
        it != answer.end() && it->is_number() && it->get<double>() > 0) {
      link.expires = absl::FromUnixSeconds(it->get<int64_t>());
    }
    return link;
  }

  absl::Status VerifyWebhookSignature(const WebhookRequest& request,
                                      absl::Time now) const override {
    if (options_.webhook_keys.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "daily webhooks: ", kDailyWebhookSecretSetting, " is not set"));
    }
    auto signature = request.headers.find(kDailySignatureHeader);
    auto timestamp = request.headers.find(kDailyTimestampHeader);
    if (signature == request.headers.end() ||
        timestamp == request.headers.end()) {
      return absl::UnauthenticatedError(
          "daily webhook: missing X-Webhook-Signature or X-Webhook-Timestamp "
          "header");
    }
    const std::string& ts = timestamp->second;
    int64_t value = 0;
    if (ts.empty() || ts.size() > 16 ||
        !std::all_of(ts.begin(), ts.end(),
                     [](char c) { return absl::ascii_isdigit(c); }) ||
        !absl::SimpleAtoi(ts, &value)) {
      return absl::UnauthenticatedError(
          "daily webhook: malformed X-Webhook-Timestamp");
    }
    // Seconds until the year 5138; larger values are milliseconds.
    const absl::Time sent = value >= 100'000'000'000
                                ? absl::FromUnixMillis(value)
                                : absl::FromUnixSeconds(value);
    if (absl::AbsDuration(now - sent) > kDailyWebhookTolerance) {
      return absl::UnauthenticatedError(
          "daily webhook: timestamp outside the 5 minute tolerance");
    }
    // Compared as text: Daily sends standard, padded base64.
    const absl::string_view given =
        absl::StripAsciiWhitespace(signature->second);
    const std::string signed_bytes = absl::StrCat(ts, ".", request.body);
    for (const std::string& key : options_.webhook_keys) {
      // Fail closed: no signature check without a computed HMAC.
      absl::StatusOr<std::string> expected =
          http::HmacSha256(key, signed_bytes);
      if (expected.ok()) expected = http::Base64Encode(*expected);
      if (!expected.ok()) {
        return absl::InternalError(
            absl::StrCat("daily webhook: cannot check the signature: ",
                         expected.status().message()));
      }
      if (http::ConstantTimeEquals(given, *expected)) return absl::OkStatus();
    }
    return absl::UnauthenticatedError(
        "daily webhook: signature does not match");
  }

  // See daily_webhooks.h.
  absl::StatusOr<ParsedWebhook> ParseWebhook(
      absl::string_view body) const override {
    return ParseDailyWebhook(body);
  }

 private:
  absl::StatusOr<http::HttpResponse> GetRoom(const std::string& room_name,
                                             const CallContext& context) {
    http::HttpRequest request;
    request.operation = "CreateMeeting";
    request.path = absl::StrCat("/rooms/", http::UrlEscape(room_name));
    request.idempotent = true;
    return http_->Send(request, context.deadline);
  }

  absl::StatusOr<std::string> CreateRecordingToken(const std::string& room_name,
                                                   int64_t exp,
                                                   const CallContext& context) {
    http::HttpRequest request;
    request.operation = "CreateMeeting";
    request.method = "POST";
    request.path = "/meeting-tokens";
    request.json_body = json{{"properties",
                              {{"room_name", room_name},
                               {"exp", exp},
                               {"start_cloud_recording", true}}}};
    request.idempotent = true;  // Tokens are self-contained; no state.
    ASSIGN_OR_RETURN(http::HttpResponse response,
                     http_->Send(request, context.deadline));
    ASSIGN_OR_RETURN(json answer, http_->ParseJson(request, response));
    std::optional<std::string> token = NonEmptyString(answer, "token");
    if (!token.has_value()) {
      return http_->MalformedResponse(request, "meeting token missing");
    }
    return *token;
  }

  const DailyOptions options_;
  const std::unique_ptr<http::HttpClient> http_;
};

}  // namespace

std::string NewDailyRoomSuffix() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  // absl::BitGen is seeded from the OS entropy pool; one per call keeps this
  // thread-safe without a lock.
  absl::BitGen gen;
  std::string out(10, 'a');
  for (char& c : out) {
    c = kAlphabet[absl::Uniform<size_t>(gen, 0, sizeof(kAlphabet) - 1)];
  }
  return out;
}

std::string DailyRoomName(absl::string_view room_name, absl::Time now,
                          absl::string_view unique) {
  const std::string suffix = absl::StrCat(
      "-", absl::FormatTime("%Y%m%d%H%M%S", now, absl::UTCTimeZone()), "-",
      unique);
  std::string name;
  bool replaced = false;
  for (char c : room_name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '-' || c == '_') {
      name.push_back(c);
      replaced = false;
    } else if (!replaced) {
      name.push_back('-');
      replaced = true;
    }
  }
  if (replaced) name.pop_back();
  if (name.empty()) name = "room";
  if (name.size() > kDailyMaxRoomNameLength - suffix.size()) {
    name.resize(kDailyMaxRoomNameLength - suffix.size());
  }
  return name + suffix;
}

absl::StatusOr<DailyOptions> DailyOptionsFromSettings(
    const SettingsLookup& settings) {
  DailyOptions options;
  std::optional<std::string> key = settings(kDailyApiKeySetting);
  if (!key.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat(kDailyApiKeySetting, " is not set"));
  }
  RETURN_IF_ERROR(http::ValidateApiKey(kDailyApiKeySetting, *key));
  options.api_key = *key;
  if (std::optional<std::string> url = settings(kDailyApiUrlSetting)) {
    ASSIGN_OR_RETURN(options.api_url,
                     http::ValidateBaseUrl(kDailyApiUrlSetting, *url));
  }
  if (std::optional<std::string> subdomain = settings(kDailySubdomainSetting)) {
    const bool ok =
        std::all_of(subdomain->begin(), subdomain->end(), [](char c) {
          return absl::ascii_islower(static_cast<unsigned char>(c)) ||
                 absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-';
        });
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          kDailySubdomainSetting,
          " must be a Daily domain name such as \"reflector\" ([a-z0-9-])"));
    }
    options.subdomain = *subdomain;
  }
  if (std::optional<std::string> secrets =
          settings(kDailyWebhookSecretSetting)) {
    int index = 0;
    for (absl::string_view secret : absl::StrSplit(*secrets, ',')) {
      ++index;
      secret = absl::StripAsciiWhitespace(secret);
      if (secret.empty()) continue;
      std::optional<std::string> decoded = http::Base64Decode(secret);
      if (!decoded.has_value() || decoded->empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(kDailyWebhookSecretSetting, ": secret ", index,
                         " is not valid base64"));
      }
      options.webhook_keys.push_back(std::move(*decoded));
    }
    if (options.webhook_keys.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kDailyWebhookSecretSetting, " holds no secret"));
    }
  }
  std::optional<std::string> bucket = settings(kDailyS3BucketSetting);
  std::optional<std::string> region = settings(kDailyS3RegionSetting);
  std::optional<std::string> role = settings(kDailyS3RoleArnSetting);
  if (bucket.has_value()) {
    if (!region.has_value() || !role.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          kDailyS3BucketSetting, " is set but ",
          !region.has_value() ? kDailyS3RegionSetting : kDailyS3RoleArnSetting,
          " is not"));
    }
    if (!absl::StartsWith(*role, "arn:") ||
        !absl::StrContains(*role, ":role/")) {
      return absl::InvalidArgumentError(absl::StrCat(
          kDailyS3RoleArnSetting,
          " must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)"));
    }
    options.recordings_bucket = DailyRecordingsBucket{*bucket, *region, *role};
  } else if (region.has_value() || role.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        region.has_value() ? kDailyS3RegionSetting : kDailyS3RoleArnSetting,
        " is set but ", kDailyS3BucketSetting, " is not"));
  }
  return options;
}

absl::StatusOr<std::unique_ptr<VideoPlatform>> NewDailyProvider(
    DailyOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<http::HttpClient> client,
                   http::NewProviderClient(
                       kDailyPlatformName, kDailyApiKeySetting, options.api_key,
                       kDailyApiUrlSetting, options.api_url, options.http));
  return std::unique_ptr<VideoPlatform>(
      new DailyProvider(std::move(options), std::move(client)));
}

ProviderFactory MakeDailyProviderFactory() {
  ProviderFactory factory;
  factory.name = kDailyPlatformName;
  factory.capabilities = DailyCapabilities();
  factory.required_settings = {kDailyApiKeySetting};
  factory.setting_aliases = DailySettingAliases();
  factory.setting_docs = DailySettingDocs();
  factory.create = [](const SettingsLookup& settings)
      -> absl::StatusOr<std::unique_ptr<VideoPlatform>> {
    ASSIGN_OR_RETURN(DailyOptions options, DailyOptionsFromSettings(settings));
    return NewDailyProvider(std::move(options));
  };
  return factory;
}

}  // namespace videoplatform::providers
