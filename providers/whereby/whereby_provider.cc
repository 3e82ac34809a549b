#include "providers/whereby/whereby_provider.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "providers/http/crypto.h"
#include "providers/whereby/whereby_settings.h"
#include "providers/whereby/whereby_webhooks.h"
#include "server/common/status_macros.h"

namespace videoplatform::providers {
namespace {

// /insights/room-sessions paging: the API's largest page, and how many
// pages one GetRoomSessions reads at most (5000 sessions).
constexpr int kSessionsPageSize = 100;
constexpr int kMaxSessionPages = 50;

using json = nlohmann::json;

Capabilities WherebyCapabilities() {
  Capabilities c;
  c.can_delete_room = true;
  c.can_upload_logo = true;
  c.has_host_url = true;
  c.uses_join_tokens = false;
  c.can_list_sessions = true;
  c.can_start_recording = false;
  return c;
}

std::string RoomMode(v1::RoomMode mode) {
  return mode == v1::ROOM_MODE_GROUP ? "group" : "normal";
}

std::string StartTrigger(v1::RecordingTrigger trigger) {
  switch (trigger) {
    case v1::RECORDING_TRIGGER_NONE:
      return "none";
    case v1::RECORDING_TRIGGER_PROMPT:
      return "prompt";
    case v1::RECORDING_TRIGGER_AUTOMATIC:
      return "automatic";
    default:
      return "automatic-2nd-participant";
  }
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

// A JSON string, or a number written as one (meetingId is a string in the
// docs; accept a number too).
std::optional<std::string> StringOrNumber(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_string() && !it->get<std::string>().empty()) {
    return it->get<std::string>();
  }
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return std::nullopt;
}

std::optional<std::string> NonEmptyString(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() ||
      it->get<std::string>().empty()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::string LogoFilename(absl::string_view content_type) {
  const std::string type = absl::AsciiStrToLower(content_type);
  if (type == "image/png") return "logo.png";
  if (type == "image/jpeg" || type == "image/jpg") return "logo.jpg";
  if (type == "image/gif") return "logo.gif";
  if (type == "image/svg+xml") return "logo.svg";
  if (type == "image/webp") return "logo.webp";
  return "logo";
}

absl::Status RequireMeetingField(absl::string_view operation,
                                 absl::string_view field,
                                 absl::string_view value) {
  if (!value.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("whereby ", operation, ": ", field, " is empty"));
}

class WherebyProvider final : public VideoPlatform {
 public:
  WherebyProvider(WherebyOptions options,
                  std::unique_ptr<http::HttpClient> client)
      : options_(std::move(options)), http_(std::move(client)) {}

  absl::string_view name() const override { return kWherebyPlatformName; }
  Capabilities capabilities() const override { return WherebyCapabilities(); }

  absl::StatusOr<CreatedMeeting> CreateMeeting(
      const MeetingSpec& spec, const CallContext& context) override {
    RETURN_IF_ERROR(
        RequireMeetingField("CreateMeeting", "room name", spec.room_name));
    json body = {
        {"endDate", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", spec.end_time,
                                     absl::UTCTimeZone())},
        {"isLocked", spec.is_locked},
        {"roomMode", RoomMode(spec.room_mode)},
        {"roomNamePrefix", WherebyRoomNamePrefix(spec.room_name)},
        {"roomNamePattern", "uuid"},
        {"fields", json::array({"hostRoomUrl"})},
    };
    if (spec.recording_type == v1::RECORDING_TYPE_CLOUD &&
        options_.s3.has_value()) {
      body["recording"] = {
          {"type", "cloud"},
          {"destination",
           {{"provider", "s3"},
            {"bucket", options_.s3->bucket},
            {"accessKeyId", options_.s3->access_key_id},
            {"accessKeySecret", options_.s3->access_key_secret},
            {"fileFormat", "mp4"}}},
          {"startTrigger", StartTrigger(spec.recording_trigger)},
      };
    }
    http::HttpRequest request;
    request.operation = "CreateMeeting";
    request.method = "POST";
    request.path = "/meetings";
    request.json_body = std::move(body);
    request.idempotent = false;  // A repeat would create a second meeting.
    ASSIGN_OR_RETURN(http::HttpResponse response,
                     http_->Send(request, context.deadline));
    ASSIGN_OR_RETURN(json answer, http_->ParseJson(request, response));

    CreatedMeeting meeting;
    std::optional<std::string> meeting_id = StringOrNumber(answer, "meetingId");
    std::optional<std::string> room_name = NonEmptyString(answer, "roomName");
    std::optional<std::string> room_url = NonEmptyString(answer, "roomUrl");
    if (!meeting_id || !room_name || !room_url) {
      return http_->MalformedResponse(request,
                                      "meetingId, roomName or roomUrl missing");
    }
    meeting.provider_meeting_id = *meeting_id;
    meeting.room_name = *room_name;  // Keeps its leading '/'.
    meeting.room_url = *room_url;
    meeting.host_room_url =
        NonEmptyString(answer, "hostRoomUrl").value_or(meeting.room_url);
    meeting.start_time = ParseIsoTime(answer.value("startDate", json()))
                             .value_or(options_.clock());
    meeting.end_time =
        ParseIsoTime(answer.value("endDate", json())).value_or(spec.end_time);
    return meeting;
  }

  absl::StatusOr<std::vector<RoomSession>> GetRoomSessions(
      const MeetingRef& meeting, const CallContext& context) override {
    RETURN_IF_ERROR(
        RequireMeetingField("GetRoomSessions", "room name", meeting.room_name));
    http::HttpRequest request;
    request.operation = "GetRoomSessions";
    request.path = "/insights/room-sessions";
    request.idempotent = true;
    std::vector<RoomSession> sessions;
    std::optional<std::string> cursor;
    for (int page = 1;; ++page) {
      // The largest page the API allows (its default is 10).
      request.query = {{"roomName", meeting.room_name},
                       {"limit", absl::StrCat(kSessionsPageSize)}};
      if (cursor.has_value()) request.query.emplace_back("cursor", *cursor);
      ASSIGN_OR_RETURN(http::HttpResponse response,
                       http_->Send(request, context.deadline));
      ASSIGN_OR_RETURN(json answer, http_->ParseJson(request, response));
      RETURN_IF_ERROR(AppendSessions(request, answer, meeting, &sessions));
      const json next = answer.value("cursor", json());
      if (next.is_null()) return sessions;
      if (!next.is_string() || next.get<std::string>().empty()) {
        return http_->MalformedResponse(request, "cursor is not a string");
      }
      if (cursor.has_value() && *cursor == next.get<std::string>()) {
        return http_->MalformedResponse(request, "the cursor did not advance");
      }
      if (page >= kMaxSessionPages) {
        return absl::OutOfRangeError(
            absl::StrCat("whereby GetRoomSessions: the room has more than ",
                         kMaxSessionPages, " pages of ", kSessionsPageSize,
                         " sessions; not reading further"));
      }
      cursor = next.get<std::string>();
    }
  }

  // Appends the sessions of one /insights/room-sessions page.
  absl::Status AppendSessions(const http::HttpRequest& request,
                              const json& answer, const MeetingRef& meeting,
                              std::vector<RoomSession>* sessions) {
    auto results = answer.find("results");
    if (results == answer.end() || !results->is_array()) {
      return http_->MalformedResponse(request, "no results array");
    }
    for (const json& item : *results) {
      if (!item.is_object()) {
        return http_->MalformedResponse(request, "a result is not an object");
      }
      RoomSession session;
      std::optional<std::string> id = NonEmptyString(item, "roomSessionId");
      std::optional<absl::Time> started =
          ParseIsoTime(item.value("startedAt", json()));
      if (!id || !started) {
        return http_->MalformedResponse(
            request, "a session lacks roomSessionId or startedAt");
      }
      session.session_id = *id;
      session.room_name =
          NonEmptyString(item, "roomName").value_or(meeting.room_name);
      session.start_time = *started;
      const json ended = item.value("endedAt", json());
      if (!ended.is_null()) {
        std::optional<absl::Time> end = ParseIsoTime(ended);
        if (!end) return http_->MalformedResponse(request, "bad endedAt");
        session.end_time = *end;
      }
      sessions->push_back(std::move(session));
    }
    return absl::OkStatus();
  }

  absl::Status DeleteRoom(const MeetingRef& meeting,
                          const CallContext& context) override {
    RETURN_IF_ERROR(RequireMeetingField("DeleteRoom", "provider meeting id",
                                        meeting.provider_meeting_id));
    http::HttpRequest request;
    request.operation = "DeleteRoom";
    request.method = "DELETE";
    request.path = absl::StrCat("/meetings/",
                                http::UrlEscape(meeting.provider_meeting_id));
    request.idempotent = true;
    request.pass_through_statuses = {404};  // Already gone: done.
    return http_->Send(request, context.deadline).status();
  }

  absl::Status UploadLogo(const MeetingRef& meeting, absl::string_view image,
                          absl::string_view content_type,
                          const CallContext& context) override {
    RETURN_IF_ERROR(
        RequireMeetingField("UploadLogo", "room name", meeting.room_name));
    if (image.empty()) {
      return absl::InvalidArgumentError(
          "whereby UploadLogo: the image is empty");
    }
    if (!absl::StartsWithIgnoreCase(content_type, "image/")) {
      return absl::InvalidArgumentError(
          absl::StrCat("whereby UploadLogo: content type \"", content_type,
                       "\" is not an image type"));
    }
    http::HttpRequest request;
    request.operation = "UploadLogo";
    request.method = "PUT";
    request.path =
        absl::StrCat("/rooms", "/",
                     http::UrlEscape(absl::StripPrefix(meeting.room_name, "/")),
                     "/theme/logo");
    request.file =
        http::MultipartFile{"image", LogoFilename(content_type),
                            std::string(content_type), std::string(image)};
    request.idempotent = true;  // PUT replaces the logo.
    return http_->Send(request, context.deadline).status();
  }

  absl::Status VerifyWebhookSignature(const WebhookRequest& request,
                                      absl::Time now) const override {
    if (options_.webhook_secrets.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "whereby webhooks: ", kWherebyWebhookSecretSetting, " is not set"));
    }
    auto header = request.headers.find(kWherebySignatureHeader);
    if (header == request.headers.end()) {
      return absl::UnauthenticatedError(
          "whereby webhook: missing Whereby-Signature header");
    }
    std::optional<std::string> timestamp;
    std::vector<std::string> signatures;
    for (absl::string_view part : absl::StrSplit(header->second, ',')) {
      part = absl::StripAsciiWhitespace(part);
      const size_t eq = part.find('=');
      if (eq == absl::string_view::npos) continue;
      const absl::string_view key = part.substr(0, eq);
      const absl::string_view value = part.substr(eq + 1);
      if (key == "t") {
        if (timestamp.has_value())
          timestamp = "";  // Twice: malformed.
        else
          timestamp = std::string(value);
      } else if (key == "v1") {
        signatures.emplace_back(value);
      }
    }
    int64_t seconds = 0;
    if (!timestamp.has_value() || timestamp->empty() ||
        timestamp->size() > 12 ||
        !std::all_of(timestamp->begin(), timestamp->end(),
                     [](char c) { return absl::ascii_isdigit(c); }) ||
        !absl::SimpleAtoi(*timestamp, &seconds) || signatures.empty()) {
      return absl::UnauthenticatedError(
          "whereby webhook: malformed Whereby-Signature header (expected "
          "t=<unix seconds>,v1=<hex>)");
    }
    if (absl::AbsDuration(now - absl::FromUnixSeconds(seconds)) >
        kWherebyWebhookTolerance) {
      return absl::UnauthenticatedError(
          "whereby webhook: timestamp outside the 60 s tolerance");
    }
    const std::string signed_bytes =
        absl::StrCat(*timestamp, ".", request.body);
    for (const std::string& secret : options_.webhook_secrets) {
      // Fail closed: no signature check without a computed HMAC.
      const absl::StatusOr<std::string> expected =
          http::HmacSha256(secret, signed_bytes);
      if (!expected.ok()) {
        return absl::InternalError(
            absl::StrCat("whereby webhook: cannot check the signature: ",
                         expected.status().message()));
      }
      for (const std::string& signature : signatures) {
        std::optional<std::string> given = http::HexDecode(signature);
        if (given.has_value() && http::ConstantTimeEquals(*given, *expected)) {
          return absl::OkStatus();
        }
      }
    }
    return absl::UnauthenticatedError(
        "whereby webhook: signature does not match");
  }

  // See whereby_webhooks.h.
  absl::StatusOr<ParsedWebhook> ParseWebhook(
      absl::string_view body) const override {
    return ParseWherebyWebhook(body);
  }

 private:
  const WherebyOptions options_;
  const std::unique_ptr<http::HttpClient> http_;
};

}  // namespace

std::string WherebyRoomNamePrefix(absl::string_view room_name) {
  std::string name;
  bool replaced = false;
  for (char c : room_name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '-' || c == '_') {
      name.push_back(absl::ascii_tolower(u));
      replaced = false;
    } else if (!replaced) {
      name.push_back('-');  // One '-' per run of other characters.
      replaced = true;
    }
  }
  if (replaced) name.pop_back();  // No '-' for trailing other characters.
  if (name.size() > kWherebyMaxPrefixLength - 1) {
    name.resize(kWherebyMaxPrefixLength - 1);
  }
  return name + "-";
}

absl::StatusOr<WherebyOptions> WherebyOptionsFromSettings(
    const SettingsLookup& settings) {
  WherebyOptions options;
  std::optional<std::string> key = settings(kWherebyApiKeySetting);
  if (!key.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat(kWherebyApiKeySetting, " is not set"));
  }
  RETURN_IF_ERROR(http::ValidateApiKey(kWherebyApiKeySetting, *key));
  options.api_key = *key;
  if (std::optional<std::string> url = settings(kWherebyApiUrlSetting)) {
    ASSIGN_OR_RETURN(options.api_url,
                     http::ValidateBaseUrl(kWherebyApiUrlSetting, *url));
  }
  if (std::optional<std::string> secrets =
          settings(kWherebyWebhookSecretSetting)) {
    for (absl::string_view secret : absl::StrSplit(*secrets, ',')) {
      secret = absl::StripAsciiWhitespace(secret);
      if (!secret.empty()) options.webhook_secrets.emplace_back(secret);
    }
    if (options.webhook_secrets.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kWherebyWebhookSecretSetting, " holds no secret"));
    }
  }
  std::optional<std::string> bucket = settings(kWherebyS3BucketSetting);
  std::optional<std::string> key_id = settings(kWherebyS3AccessKeyIdSetting);
  std::optional<std::string> key_secret =
      settings(kWherebyS3AccessKeySecretSetting);
  if (bucket.has_value()) {
    if (!key_id.has_value() || !key_secret.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kWherebyS3BucketSetting, " is set but ",
                       !key_id.has_value() ? kWherebyS3AccessKeyIdSetting
                                           : kWherebyS3AccessKeySecretSetting,
                       " is not"));
    }
    options.s3 = WherebyS3Destination{*bucket, *key_id, *key_secret};
  } else if (key_id.has_value() || key_secret.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(key_id.has_value() ? kWherebyS3AccessKeyIdSetting
                                        : kWherebyS3AccessKeySecretSetting,
                     " is set but ", kWherebyS3BucketSetting, " is not"));
  }
  return options;
}

absl::StatusOr<std::unique_ptr<VideoPlatform>> NewWherebyProvider(
    WherebyOptions options) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<http::HttpClient> client,
      http::NewProviderClient(kWherebyPlatformName, kWherebyApiKeySetting,
                              options.api_key, kWherebyApiUrlSetting,
                              options.api_url, options.http));
  return std::unique_ptr<VideoPlatform>(
      new WherebyProvider(std::move(options), std::move(client)));
}

ProviderFactory MakeWherebyProviderFactory() {
  ProviderFactory factory;
  factory.name = kWherebyPlatformName;
  factory.capabilities = WherebyCapabilities();
  factory.required_settings = {kWherebyApiKeySetting};
  factory.setting_aliases = WherebySettingAliases();
  factory.setting_docs = WherebySettingDocs();
  factory.create = [](const SettingsLookup& settings)
      -> absl::StatusOr<std::unique_ptr<VideoPlatform>> {
    ASSIGN_OR_RETURN(WherebyOptions options,
                     WherebyOptionsFromSettings(settings));
    return NewWherebyProvider(std::move(options));
  };
  return factory;
}

}  // namespace videoplatform::providers
