#include "tests/fakes/whereby_fake.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/ids.h"

namespace videoplatform::fakes {
namespace {

using json = nlohmann::json;

std::string Quote(const std::string& field) {
  return absl::StrCat("\"", field, "\"");
}

// Joi-style "must be one of [a, b]" check; returns the error text or "".
std::string CheckEnum(const json& object, const std::string& key,
                      const std::string& path,
                      const std::vector<std::string>& allowed) {
  auto it = object.find(key);
  if (it == object.end()) return "";
  if (!it->is_string() || std::find(allowed.begin(), allowed.end(),
                                    it->get<std::string>()) == allowed.end()) {
    return absl::StrCat(Quote(path), " must be one of [",
                        absl::StrJoin(allowed, ", "), "]");
  }
  return "";
}

std::string CheckUnknownKeys(const json& object, const std::string& prefix,
                             const std::vector<std::string>& allowed) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return absl::StrCat(Quote(prefix + key), " is not allowed");
    }
  }
  return "";
}

std::string CheckRequiredString(const json& object, const std::string& key,
                                const std::string& path) {
  auto it = object.find(key);
  if (it == object.end()) return absl::StrCat(Quote(path), " is required");
  if (!it->is_string()) return absl::StrCat(Quote(path), " must be a string");
  if (it->get<std::string>().empty()) {
    return absl::StrCat(Quote(path), " is not allowed to be empty");
  }
  return "";
}

std::string ValidateRecording(const json& recording) {
  if (!recording.is_object()) return "\"recording\" must be of type object";
  std::string error = CheckUnknownKeys(recording, "recording.",
                                       {"type", "destination", "startTrigger"});
  if (!error.empty()) return error;
  if (!recording.contains("type")) return "\"recording.type\" is required";
  error = CheckEnum(recording, "type", "recording.type",
                    {"none", "local", "cloud"});
  if (!error.empty()) return error;
  error =
      CheckEnum(recording, "startTrigger", "recording.startTrigger",
                {"none", "prompt", "automatic", "automatic-2nd-participant"});
  if (!error.empty()) return error;
  const bool cloud = recording["type"] == "cloud";
  auto destination = recording.find("destination");
  if (destination == recording.end()) {
    return cloud ? "\"recording.destination\" is required" : "";
  }
  if (!destination->is_object()) {
    return "\"recording.destination\" must be of type object";
  }
  error = CheckUnknownKeys(
      *destination, "recording.destination.",
      {"provider", "bucket", "accessKeyId", "accessKeySecret", "fileFormat"});
  if (!error.empty()) return error;
  if (!destination->contains("provider")) {
    return "\"recording.destination.provider\" is required";
  }
  error = CheckEnum(*destination, "provider", "recording.destination.provider",
                    {"s3"});
  if (!error.empty()) return error;
  for (const char* key : {"bucket", "accessKeyId", "accessKeySecret"}) {
    error = CheckRequiredString(*destination, key,
                                absl::StrCat("recording.destination.", key));
    if (!error.empty()) return error;
  }
  return CheckEnum(*destination, "fileFormat",
                   "recording.destination.fileFormat", {"mp4", "webm"});
}

}  // namespace

WherebyFake::WherebyFake(WherebyFakeOptions options)
    : FakeHttpServer("/v1"), options_(std::move(options)) {
  Route("POST", "/meetings",
        [this](const httplib::Request& req, httplib::Response& res) {
          CreateMeeting(req, res);
        });
  Route("GET", "/meetings/([^/]+)",
        [this](const httplib::Request& req, httplib::Response& res) {
          GetMeeting(req, res);
        });
  Route("DELETE", "/meetings/([^/]+)",
        [this](const httplib::Request& req, httplib::Response& res) {
          DeleteMeeting(req, res);
        });
  Route("GET", "/insights/room-sessions",
        [this](const httplib::Request& req, httplib::Response& res) {
          RoomSessions(req, res);
        });
  Route("PUT", "/rooms/([^/]+)/theme/logo",
        [this](const httplib::Request& req, httplib::Response& res) {
          UploadLogo(req, res);
        });
}

std::string WherebyFake::ErrorBody(int status,
                                   const std::string& message) const {
  if (status == 429) {
    return json{{"error", "Rate limit active, please try again later"},
                {"data", {{"msLeft", 38689}}}}
        .dump();
  }
  if (status >= 500) return json{{"error", "Internal Server Error"}}.dump();
  if (status == 404) return json{{"error", "Not Found"}}.dump();
  return json{{"error", message}}.dump();
}

void WherebyFake::DecorateError(int status, httplib::Response& res) const {
  if (status != 429) return;
  res.set_header("X-RateLimit-Limit", "100");
  res.set_header("X-RateLimit-Remaining", "0");
  res.set_header("X-RateLimit-Reset",
                 absl::StrCat(absl::ToUnixSeconds(options_.clock()) + 39));
}

void WherebyFake::Error(httplib::Response& res, int status,
                        const std::string& text) const {
  SendJson(res, status, json{{"error", text}});
}

bool WherebyFake::Authorized(const httplib::Request& req,
                             httplib::Response& res) const {
  if (req.get_header_value("Authorization") ==
      absl::StrCat("Bearer ", options_.api_key)) {
    return true;
  }
  Error(res, 401, "Unauthorized: missing or invalid API key");
  return false;
}

std::vector<WherebyFake::Meeting> WherebyFake::meetings() const {
  absl::MutexLock lock(&state_mu_);
  std::vector<Meeting> out;
  for (const auto& [id, meeting] : meetings_) out.push_back(meeting);
  return out;
}

std::optional<WherebyFake::Meeting> WherebyFake::FindMeeting(
    const std::string& meeting_id) const {
  absl::MutexLock lock(&state_mu_);
  auto it = meetings_.find(meeting_id);
  if (it == meetings_.end()) return std::nullopt;
  return it->second;
}

void WherebyFake::AddRoomSession(const std::string& room_name,
                                 const std::string& session_id,
                                 absl::Time started,
                                 std::optional<absl::Time> ended) {
  absl::MutexLock lock(&state_mu_);
  sessions_[room_name].push_back(Session{session_id, started, ended});
}

json WherebyFake::MeetingJson(const Meeting& meeting) const {
  json out = {{"meetingId", meeting.meeting_id},
              {"roomName", meeting.room_name},
              {"roomUrl", meeting.room_url},
              {"startDate", FakeIsoTime(meeting.start_date)},
              {"endDate", FakeIsoTime(meeting.end_date)}};
  if (!meeting.host_room_url.empty()) {
    out["hostRoomUrl"] = meeting.host_room_url;
  }
  return out;
}

void WherebyFake::CreateMeeting(const httplib::Request& req,
                                httplib::Response& res) {
  if (!Authorized(req, res)) return;
  if (!absl::StartsWith(req.get_header_value("Content-Type"),
                        "application/json")) {
    return Error(res, 400, "Content-Type must be application/json");
  }
  const json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return Error(res, 400, "Invalid JSON body");
  if (!body.is_object())
    return Error(res, 400, "\"value\" must be of type object");

  std::string error = CheckUnknownKeys(
      body, "",
      {"endDate", "isLocked", "roomMode", "roomNamePrefix", "roomNamePattern",
       "fields", "recording", "templateType", "isRoomTemplate"});
  if (!error.empty()) return Error(res, 400, error);

  // endDate: required, a date, not in the past.
  auto end_it = body.find("endDate");
  if (end_it == body.end()) return Error(res, 400, "\"endDate\" is required");
  absl::Time end_date;
  std::string parse_error;
  if (!end_it->is_string() ||
      !absl::ParseTime(absl::RFC3339_full, end_it->get<std::string>(),
                       &end_date, &parse_error)) {
    return Error(res, 400, "\"endDate\" must be a valid date");
  }
  const absl::Time now = options_.clock();
  if (end_date <= now) {
    return Error(res, 400, "\"endDate\" must be greater than \"now\"");
  }
  if (body.contains("isLocked") && !body["isLocked"].is_boolean()) {
    return Error(res, 400, "\"isLocked\" must be a boolean");
  }
  for (const std::string& e :
       {CheckEnum(body, "roomMode", "roomMode", {"normal", "group"}),
        CheckEnum(body, "roomNamePattern", "roomNamePattern",
                  {"uuid", "human-short"})}) {
    if (!e.empty()) return Error(res, 400, e);
  }
  std::string prefix;
  if (auto it = body.find("roomNamePrefix"); it != body.end()) {
    if (!it->is_string()) {
      return Error(res, 400, "\"roomNamePrefix\" must be a string");
    }
    prefix = it->get<std::string>();
    if (prefix.size() > 39) {
      return Error(res, 400,
                   "\"roomNamePrefix\" length must be less than or equal to "
                   "39 characters long");
    }
    for (char c : prefix) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
          c != '_') {
        return Error(res, 400,
                     "\"roomNamePrefix\" with value \"" + prefix +
                         "\" fails to match the required pattern");
      }
    }
  }
  bool want_host_url = false;
  if (auto it = body.find("fields"); it != body.end()) {
    if (!it->is_array()) return Error(res, 400, "\"fields\" must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& field = (*it)[i];
      if (!field.is_string() ||
          (field != "hostRoomUrl" && field != "viewerRoomUrl")) {
        return Error(res, 400,
                     absl::StrCat("\"fields[", i,
                                  "]\" must be one of [hostRoomUrl, "
                                  "viewerRoomUrl]"));
      }
      if (field == "hostRoomUrl") want_host_url = true;
    }
  }
  if (auto it = body.find("recording"); it != body.end()) {
    error = ValidateRecording(*it);
    if (!error.empty()) return Error(res, 400, error);
  }

  Meeting meeting;
  meeting.room_name = absl::StrCat("/", absl::AsciiStrToLower(prefix),
                                   videoplatform::NewUuid());
  meeting.room_url = absl::StrCat("https://", options_.subdomain,
                                  ".whereby.com", meeting.room_name);
  if (want_host_url) {
    meeting.host_room_url = absl::StrCat(
        meeting.room_url, "?roomKey=", videoplatform::NewUuid().substr(0, 8));
  }
  meeting.start_date = now;
  meeting.end_date = end_date;
  meeting.request = body;
  {
    absl::MutexLock lock(&state_mu_);
    meeting.meeting_id = absl::StrCat(next_meeting_id_++);
    meetings_[meeting.meeting_id] = meeting;
    sessions_[meeting.room_name];  // The room is known from now on.
  }
  SendJson(res, 201, MeetingJson(meeting));
}

void WherebyFake::GetMeeting(const httplib::Request& req,
                             httplib::Response& res) {
  if (!Authorized(req, res)) return;
  absl::MutexLock lock(&state_mu_);
  auto it = meetings_.find(req.matches[1]);
  if (it == meetings_.end() || it->second.deleted) {
    return Error(res, 404, "Meeting not found");
  }
  SendJson(res, 200, MeetingJson(it->second));
}

void WherebyFake::DeleteMeeting(const httplib::Request& req,
                                httplib::Response& res) {
  if (!Authorized(req, res)) return;
  absl::MutexLock lock(&state_mu_);
  auto it = meetings_.find(req.matches[1]);
  if (it == meetings_.end()) return Error(res, 404, "Meeting not found");
  it->second.deleted = true;
  res.status = 204;
}

void WherebyFake::RoomSessions(const httplib::Request& req,
                               httplib::Response& res) {
  if (!Authorized(req, res)) return;
  if (!req.has_param("roomName")) {
    return Error(res, 400, "\"roomName\" is required");
  }
  const std::string room_name = req.get_param_value("roomName");
  int limit = 10;
  if (req.has_param("limit") &&
      (!absl::SimpleAtoi(req.get_param_value("limit"), &limit) || limit < 1 ||
       limit > 100)) {
    return Error(res, 400, "\"limit\" must be between 1 and 100");
  }
  limit = std::min(limit, options_.max_page_size);
  // Cursors are opaque to clients; here "c<offset>".
  size_t offset = 0;
  if (req.has_param("cursor")) {
    const std::string cursor = req.get_param_value("cursor");
    if (!absl::StartsWith(cursor, "c") ||
        !absl::SimpleAtoi(absl::string_view(cursor).substr(1), &offset)) {
      return Error(res, 400, "\"cursor\" is invalid");
    }
  }
  absl::MutexLock lock(&state_mu_);
  auto it = sessions_.find(room_name);
  if (it == sessions_.end()) return Error(res, 404, "Room not found");
  if (offset > it->second.size())
    return Error(res, 400, "\"cursor\" is invalid");
  json results = json::array();
  const size_t end =
      std::min(it->second.size(), offset + static_cast<size_t>(limit));
  for (size_t i = offset; i < end; ++i) {
    const Session& session = it->second[i];
    results.push_back({{"roomSessionId", session.id},
                       {"roomName", room_name},
                       {"startedAt", FakeIsoTime(session.started)},
                       {"endedAt", session.ended.has_value()
                                       ? json(FakeIsoTime(*session.ended))
                                       : json(nullptr)},
                       {"totalParticipantMinutes", 12},
                       {"totalUniqueParticipants", 2}});
  }
  SendJson(res, 200,
           {{"cursor", end < it->second.size() ? json(absl::StrCat("c", end))
                                               : json(nullptr)},
            {"results", results}});
}

void WherebyFake::UploadLogo(const httplib::Request& req,
                             httplib::Response& res) {
  if (!Authorized(req, res)) return;
  const std::string room_name = absl::StrCat("/", req.matches[1].str());
  if (!req.is_multipart_form_data() || !req.has_file("image")) {
    return Error(res, 400, "\"image\" is required");
  }
  const httplib::MultipartFormData image = req.get_file_value("image");
  if (!absl::StartsWith(image.content_type, "image/") ||
      image.content.empty()) {
    return Error(res, 400, "\"image\" must be a non-empty image file");
  }
  absl::MutexLock lock(&state_mu_);
  for (auto& [id, meeting] : meetings_) {
    if (meeting.room_name == room_name && !meeting.deleted) {
      meeting.logo = RecordedFile{image.name, image.filename,
                                  image.content_type, image.content};
      res.status = 204;
      return;
    }
  }
  Error(res, 404, "Room not found");
}

}  // namespace videoplatform::fakes
