// A loopback fake of Daily's REST API (docs/provider-apis.md section 2.1),
// as strict as the real one where the facts are known:
// - Auth: no Authorization header -> 400 authorization-header-error; a
//   wrong key -> 401 authentication-error. Errors are {"error": "<type>",
//   "info": "<text>"}: invalid-request-error, json-parsing-error, not-found
//   (404), rate-limit-error (429), server-error (5xx).
// - POST /rooms {name, privacy: public|private|org, properties}: unknown
//   fields and properties rejected; name only [A-Za-z0-9_-], at most 128
//   characters, not already taken; exp in the future; booleans typed;
//   enable_recording cloud|cloud-audio-only|local|raw-tracks|
//   output-byte-stream; recordings_bucket needs bucket_name, bucket_region,
//   assume_role_arn (string) and allow_api_access (bool). 200 room object
//   {id, name, api_created, privacy, url, created_at, config}.
// - GET /rooms/:name (404 unknown/deleted), DELETE /rooms/:name
//   ({deleted: true, name}; 404 unknown/deleted).
// - GET /rooms/:name/presence: {total_count, data: [...]} from SetPresence.
// - POST /rooms/:name/recordings/start {type: cloud|cloud-audio-only|
//   raw-tracks, instanceId: uuid}: 404 unknown room; 400 when the room's
//   enable_recording does not allow the type, when nobody is present, or
//   when that instanceId is already recording. 200 {recordingId}.
// - POST /meeting-tokens {properties: {...}}: known properties typed,
//   user_id at most 36 characters, exp in the future; 200 {token}.
// - GET /recordings/:id/access-link: 200 {download_link, expires} for a
//   recording given a link by SetRecordingAccessLink; 400 for a recording
//   started here without one yet (still in progress); 404 otherwise.
// Requests are recorded and faults injected by FakeHttpServer. Thread-safe.
#ifndef VIDEOPLATFORM_TESTS_FAKES_DAILY_FAKE_H_
#define VIDEOPLATFORM_TESTS_FAKES_DAILY_FAKE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/fakes/fake_http_server.h"

namespace videoplatform::fakes {

struct DailyFakeOptions {
  std::string api_key = "daily-test-key";
  // Room URLs are https://<domain>.daily.co/<name>.
  std::string domain = "reflector";
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class DailyFake : public FakeHttpServer {
 public:
  struct Room {
    std::string id;
    std::string name;
    std::string privacy;
    std::string url;
    absl::Time created_at;
    nlohmann::json properties;
    bool deleted = false;
  };
  struct Participant {
    std::string id;
    std::string user_id;
    std::string user_name;
    std::string session_id;  // mtgSessionId
    absl::Time join_time;
    int64_t duration_seconds = 0;
  };
  struct Recording {
    std::string recording_id;
    std::string room_name;
    std::string type;
    std::string instance_id;
  };

  explicit DailyFake(DailyFakeOptions options = {});

  std::vector<Room> rooms() const;
  std::optional<Room> FindRoom(const std::string& name) const;
  // Token -> its properties.
  std::map<std::string, nlohmann::json> tokens() const;
  std::vector<Recording> recordings() const;

  // Replaces who is present in `room` (GET /rooms/:name/presence).
  void SetPresence(const std::string& room,
                   std::vector<Participant> participants);

  // Makes recording `recording_id` finished with `download_link` (GET
  // /recordings/:id/access-link), expiring at `expires`.
  void SetRecordingAccessLink(const std::string& recording_id,
                              const std::string& download_link,
                              absl::Time expires);

 protected:
  std::string ErrorBody(int status, const std::string& message) const override;

 private:
  bool Authorized(const httplib::Request& req, httplib::Response& res) const;
  void Error(httplib::Response& res, int status, const std::string& type,
             const std::string& info) const;
  bool ParseBody(const httplib::Request& req, httplib::Response& res,
                 nlohmann::json* body) const;
  void CreateRoom(const httplib::Request& req, httplib::Response& res);
  void GetRoom(const httplib::Request& req, httplib::Response& res);
  void DeleteRoom(const httplib::Request& req, httplib::Response& res);
  void Presence(const httplib::Request& req, httplib::Response& res);
  void StartRecording(const httplib::Request& req, httplib::Response& res);
  void CreateToken(const httplib::Request& req, httplib::Response& res);
  void AccessLink(const httplib::Request& req, httplib::Response& res);
  nlohmann::json RoomJson(const Room& room) const;

  const DailyFakeOptions options_;
  mutable absl::Mutex state_mu_;
  std::map<std::string, Room> rooms_ ABSL_GUARDED_BY(state_mu_);
  std::map<std::string, std::vector<Participant>> presence_
      ABSL_GUARDED_BY(state_mu_);
  std::map<std::string, nlohmann::json> tokens_ ABSL_GUARDED_BY(state_mu_);
  std::vector<Recording> recordings_ ABSL_GUARDED_BY(state_mu_);
  // Recording id -> {download_link, expires}.
  std::map<std::string, std::pair<std::string, absl::Time>> access_links_
      ABSL_GUARDED_BY(state_mu_);
};

}  // namespace videoplatform::fakes

#endif  // VIDEOPLATFORM_TESTS_FAKES_DAILY_FAKE_H_
