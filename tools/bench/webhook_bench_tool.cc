// Helper of the webhook benchmarks (tools/bench/webhook_throughput.sh,
// hostile_clients.sh, crash_soak.sh). Three jobs, one per flag set:
//
//   --create_meetings=N --service=HOST:PORT --rooms_out=FILE
//       creates N meetings (rooms bench-room-<i>) through CreateMeeting and
//       writes the provider's room name of each to FILE, one a line;
//   --rooms=FILE --events=N --out=FILE [--prefix=P --type=T --secret=B64]
//       writes N distinct Daily webhooks for those rooms, signed the way
//       Daily signs them (base64 HMAC-SHA256 over "<ms timestamp>.<body>"
//       keyed with the base64-decoded secret), one a line as
//       "<timestamp>\t<signature>\t<body>" (read by webhook_requests.lua and
//       hostile_clients.py); event ids are "<P>-<i>", session ids too;
//   --deliver=URL --requests=FILE
//       POSTs every request of FILE once, in order, and prints how many got
//       each HTTP status (used to make the re-delivery case's events known).
//
// Signatures are computed here with OpenSSL's HMAC, independently of the
// service's code. Exit code 0 on success, 1 on any failure (message on
// stderr), 2 on bad flags.
#include <curl/curl.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

ABSL_FLAG(std::string, service, "127.0.0.1:50051", "gRPC target.");
ABSL_FLAG(std::string, token, "", "Bearer token for the RPCs (may be empty).");
ABSL_FLAG(int, create_meetings, 0, "Meetings to create.");
ABSL_FLAG(std::string, rooms_out, "", "Where to write the room names.");
ABSL_FLAG(std::string, rooms, "", "Room names, one a line.");
ABSL_FLAG(int, events, 0, "Signed webhooks to write.");
ABSL_FLAG(std::string, out, "", "Where to write the signed webhooks.");
ABSL_FLAG(std::string, prefix, "bench", "Event id prefix.");
ABSL_FLAG(std::string, type, "participant.joined",
          "participant.joined or participant.left.");
ABSL_FLAG(std::string, secret, "",
          "Daily webhook secret, base64 (as DAILY_WEBHOOK_SECRET).");
ABSL_FLAG(std::string, deliver, "", "URL to POST every request of --requests.");
ABSL_FLAG(std::string, requests, "", "Signed webhooks to deliver.");

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "webhook_bench_tool: %s\n", message.c_str());
  return 1;
}

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                data, static_cast<int>(size));
  out.resize(n);
  return out;
}

bool Unbase64(const std::string& in, std::string* out) {
  if (in.empty() || in.size() % 4 != 0) return false;
  out->assign(3 * in.size() / 4 + 1, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                      reinterpret_cast<const unsigned char*>(in.data()),
                      static_cast<int>(in.size()));
  if (n < 0) return false;
  size_t padding = 0;
  if (in.back() == '=') ++padding;
  if (in.size() >= 2 && in[in.size() - 2] == '=') ++padding;
  out->resize(n - padding);
  return true;
}

int CreateMeetings() {
  const int count = absl::GetFlag(FLAGS_create_meetings);
  const std::string rooms_out = absl::GetFlag(FLAGS_rooms_out);
  if (rooms_out.empty()) return Fail("--rooms_out is required");
  auto stub =
      videoplatform::v1::VideoPlatformService::NewStub(grpc::CreateChannel(
          absl::GetFlag(FLAGS_service), grpc::InsecureChannelCredentials()));
  std::ofstream out(rooms_out);
  for (int i = 0; i < count; ++i) {
    videoplatform::v1::CreateMeetingRequest request;
    request.mutable_room()->set_room_id(absl::StrCat("bench-room-", i));
    request.mutable_room()->set_room_name(absl::StrCat("Bench room ", i));
    request.mutable_room()->set_recording_type(
        videoplatform::v1::RECORDING_TYPE_NONE);
    videoplatform::v1::CreateMeetingResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    if (!absl::GetFlag(FLAGS_token).empty()) {
      context.AddMetadata("authorization",
                          "Bearer " + absl::GetFlag(FLAGS_token));
    }
    const grpc::Status status =
        stub->CreateMeeting(&context, request, &response);
    if (!status.ok()) {
      return Fail(absl::StrCat("CreateMeeting: ", status.error_message()));
    }
    if (response.meeting().platform() != "daily") {
      return Fail(absl::StrCat("meeting on platform '",
                               response.meeting().platform(),
                               "', want daily (set DEFAULT_VIDEO_PLATFORM)"));
    }
    out << response.meeting().room_name() << "\n";
  }
  out.close();
  return out ? 0 : Fail("cannot write " + rooms_out);
}

int WriteEvents() {
  std::vector<std::string> rooms;
  {
    std::ifstream in(absl::GetFlag(FLAGS_rooms));
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) rooms.push_back(line);
    }
  }
  if (rooms.empty()) return Fail("no rooms in --rooms");
  std::string key;
  if (!Unbase64(absl::GetFlag(FLAGS_secret), &key)) {
    return Fail("--secret is not base64");
  }
  const std::string type = absl::GetFlag(FLAGS_type);
  const std::string prefix = absl::GetFlag(FLAGS_prefix);
  const std::string path = absl::GetFlag(FLAGS_out);
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr) return Fail("cannot write " + path);
  const absl::Time now = absl::Now();
  const std::string ts = absl::StrCat(absl::ToUnixMillis(now));
  const std::string event_ts =
      absl::StrFormat("%.3f", absl::ToDoubleSeconds(now - absl::UnixEpoch()));
  const int events = absl::GetFlag(FLAGS_events);
  for (int i = 0; i < events; ++i) {
    const std::string id = absl::StrCat(prefix, "-", i);
    std::string body = absl::StrCat(
        R"({"version":"1.0.0","type":")", type, R"(","id":")", id,
        R"(","payload":{"room":")", rooms[i % rooms.size()],
        R"(","session_id":"s-)", id, R"(","user_id":"u-)", id,
        R"(","user_name":"Bench User","joined_at":)", absl::ToUnixSeconds(now),
        R"(,"owner":false,"permissions":{"hasPresence":true,"canSend":true})",
        type == "participant.left" ? R"(,"duration":60)" : "",
        R"(},"event_ts":)", event_ts, "}");
    const std::string signed_bytes = absl::StrCat(ts, ".", body);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(signed_bytes.data()),
             signed_bytes.size(), digest, &digest_size) == nullptr) {
      std::fclose(out);
      return Fail("HMAC failed");
    }
    std::fprintf(out, "%s\t%s\t%s\n", ts.c_str(),
                 Base64(digest, digest_size).c_str(), body.c_str());
  }
  return std::fclose(out) == 0 ? 0 : Fail("cannot write " + path);
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

int Deliver() {
  std::ifstream in(absl::GetFlag(FLAGS_requests));
  if (!in) return Fail("cannot read --requests");
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Fail("curl_easy_init failed");
  const std::string url = absl::GetFlag(FLAGS_deliver);
  std::map<long, int> statuses;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields =
        absl::StrSplit(line, absl::MaxSplits('\t', 2));
    if (fields.size() != 3) {
      curl_easy_cleanup(curl);
      return Fail("malformed request line");
    }
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(
        headers, absl::StrCat("X-Webhook-Timestamp: ", fields[0]).c_str());
    headers = curl_slist_append(
        headers, absl::StrCat("X-Webhook-Signature: ", fields[1]).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, fields[2].c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, long(fields[2].size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    long code = 0;
    if (curl_easy_perform(curl) == CURLE_OK) {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    }
    ++statuses[code];
    curl_slist_free_all(headers);
  }
  curl_easy_cleanup(curl);
  for (const auto& [code, count] : statuses) {
    std::printf("status %ld: %d\n", code, count);
  }
  return statuses.size() == 1 && statuses.count(200) == 1
             ? 0
             : Fail("some deliveries did not get 200");
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Creates benchmark meetings, writes signed Daily webhooks, delivers "
      "them. See the comment at the top of webhook_bench_tool.cc.");
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_create_meetings) > 0) return CreateMeetings();
  if (absl::GetFlag(FLAGS_events) > 0) return WriteEvents();
  if (!absl::GetFlag(FLAGS_deliver).empty()) return Deliver();
  std::fprintf(stderr,
               "webhook_bench_tool: one of --create_meetings, --events, "
               "--deliver is required\n");
  return 2;
}
