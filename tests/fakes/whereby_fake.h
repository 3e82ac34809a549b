// A loopback fake of Whereby's REST API (docs/provider-apis.md section 1.1),
// as strict as the real one where the facts are known:
// - Every request needs "Authorization: Bearer <api_key>", else 401
//   {"error": "..."}. Errors are Whereby's {"error": "<text>"} (Joi-style
//   texts such as "\"endDate\" is required"); a 429 also carries
//   X-RateLimit-Limit/-Remaining/-Reset and {"error", "data": {"msLeft"}}.
// - POST /meetings (JSON only; unknown fields rejected): endDate required,
//   a valid ISO-8601 date not in the past; isLocked boolean; roomMode
//   normal|group; roomNamePrefix a string of at most 39 characters from
//   [A-Za-z0-9_-] (the charset rule is this fake's assumption); roomNamePattern
//   uuid|human-short; fields from [hostRoomUrl, viewerRoomUrl]; recording
//   {type: none|local|cloud, destination {provider: s3, bucket, accessKeyId,
//   accessKeySecret, fileFormat: mp4|webm}, startTrigger: none|prompt|
//   automatic|automatic-2nd-participant}, destination required for cloud.
//   201 {meetingId, roomName: "/<lower-cased prefix><uuid>", roomUrl,
//   startDate, endDate, hostRoomUrl (when asked for)}.
// - GET /meetings/{id}: 200 or 404. DELETE /meetings/{id}: 204 (again for
//   an already deleted meeting); 404 for ids it never issued.
// - GET /insights/room-sessions?roomName=/<name>[&limit=n][&cursor=c]: 400
//   without roomName, for a limit outside 1-100 or an unknown cursor; 404
//   for a room it never created or seeded, else {cursor, results}: `limit`
//   sessions (default 10, capped at WherebyFakeOptions::max_page_size) in
//   insertion order and the cursor of the next page, null on the last.
// - PUT /rooms/{name without '/'}/theme/logo: multipart file field "image"
//   with an image/* type, else 400; 404 for unknown rooms; 204.
// Requests are recorded and faults injected by FakeHttpServer. Thread-safe.
#ifndef VIDEOPLATFORM_TESTS_FAKES_WHEREBY_FAKE_H_
#define VIDEOPLATFORM_TESTS_FAKES_WHEREBY_FAKE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/fakes/fake_http_server.h"

namespace videoplatform::fakes {

struct WherebyFakeOptions {
  std::string api_key = "whereby-test-key";
  // Room URLs are https://<subdomain>.whereby.com/<room>.
  std::string subdomain = "reflector";
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Pages of /insights/room-sessions hold at most this many results (the
  // real API: 100); lower it to make tests page.
  int max_page_size = 100;
};

class WherebyFake : public FakeHttpServer {
 public:
  struct Meeting {
    std::string meeting_id;
    std::string room_name;  // With the leading '/'.
    std::string room_url;
    std::string host_room_url;
    absl::Time start_date;
    absl::Time end_date;
    bool deleted = false;
    nlohmann::json request;  // The POST /meetings body.
    std::optional<RecordedFile> logo;
  };

  explicit WherebyFake(WherebyFakeOptions options = {});

  std::vector<Meeting> meetings() const;
  std::optional<Meeting> FindMeeting(const std::string& meeting_id) const;

  // Adds a session to /insights/room-sessions for `room_name` (with its
  // leading '/'); the room becomes known if it was not. `ended` unset: the
  // session is ongoing (endedAt null).
  void AddRoomSession(const std::string& room_name,
                      const std::string& session_id, absl::Time started,
                      std::optional<absl::Time> ended = std::nullopt);

 protected:
  std::string ErrorBody(int status, const std::string& message) const override;
  void DecorateError(int status, httplib::Response& res) const override;

 private:
  struct Session {
    std::string id;
    absl::Time started;
    std::optional<absl::Time> ended;
  };

  bool Authorized(const httplib::Request& req, httplib::Response& res) const;
  void Error(httplib::Response& res, int status, const std::string& text) const;
  void CreateMeeting(const httplib::Request& req, httplib::Response& res);
  void GetMeeting(const httplib::Request& req, httplib::Response& res);
  void DeleteMeeting(const httplib::Request& req, httplib::Response& res);
  void RoomSessions(const httplib::Request& req, httplib::Response& res);
  void UploadLogo(const httplib::Request& req, httplib::Response& res);
  nlohmann::json MeetingJson(const Meeting& meeting) const;

  const WherebyFakeOptions options_;
  mutable absl::Mutex state_mu_;
  int next_meeting_id_ ABSL_GUARDED_BY(state_mu_) = 41000001;
  std::map<std::string, Meeting> meetings_ ABSL_GUARDED_BY(state_mu_);
  // Room name (with '/') -> sessions.
  std::map<std::string, std::vector<Session>> sessions_
      ABSL_GUARDED_BY(state_mu_);
};

}  // namespace videoplatform::fakes

#endif  // VIDEOPLATFORM_TESTS_FAKES_WHEREBY_FAKE_H_
