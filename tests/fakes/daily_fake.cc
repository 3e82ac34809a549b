#include "tests/fakes/daily_fake.h"

#include <algorithm>
#include <regex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "server/common/ids.h"

namespace videoplatform::fakes {
namespace {

using json = nlohmann::json;

enum class Type { kBool, kNumber, kString, kObject, kRecordingMode };

const std::map<std::string, Type>& RoomProperties() {
  static const auto* kProperties = new std::map<std::string, Type>{
      {"exp", Type::kNumber},
      {"nbf", Type::kNumber},
      {"max_participants", Type::kNumber},
      {"eject_after_elapsed", Type::kNumber},
      {"enable_chat", Type::kBool},
      {"enable_screenshare", Type::kBool},
      {"enable_knocking", Type::kBool},
      {"enable_prejoin_ui", Type::kBool},
      {"enable_people_ui", Type::kBool},
      {"enable_emoji_reactions", Type::kBool},
      {"enable_hand_raising", Type::kBool},
      {"enable_transcription_storage", Type::kBool},
      {"eject_at_room_exp", Type::kBool},
      {"start_video_off", Type::kBool},
      {"start_audio_off", Type::kBool},
      {"owner_only_broadcast", Type::kBool},
      {"lang", Type::kString},
      {"geo", Type::kString},
      {"enable_recording", Type::kRecordingMode},
      {"recordings_bucket", Type::kObject},
  };
  return *kProperties;
}

const std::map<std::string, Type>& TokenProperties() {
  static const auto* kProperties = new std::map<std::string, Type>{
      {"room_name", Type::kString},
      {"exp", Type::kNumber},
      {"nbf", Type::kNumber},
      {"eject_after_elapsed", Type::kNumber},
      {"is_owner", Type::kBool},
      {"user_name", Type::kString},
      {"user_id", Type::kString},
      {"enable_recording_ui", Type::kBool},
      {"start_cloud_recording", Type::kBool},
      {"start_cloud_recording_opts", Type::kObject},
      {"eject_at_token_exp", Type::kBool},
      {"start_video_off", Type::kBool},
      {"start_audio_off", Type::kBool},
      {"enable_recording", Type::kRecordingMode},
      {"lang", Type::kString},
  };
  return *kProperties;
}

// Returns "" or the error text for properties outside `known` or mistyped.
std::string CheckProperties(const json& properties,
                            const std::map<std::string, Type>& known) {
  if (!properties.is_object()) return "properties must be an object";
  for (const auto& [key, value] : properties.items()) {
    auto it = known.find(key);
    if (it == known.end()) return absl::StrCat("unknown property '", key, "'");
    bool ok = false;
    switch (it->second) {
      case Type::kBool:
        ok = value.is_boolean();
        break;
      case Type::kNumber:
        ok = value.is_number();
        break;
      case Type::kString:
        ok = value.is_string();
        break;
      case Type::kObject:
        ok = value.is_object();
        break;
      case Type::kRecordingMode: {
        static const char* kModes[] = {"cloud", "cloud-audio-only", "local",
                                       "raw-tracks", "output-byte-stream"};
        ok = value.is_string() &&
             std::find(std::begin(kModes), std::end(kModes),
                       value.get<std::string>()) != std::end(kModes);
        break;
      }
    }
    if (!ok) return absl::StrCat(key, ": invalid value ", value.dump());
  }
  return "";
}

std::string CheckBucket(const json& bucket) {
  static const char* kStrings[] = {"bucket_name", "bucket_region",
                                   "assume_role_arn"};
  for (const auto& [key, value] : bucket.items()) {
    if (key != "allow_api_access" && key != "allow_streaming_from_bucket" &&
        std::find(std::begin(kStrings), std::end(kStrings), key) ==
            std::end(kStrings)) {
      return absl::StrCat("recordings_bucket: unknown property '", key, "'");
    }
  }
  for (const char* key : kStrings) {
    auto it = bucket.find(key);
    if (it == bucket.end() || !it->is_string() ||
        it->get<std::string>().empty()) {
      return absl::StrCat("recordings_bucket: ", key,
                          " is required and must be a string");
    }
  }
  auto it = bucket.find("allow_api_access");
  if (it == bucket.end() || !it->is_boolean()) {
    return "recordings_bucket: allow_api_access is required and must be a "
           "boolean";
  }
  return "";
}

bool IsValidRoomName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           c == '_';
  });
}

bool IsUuid(const std::string& text) {
  static const std::regex kUuid(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
      "[0-9a-fA-F]{12}");
  return std::regex_match(text, kUuid);
}

}  // namespace

DailyFake::DailyFake(DailyFakeOptions options)
    : FakeHttpServer("/v1"), options_(std::move(options)) {
  Route("POST", "/rooms",
        [this](const httplib::Request& req, httplib::Response& res) {
          CreateRoom(req, res);
        });
  Route("GET", "/rooms/([^/]+)",
        [this](const httplib::Request& req, httplib::Response& res) {
          GetRoom(req, res);
        });
  Route("DELETE", "/rooms/([^/]+)",
        [this](const httplib::Request& req, httplib::Response& res) {
          DeleteRoom(req, res);
        });
  Route("GET", "/rooms/([^/]+)/presence",
        [this](const httplib::Request& req, httplib::Response& res) {
          Presence(req, res);
        });
  Route("POST", "/rooms/([^/]+)/recordings/start",
        [this](const httplib::Request& req, httplib::Response& res) {
          StartRecording(req, res);
        });
  Route("POST", "/meeting-tokens",
        [this](const httplib::Request& req, httplib::Response& res) {
          CreateToken(req, res);
        });
  Route("GET", "/recordings/([^/]+)/access-link",
        [this](const httplib::Request& req, httplib::Response& res) {
          AccessLink(req, res);
        });
}

std::string DailyFake::ErrorBody(int status, const std::string& message) const {
  std::string type = "invalid-request-error";
  if (status == 404) type = "not-found";
  if (status == 429) type = "rate-limit-error";
  if (status >= 500) type = "server-error";
  return json{{"error", type}, {"info", message}}.dump();
}

void DailyFake::Error(httplib::Response& res, int status,
                      const std::string& type, const std::string& info) const {
  SendJson(res, status, json{{"error", type}, {"info", info}});
}

bool DailyFake::Authorized(const httplib::Request& req,
                           httplib::Response& res) const {
  if (!req.has_header("Authorization")) {
    Error(res, 400, "authorization-header-error",
          "Authorization header missing or malformed");
    return false;
  }
  if (req.get_header_value("Authorization") !=
      absl::StrCat("Bearer ", options_.api_key)) {
    Error(res, 401, "authentication-error", "Invalid API key");
    return false;
  }
  return true;
}

bool DailyFake::ParseBody(const httplib::Request& req, httplib::Response& res,
                          json* body) const {
  if (!absl::StartsWith(req.get_header_value("Content-Type"),
                        "application/json")) {
    Error(res, 400, "invalid-request-error",
          "Content-Type must be application/json");
    return false;
  }
  *body = json::parse(req.body, nullptr, false);
  if (body->is_discarded() || !body->is_object()) {
    Error(res, 400, "json-parsing-error", "Could not parse the JSON body");
    return false;
  }
  return true;
}

std::vector<DailyFake::Room> DailyFake::rooms() const {
  absl::MutexLock lock(&state_mu_);
  std::vector<Room> out;
  for (const auto& [name, room] : rooms_) out.push_back(room);
  return out;
}

std::optional<DailyFake::Room> DailyFake::FindRoom(
    const std::string& name) const {
  absl::MutexLock lock(&state_mu_);
  auto it = rooms_.find(name);
  if (it == rooms_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, json> DailyFake::tokens() const {
  absl::MutexLock lock(&state_mu_);
  return tokens_;
}

std::vector<DailyFake::Recording> DailyFake::recordings() const {
  absl::MutexLock lock(&state_mu_);
  return recordings_;
}

void DailyFake::SetPresence(const std::string& room,
                            std::vector<Participant> participants) {
  absl::MutexLock lock(&state_mu_);
  presence_[room] = std::move(participants);
}

void DailyFake::SetRecordingAccessLink(const std::string& recording_id,
                                       const std::string& download_link,
                                       absl::Time expires) {
  absl::MutexLock lock(&state_mu_);
  access_links_[recording_id] = {download_link, expires};
}

void DailyFake::AccessLink(const httplib::Request& req,
                           httplib::Response& res) {
  if (!Authorized(req, res)) return;
  const std::string id = req.matches[1];
  absl::MutexLock lock(&state_mu_);
  if (auto it = access_links_.find(id); it != access_links_.end()) {
    return SendJson(res, 200,
                    {{"download_link", it->second.first},
                     {"expires", absl::ToUnixSeconds(it->second.second)}});
  }
  for (const Recording& r : recordings_) {
    if (r.recording_id == id) {
      return Error(res, 400, "invalid-request-error",
                   absl::StrCat("recording ", id, " is not finished"));
    }
  }
  Error(res, 404, "not-found", absl::StrCat("recording ", id, " not found"));
}

json DailyFake::RoomJson(const Room& room) const {
  return {{"id", room.id},
          {"name", room.name},
          {"api_created", true},
          {"privacy", room.privacy},
          {"url", room.url},
          {"created_at", FakeIsoTime(room.created_at)},
          {"config", room.properties}};
}

void DailyFake::CreateRoom(const httplib::Request& req,
                           httplib::Response& res) {
  if (!Authorized(req, res)) return;
  json body;
  if (!ParseBody(req, res, &body)) return;
  for (const auto& [key, value] : body.items()) {
    if (key != "name" && key != "privacy" && key != "properties") {
      return Error(res, 400, "invalid-request-error",
                   absl::StrCat("unknown parameter '", key, "'"));
    }
  }
  Room room;
  room.id = NewUuid();
  room.created_at = options_.clock();
  if (auto it = body.find("name"); it != body.end()) {
    if (!it->is_string() || !IsValidRoomName(it->get<std::string>())) {
      return Error(res, 400, "invalid-request-error",
                   "name: must be at most 128 characters from A-Z, a-z, 0-9, "
                   "'-' and '_'");
    }
    room.name = it->get<std::string>();
  } else {
    room.name = absl::StrReplaceAll(NewUuid().substr(0, 20), {{"-", ""}});
  }
  room.privacy = "public";
  if (auto it = body.find("privacy"); it != body.end()) {
    if (!it->is_string() ||
        (*it != "public" && *it != "private" && *it != "org")) {
      return Error(res, 400, "invalid-request-error",
                   "privacy: must be one of public, private, org");
    }
    room.privacy = it->get<std::string>();
  }
  room.properties = json::object();
  if (auto it = body.find("properties"); it != body.end()) {
    std::string error = CheckProperties(*it, RoomProperties());
    if (error.empty() && it->contains("recordings_bucket")) {
      error = CheckBucket((*it)["recordings_bucket"]);
    }
    if (error.empty() && it->contains("exp") &&
        (*it)["exp"].get<double>() <= absl::ToUnixSeconds(room.created_at)) {
      error = "exp: must be in the future";
    }
    if (!error.empty()) {
      return Error(res, 400, "invalid-request-error", error);
    }
    room.properties = *it;
  }
  room.url = absl::StrCat("https://", options_.domain, ".daily.co/", room.name);
  {
    absl::MutexLock lock(&state_mu_);
    auto existing = rooms_.find(room.name);
    if (existing != rooms_.end() && !existing->second.deleted) {
      return Error(res, 400, "invalid-request-error",
                   absl::StrCat("a room named ", room.name, " already exists"));
    }
    rooms_[room.name] = room;
  }
  SendJson(res, 200, RoomJson(room));
}

void DailyFake::GetRoom(const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res)) return;
  absl::MutexLock lock(&state_mu_);
  auto it = rooms_.find(req.matches[1]);
  if (it == rooms_.end() || it->second.deleted) {
    return Error(res, 404, "not-found",
                 absl::StrCat("room ", req.matches[1].str(), " not found"));
  }
  SendJson(res, 200, RoomJson(it->second));
}

void DailyFake::DeleteRoom(const httplib::Request& req,
                           httplib::Response& res) {
  if (!Authorized(req, res)) return;
  absl::MutexLock lock(&state_mu_);
  auto it = rooms_.find(req.matches[1]);
  if (it == rooms_.end() || it->second.deleted) {
    return Error(res, 404, "not-found",
                 absl::StrCat("room ", req.matches[1].str(), " not found"));
  }
  it->second.deleted = true;
  SendJson(res, 200, {{"deleted", true}, {"name", it->second.name}});
}

void DailyFake::Presence(const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res)) return;
  const std::string name = req.matches[1];
  absl::MutexLock lock(&state_mu_);
  auto it = rooms_.find(name);
  if (it == rooms_.end() || it->second.deleted) {
    return Error(res, 404, "not-found",
                 absl::StrCat("room ", name, " not found"));
  }
  json data = json::array();
  for (const Participant& p : presence_[name]) {
    data.push_back(
        {{"room", name},
         {"id", p.id},
         {"userId", p.user_id.empty() ? json(nullptr) : json(p.user_id)},
         {"userName", p.user_name},
         {"mtgSessionId", p.session_id},
         {"joinTime", FakeIsoTime(p.join_time)},
         {"duration", p.duration_seconds}});
  }
  SendJson(res, 200, {{"total_count", data.size()}, {"data", data}});
}

void DailyFake::StartRecording(const httplib::Request& req,
                               httplib::Response& res) {
  if (!Authorized(req, res)) return;
  const std::string name = req.matches[1];
  json body;
  if (!ParseBody(req, res, &body)) return;
  for (const auto& [key, value] : body.items()) {
    if (key != "type" && key != "instanceId" && key != "layout" &&
        key != "maxDuration" && key != "minIdleTimeOut") {
      return Error(res, 400, "invalid-request-error",
                   absl::StrCat("unknown parameter '", key, "'"));
    }
  }
  std::string type = "cloud";
  if (auto it = body.find("type"); it != body.end()) {
    if (!it->is_string() ||
        (*it != "cloud" && *it != "cloud-audio-only" && *it != "raw-tracks")) {
      return Error(res, 400, "invalid-request-error",
                   "type: must be one of cloud, cloud-audio-only, raw-tracks");
    }
    type = it->get<std::string>();
  }
  std::string instance_id;
  if (auto it = body.find("instanceId"); it != body.end()) {
    if (!it->is_string() || !IsUuid(it->get<std::string>())) {
      return Error(res, 400, "invalid-request-error",
                   "instanceId: must be a UUID");
    }
    instance_id = it->get<std::string>();
  }
  absl::MutexLock lock(&state_mu_);
  auto it = rooms_.find(name);
  if (it == rooms_.end() || it->second.deleted) {
    return Error(res, 404, "not-found",
                 absl::StrCat("room ", name, " not found"));
  }
  const json& mode = it->second.properties.value("enable_recording", json());
  const bool allowed =
      mode.is_string() &&
      (mode == type || (mode == "cloud" && type == "cloud-audio-only"));
  if (!allowed) {
    return Error(res, 400, "invalid-request-error",
                 absl::StrCat("recording type ", type,
                              " is not enabled for room ", name));
  }
  if (presence_[name].empty()) {
    return Error(res, 400, "invalid-request-error",
                 absl::StrCat("room ", name, " has no active meeting"));
  }
  for (const Recording& r : recordings_) {
    if (r.room_name == name && r.instance_id == instance_id) {
      return Error(res, 400, "invalid-request-error",
                   "a recording is already in progress for this instanceId");
    }
  }
  Recording recording{NewUuid(), name, type, instance_id};
  recordings_.push_back(recording);
  SendJson(res, 200, {{"recordingId", recording.recording_id}});
}

void DailyFake::CreateToken(const httplib::Request& req,
                            httplib::Response& res) {
  if (!Authorized(req, res)) return;
  json body;
  if (!ParseBody(req, res, &body)) return;
  for (const auto& [key, value] : body.items()) {
    if (key != "properties") {
      return Error(res, 400, "invalid-request-error",
                   absl::StrCat("unknown parameter '", key, "'"));
    }
  }
  auto it = body.find("properties");
  if (it == body.end()) {
    return Error(res, 400, "invalid-request-error", "properties is required");
  }
  std::string error = CheckProperties(*it, TokenProperties());
  if (error.empty() && it->contains("user_id") &&
      (*it)["user_id"].get<std::string>().size() > 36) {
    error = "user_id: must be at most 36 characters";
  }
  if (error.empty() && it->contains("exp") &&
      (*it)["exp"].get<double>() <= absl::ToUnixSeconds(options_.clock())) {
    error = "exp: must be in the future";
  }
  if (!error.empty()) return Error(res, 400, "invalid-request-error", error);
  const std::string token =
      absl::StrCat("eyJhbGciOiJIUzI1NiJ9.",
                   absl::StrReplaceAll(NewUuid(), {{"-", ""}}), ".fake");
  {
    absl::MutexLock lock(&state_mu_);
    tokens_[token] = *it;
  }
  SendJson(res, 200, {{"token", token}});
}

}  // namespace videoplatform::fakes
