#include "providers/mock/mock_provider.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "providers/webhook_json.h"

namespace videoplatform::providers {
namespace {

constexpr size_t kMaxRoomNameLength = 128;
constexpr size_t kMaxTimestampDigits = 12;
constexpr size_t kSha256HexLength = 2 * 32;
constexpr char kBaseUrl[] = "https://mock.video.invalid/";

std::string Error(absl::string_view operation, absl::string_view text) {
  return absl::StrCat("mock: ", operation, ": ", text);
}

absl::Status CheckDeadline(absl::string_view operation,
                           const CallContext& context, absl::Time now) {
  if (context.deadline <= now) {
    return absl::DeadlineExceededError(Error(operation, "deadline exceeded"));
  }
  return absl::OkStatus();
}

// Keeps RFC 3986 unreserved characters, percent-encodes every other byte.
std::string PercentEncode(absl::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%",
                      absl::AsciiStrToUpper(absl::BytesToHexString(
                          absl::string_view(reinterpret_cast<char*>(&c), 1))));
    }
  }
  return out;
}

std::string HexSha256(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1) {
    return "";
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

// Lower-case hex HMAC-SHA256; empty on an OpenSSL failure.
std::string HexHmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           digest, &length) == nullptr) {
    return "";
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

bool IsLowerHex(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

bool IsDigits(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return !text.empty();
}

bool HasControlCharacter(absl::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// "image/<subtype>[; parameters]"; the type is case-insensitive, the subtype
// a token.
bool IsImageContentType(absl::string_view content_type) {
  if (HasControlCharacter(content_type)) return false;
  if (!absl::StartsWithIgnoreCase(content_type, "image/")) return false;
  absl::string_view subtype = content_type.substr(6);
  subtype = subtype.substr(0, subtype.find(';'));
  subtype = absl::StripTrailingAsciiWhitespace(subtype);
  if (subtype.empty()) return false;
  for (char c : subtype) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '+' && c != '-' &&
        c != '_') {
      return false;
    }
  }
  return true;
}

Capabilities MockCapabilities() {
  Capabilities capabilities;
  capabilities.can_delete_room = true;
  capabilities.can_upload_logo = true;
  capabilities.has_host_url = true;
  capabilities.uses_join_tokens = false;
  capabilities.can_list_sessions = true;
  capabilities.can_start_recording = false;
  return capabilities;
}

}  // namespace

ProviderFactory MakeMockProviderFactory() {
  ProviderFactory factory;
  factory.name = kMockPlatformName;
  factory.capabilities = MockCapabilities();
  factory.required_settings = {};
  factory.setting_docs = {
      {kMockWebhookSecretSetting, "", "the mock's webhook signing secret"}};
  factory.create = [](const SettingsLookup& settings)
      -> absl::StatusOr<std::unique_ptr<VideoPlatform>> {
    MockProvider::Options options;
    options.webhook_secret = settings(kMockWebhookSecretSetting);
    return std::make_unique<MockProvider>(std::move(options));
  };
  return factory;
}

MockProvider::MockProvider(Options options)
    : webhook_secret_(options.webhook_secret.has_value() &&
                              !options.webhook_secret->empty()
                          ? std::move(options.webhook_secret)
                          : std::nullopt),
      clock_(options.clock
                 ? std::move(options.clock)
                 : std::function<absl::Time()>([] { return absl::Now(); })) {}

Capabilities MockProvider::capabilities() const { return MockCapabilities(); }

absl::StatusOr<CreatedMeeting> MockProvider::CreateMeeting(
    const MeetingSpec& spec, const CallContext& context) {
  constexpr absl::string_view kOp = "CreateMeeting";
  const absl::Time now = clock_();
  if (absl::Status status = CheckDeadline(kOp, context, now); !status.ok()) {
    return status;
  }
  if (spec.room_name.empty()) {
    return absl::InvalidArgumentError(
        Error(kOp, "room_name must not be empty"));
  }
  if (spec.room_name.size() > kMaxRoomNameLength) {
    return absl::InvalidArgumentError(Error(
        kOp,
        absl::StrCat("room_name has ", spec.room_name.size(),
                     " bytes; at most ", kMaxRoomNameLength, " are allowed")));
  }
  if (HasControlCharacter(spec.room_name)) {
    return absl::InvalidArgumentError(
        Error(kOp, "room_name must not contain control characters"));
  }
  if (spec.end_time <= now) {
    return absl::InvalidArgumentError(
        Error(kOp, absl::StrCat("end_time ", absl::FormatTime(spec.end_time),
                                " is not in the future (now ",
                                absl::FormatTime(now), ")")));
  }

  absl::MutexLock lock(&mu_);
  const int64_t n = ++created_;
  CreatedMeeting meeting;
  meeting.provider_meeting_id = absl::StrCat("mock-", n);
  meeting.room_name =
      absl::StrCat("/", absl::AsciiStrToLower(spec.room_name), "-", n);
  meeting.room_url =
      absl::StrCat(kBaseUrl, PercentEncode(meeting.room_name.substr(1)));
  meeting.host_room_url = absl::StrCat(
      meeting.room_url, "?roomKey=",
      HexSha256(absl::StrCat("mock-host-key:", meeting.provider_meeting_id))
          .substr(0, 16));
  meeting.start_time = now;
  meeting.end_time = spec.end_time;
  rooms_.emplace(meeting.provider_meeting_id, Room{meeting, std::nullopt});
  return meeting;
}

MockProvider::Room* MockProvider::FindRoom(const MeetingRef& meeting) {
  auto it = rooms_.find(meeting.provider_meeting_id);
  if (it == rooms_.end()) return nullptr;
  if (!meeting.room_name.empty() &&
      meeting.room_name != it->second.meeting.room_name) {
    return nullptr;
  }
  return &it->second;
}

absl::StatusOr<std::vector<RoomSession>> MockProvider::GetRoomSessions(
    const MeetingRef& meeting, const CallContext& context) {
  constexpr absl::string_view kOp = "GetRoomSessions";
  if (absl::Status status = CheckDeadline(kOp, context, clock_());
      !status.ok()) {
    return status;
  }
  absl::MutexLock lock(&mu_);
  const Room* room = FindRoom(meeting);
  if (room == nullptr) {
    return absl::NotFoundError(Error(
        kOp,
        absl::StrCat("no room \"",
                     absl::CHexEscape(meeting.provider_meeting_id), "\"")));
  }
  RoomSession session;
  session.session_id =
      absl::StrCat(room->meeting.provider_meeting_id, "-session-1");
  session.room_name = room->meeting.room_name;
  session.start_time = room->meeting.start_time;
  session.end_time = absl::InfiniteFuture();
  return std::vector<RoomSession>{std::move(session)};
}

absl::Status MockProvider::DeleteRoom(const MeetingRef& meeting,
                                      const CallContext& context) {
  if (absl::Status status = CheckDeadline("DeleteRoom", context, clock_());
      !status.ok()) {
    return status;
  }
  absl::MutexLock lock(&mu_);
  if (FindRoom(meeting) != nullptr) rooms_.erase(meeting.provider_meeting_id);
  return absl::OkStatus();  // Already gone counts as deleted.
}

absl::Status MockProvider::UploadLogo(const MeetingRef& meeting,
                                      absl::string_view image,
                                      absl::string_view content_type,
                                      const CallContext& context) {
  constexpr absl::string_view kOp = "UploadLogo";
  if (absl::Status status = CheckDeadline(kOp, context, clock_());
      !status.ok()) {
    return status;
  }
  if (image.empty()) {
    return absl::InvalidArgumentError(Error(kOp, "image is empty"));
  }
  if (!IsImageContentType(content_type)) {
    return absl::InvalidArgumentError(Error(
        kOp, absl::StrCat("content type \"", absl::CHexEscape(content_type),
                          "\" is not an image/* type")));
  }
  absl::MutexLock lock(&mu_);
  Room* room = FindRoom(meeting);
  if (room == nullptr) {
    return absl::NotFoundError(Error(
        kOp,
        absl::StrCat("no room \"",
                     absl::CHexEscape(meeting.provider_meeting_id), "\"")));
  }
  room->logo = Logo{std::string(image), std::string(content_type)};
  return absl::OkStatus();
}

absl::Status MockProvider::VerifyWebhookSignature(const WebhookRequest& request,
                                                  absl::Time now) const {
  constexpr absl::string_view kOp = "webhook";
  if (!webhook_secret_.has_value()) {
    return absl::FailedPreconditionError(
        Error(kOp, absl::StrCat("no webhook secret configured: set ",
                                kMockWebhookSecretSetting)));
  }
  auto timestamp_it = request.headers.find(kMockTimestampHeader);
  if (timestamp_it == request.headers.end()) {
    return absl::UnauthenticatedError(
        Error(kOp, absl::StrCat("missing ", kMockTimestampHeader, " header")));
  }
  auto signature_it = request.headers.find(kMockSignatureHeader);
  if (signature_it == request.headers.end()) {
    return absl::UnauthenticatedError(
        Error(kOp, absl::StrCat("missing ", kMockSignatureHeader, " header")));
  }
  const std::string& timestamp = timestamp_it->second;
  const std::string& signature = signature_it->second;
  int64_t seconds = 0;
  if (timestamp.size() > kMaxTimestampDigits || !IsDigits(timestamp) ||
      !absl::SimpleAtoi(timestamp, &seconds)) {
    return absl::UnauthenticatedError(
        Error(kOp, absl::StrCat(kMockTimestampHeader,
                                " is not a unix time in decimal seconds")));
  }
  if (signature.size() != kSha256HexLength || !IsLowerHex(signature)) {
    return absl::UnauthenticatedError(
        Error(kOp, absl::StrCat(kMockSignatureHeader, " is not ",
                                kSha256HexLength, " lower-case hex digits")));
  }
  const std::string expected = HexHmacSha256(
      *webhook_secret_, absl::StrCat(timestamp, ".", request.body));
  if (expected.size() != kSha256HexLength) {
    return absl::InternalError(Error(kOp, "HMAC-SHA256 failed"));
  }
  if (CRYPTO_memcmp(expected.data(), signature.data(), kSha256HexLength) != 0) {
    return absl::UnauthenticatedError(Error(kOp, "signature mismatch"));
  }
  // Freshness is judged only for authentic requests, so that a replayed
  // request is reported as stale rather than as forged.
  const absl::Duration age = now - absl::FromUnixSeconds(seconds);
  if (age > kMockWebhookTolerance) {
    return absl::UnauthenticatedError(
        Error(kOp, absl::StrCat("timestamp is ", absl::FormatDuration(age),
                                " old; at most ",
                                absl::FormatDuration(kMockWebhookTolerance),
                                " are accepted")));
  }
  if (-age > kMockWebhookTolerance) {
    return absl::UnauthenticatedError(
        Error(kOp, absl::StrCat("timestamp is ", absl::FormatDuration(-age),
                                " in the future; at most ",
                                absl::FormatDuration(kMockWebhookTolerance),
                                " are accepted")));
  }
  return absl::OkStatus();
}

absl::StatusOr<ParsedWebhook> MockProvider::ParseWebhook(
    absl::string_view body) const {
  using webhook_json::kRequired;
  nlohmann::json root;
  if (absl::Status status = webhook_json::ParseObject("mock", body, &root);
      !status.ok()) {
    return status;
  }
  webhook_json::FieldErrors errors("mock");
  webhook_json::FieldReader fields(root, "", &errors);
  ParsedWebhook parsed;
  v1::Event& event = parsed.event;
  event.set_platform(kMockPlatformName);
  event.set_provider_event_id(fields.NonEmptyString("id", kRequired));
  const std::string type = fields.NonEmptyString("type", kRequired);
  event.set_provider_event_type(type);
  const absl::Time time = fields.Rfc3339("time");
  if (time != absl::InfinitePast()) {
    *event.mutable_event_time() = webhook_json::ToTimestamp(time);
  }
  event.set_provider_meeting_id(fields.String("meeting_id"));
  event.set_room_name(fields.String("room_name"));
  if (!errors.ok()) return errors.status();

  if (type == "participant.joined" || type == "participant.left") {
    const bool counted = fields.Has("num_clients");
    const int64_t num_clients =
        fields.Int("num_clients", webhook_json::kOptional, 0, 1000000);
    v1::ParticipantDetails* participant = event.mutable_participant();
    participant->set_participant_id(fields.NonEmptyString(
        "participant_id", counted ? webhook_json::kOptional : kRequired));
    participant->set_user_name(fields.String("user_name"));
    if (!errors.ok()) return errors.status();
    event.set_type(type == "participant.joined"
                       ? v1::EVENT_TYPE_PARTICIPANT_JOINED
                       : v1::EVENT_TYPE_PARTICIPANT_LEFT);
    if (counted) {
      parsed.num_clients = static_cast<int>(num_clients);
      event.set_num_clients(static_cast<int>(num_clients));
    }
  } else if (type == "meeting.started" || type == "meeting.ended") {
    event.set_type(type == "meeting.started" ? v1::EVENT_TYPE_MEETING_STARTED
                                             : v1::EVENT_TYPE_MEETING_ENDED);
  } else if (type == "recording.started" || type == "recording.ready" ||
             type == "recording.failed") {
    v1::RecordingDetails* recording = event.mutable_recording();
    recording->set_provider_recording_id(fields.String("recording_id"));
    recording->set_s3_key(fields.String("s3_key"));
    recording->set_error_message(fields.String("error"));
    if (!errors.ok()) return errors.status();
    if (type == "recording.started") {
      event.set_type(v1::EVENT_TYPE_RECORDING_STARTED);
    } else if (type == "recording.ready") {
      recording->set_kind(v1::RECORDING_KIND_CLOUD);
      event.set_type(v1::EVENT_TYPE_RECORDING_READY);
    } else {
      event.set_type(v1::EVENT_TYPE_RECORDING_FAILED);
    }
  } else {
    parsed.ignore_reason =
        absl::StrCat("mock event type \"", type, "\" is not modelled");
  }
  return parsed;
}

std::optional<MockProvider::Logo> MockProvider::GetLogo(
    absl::string_view provider_meeting_id) const {
  absl::MutexLock lock(&mu_);
  auto it = rooms_.find(provider_meeting_id);
  if (it == rooms_.end()) return std::nullopt;
  return it->second.logo;
}

size_t MockProvider::RoomCount() const {
  absl::MutexLock lock(&mu_);
  return rooms_.size();
}

}  // namespace videoplatform::providers
