#include "providers/mock/mock_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "providers/registry.h"
#include "server/common/status_matchers.h"

namespace videoplatform::providers {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

class FakeClock {
 public:
  absl::Time Now() const {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = kT0;
};

class MockProviderTest : public ::testing::Test {
 protected:
  MockProvider::Options Options(
      std::optional<std::string> secret = std::nullopt) {
    MockProvider::Options options;
    options.webhook_secret = std::move(secret);
    options.clock = [this] { return clock_.Now(); };
    return options;
  }

  MeetingSpec Spec(std::string room_name = "My-Room") {
    MeetingSpec spec;
    spec.room_id = "room-id-1";
    spec.room_name = std::move(room_name);
    spec.end_time = clock_.Now() + absl::Hours(8);
    return spec;
  }

  static MeetingRef Ref(const CreatedMeeting& meeting) {
    return MeetingRef{meeting.provider_meeting_id, meeting.room_name};
  }

  FakeClock clock_;
  CallContext context_;  // No deadline.
  MockProvider provider_{Options()};
};

TEST(MockProviderFactoryTest, DescribesTheMock) {
  ProviderFactory factory = MakeMockProviderFactory();
  EXPECT_EQ(factory.name, "mock");
  EXPECT_THAT(factory.required_settings, IsEmpty());
  EXPECT_TRUE(factory.capabilities.can_delete_room);
  EXPECT_TRUE(factory.capabilities.can_upload_logo);
  EXPECT_TRUE(factory.capabilities.has_host_url);
  EXPECT_TRUE(factory.capabilities.can_list_sessions);
  EXPECT_FALSE(factory.capabilities.uses_join_tokens);
  EXPECT_FALSE(factory.capabilities.can_start_recording);
}

TEST(MockProviderFactoryTest, ConfiguredWithoutSettings) {
  ProviderRegistry registry;
  ASSERT_THAT(registry.Register(MakeMockProviderFactory()), IsOk());
  absl::StatusOr<std::unique_ptr<Providers>> providers = Providers::Create(
      registry, [](absl::string_view) { return std::nullopt; });
  ASSERT_THAT(providers, IsOk());
  ASSERT_THAT((*providers)->Statuses(), SizeIs(1));
  EXPECT_TRUE((*providers)->Statuses()[0].configured);
  absl::StatusOr<VideoPlatform*> mock = (*providers)->Get("mock");
  ASSERT_THAT(mock, IsOk());
  EXPECT_EQ((*mock)->name(), "mock");
  Capabilities capabilities = (*mock)->capabilities();
  EXPECT_TRUE(capabilities.can_delete_room);
  EXPECT_FALSE(capabilities.can_start_recording);
  // Works end to end with the real clock.
  MeetingSpec spec;
  spec.room_name = "room";
  spec.end_time = absl::Now() + absl::Hours(1);
  absl::Time before = absl::Now();
  absl::StatusOr<CreatedMeeting> meeting =
      (*mock)->CreateMeeting(spec, CallContext());
  ASSERT_THAT(meeting, IsOk());
  EXPECT_GE(meeting->start_time, before);
  EXPECT_LE(meeting->start_time, absl::Now());
  // No secret configured.
  EXPECT_THAT((*mock)->VerifyWebhookSignature({}, absl::Now()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("MOCK_WEBHOOK_SECRET")));
}

TEST_F(MockProviderTest, CreateMeetingIsDeterministic) {
  MeetingSpec spec = Spec("My-Room");
  absl::StatusOr<CreatedMeeting> first =
      provider_.CreateMeeting(spec, context_);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->provider_meeting_id, "mock-1");
  EXPECT_EQ(first->room_name, "/my-room-1");
  EXPECT_EQ(first->room_url, "https://mock.video.invalid/my-room-1");
  EXPECT_THAT(first->host_room_url,
              MatchesRegex("https://mock\\.video\\.invalid/my-room-1"
                           "\\?roomKey=[0-9a-f]{16}"));
  EXPECT_EQ(first->start_time, kT0);
  EXPECT_EQ(first->end_time, spec.end_time);

  clock_.Advance(absl::Minutes(1));
  absl::StatusOr<CreatedMeeting> second =
      provider_.CreateMeeting(Spec("My-Room"), context_);
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->provider_meeting_id, "mock-2");
  EXPECT_EQ(second->room_name, "/my-room-2");
  EXPECT_EQ(second->start_time, kT0 + absl::Minutes(1));
  EXPECT_NE(second->host_room_url.substr(second->room_url.size()),
            first->host_room_url.substr(first->room_url.size()));

  // Another instance repeats the same sequence, host keys included.
  FakeClock other_clock;
  MockProvider::Options options;
  options.clock = [&other_clock] { return other_clock.Now(); };
  MockProvider other(options);
  absl::StatusOr<CreatedMeeting> again = other.CreateMeeting(spec, context_);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->provider_meeting_id, first->provider_meeting_id);
  EXPECT_EQ(again->room_name, first->room_name);
  EXPECT_EQ(again->room_url, first->room_url);
  EXPECT_EQ(again->host_room_url, first->host_room_url);
}

TEST_F(MockProviderTest, RoomUrlIsPercentEncoded) {
  absl::StatusOr<CreatedMeeting> meeting =
      provider_.CreateMeeting(Spec("Café Room/7"), context_);
  ASSERT_THAT(meeting, IsOk());
  EXPECT_EQ(meeting->room_name, "/café room/7-1");
  EXPECT_EQ(meeting->room_url,
            "https://mock.video.invalid/caf%C3%A9%20room%2F7-1");
  EXPECT_THAT(meeting->host_room_url,
              StartsWith(meeting->room_url + "?roomKey="));
}

TEST_F(MockProviderTest, CreateMeetingValidates) {
  EXPECT_THAT(provider_.CreateMeeting(Spec(""), context_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("mock"), HasSubstr("room_name"))));
  EXPECT_THAT(provider_.CreateMeeting(Spec(std::string(129, 'a')), context_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("128")));
  EXPECT_THAT(provider_.CreateMeeting(Spec("bad\nname"), context_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("control characters")));

  MeetingSpec now = Spec();
  now.end_time = kT0;
  EXPECT_THAT(
      provider_.CreateMeeting(now, context_),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("end_time")));
  MeetingSpec past = Spec();
  past.end_time = kT0 - absl::Seconds(1);
  EXPECT_THAT(provider_.CreateMeeting(past, context_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not in the future")));
  MeetingSpec unset = Spec();
  unset.end_time = absl::Time();
  EXPECT_THAT(provider_.CreateMeeting(unset, context_),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_EQ(provider_.RoomCount(), 0u);

  // Rejected calls do not use up numbers; the limits are inclusive.
  MeetingSpec soon = Spec(std::string(128, 'A'));
  soon.end_time = kT0 + absl::Nanoseconds(1);
  absl::StatusOr<CreatedMeeting> meeting =
      provider_.CreateMeeting(soon, context_);
  ASSERT_THAT(meeting, IsOk());
  EXPECT_EQ(meeting->provider_meeting_id, "mock-1");
  EXPECT_EQ(meeting->room_name, absl::StrCat("/", std::string(128, 'a'), "-1"));
}

TEST_F(MockProviderTest, PassedDeadlineFailsEveryCall) {
  absl::StatusOr<CreatedMeeting> meeting =
      provider_.CreateMeeting(Spec(), context_);
  ASSERT_THAT(meeting, IsOk());
  CallContext expired;
  expired.deadline = kT0;
  EXPECT_THAT(provider_.CreateMeeting(Spec(), expired),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("mock")));
  EXPECT_THAT(provider_.GetRoomSessions(Ref(*meeting), expired),
              StatusIs(absl::StatusCode::kDeadlineExceeded, _));
  EXPECT_THAT(provider_.UploadLogo(Ref(*meeting), "png", "image/png", expired),
              StatusIs(absl::StatusCode::kDeadlineExceeded, _));
  EXPECT_THAT(provider_.DeleteRoom(Ref(*meeting), expired),
              StatusIs(absl::StatusCode::kDeadlineExceeded, _));
  EXPECT_EQ(provider_.RoomCount(), 1u) << "nothing was deleted";
  EXPECT_FALSE(provider_.GetLogo(meeting->provider_meeting_id).has_value());

  CallContext later;
  later.deadline = kT0 + absl::Seconds(1);
  EXPECT_THAT(provider_.GetRoomSessions(Ref(*meeting), later), IsOk());
}

TEST_F(MockProviderTest, SessionsOfCreatedRooms) {
  absl::StatusOr<CreatedMeeting> meeting =
      provider_.CreateMeeting(Spec(), context_);
  ASSERT_THAT(meeting, IsOk());
  clock_.Advance(absl::Minutes(5));

  absl::StatusOr<std::vector<RoomSession>> sessions =
      provider_.GetRoomSessions(Ref(*meeting), context_);
  ASSERT_THAT(sessions, IsOk());
  ASSERT_THAT(*sessions, SizeIs(1));
  const RoomSession& session = (*sessions)[0];
  EXPECT_EQ(session.session_id, "mock-1-session-1");
  EXPECT_EQ(session.room_name, "/my-room-1");
  EXPECT_EQ(session.start_time, kT0);
  EXPECT_EQ(session.end_time, absl::InfiniteFuture());
  EXPECT_THAT(session.participants, IsEmpty());

  // The room name is optional in the reference ...
  EXPECT_THAT(
      provider_.GetRoomSessions({meeting->provider_meeting_id, ""}, context_),
      IsOk());
  // ... but must match when given.
  EXPECT_THAT(
      provider_.GetRoomSessions({meeting->provider_meeting_id, "/x"}, context_),
      StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(provider_.GetRoomSessions({"mock-99", ""}, context_),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("mock-99")));
}

TEST_F(MockProviderTest, DeleteRoom) {
  absl::StatusOr<CreatedMeeting> first =
      provider_.CreateMeeting(Spec("a"), context_);
  absl::StatusOr<CreatedMeeting> second =
      provider_.CreateMeeting(Spec("b"), context_);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(provider_.RoomCount(), 2u);

  EXPECT_THAT(provider_.DeleteRoom(Ref(*first), context_), IsOk());
  EXPECT_EQ(provider_.RoomCount(), 1u);
  EXPECT_THAT(provider_.GetRoomSessions(Ref(*first), context_),
              StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(provider_.UploadLogo(Ref(*first), "png", "image/png", context_),
              StatusIs(absl::StatusCode::kNotFound, _));
  // The other room is untouched.
  EXPECT_THAT(provider_.GetRoomSessions(Ref(*second), context_), IsOk());

  // Deleting again, or a room that never existed, succeeds.
  EXPECT_THAT(provider_.DeleteRoom(Ref(*first), context_), IsOk());
  EXPECT_THAT(provider_.DeleteRoom({"mock-42", "/nope-42"}, context_), IsOk());
  // A reference with a mismatched room name deletes nothing.
  EXPECT_THAT(
      provider_.DeleteRoom({second->provider_meeting_id, "/a-1"}, context_),
      IsOk());
  EXPECT_EQ(provider_.RoomCount(), 1u);

  // Ids are never reused.
  absl::StatusOr<CreatedMeeting> third =
      provider_.CreateMeeting(Spec("a"), context_);
  ASSERT_THAT(third, IsOk());
  EXPECT_EQ(third->provider_meeting_id, "mock-3");
}

TEST_F(MockProviderTest, UploadLogoStoresTheBytes) {
  absl::StatusOr<CreatedMeeting> meeting =
      provider_.CreateMeeting(Spec(), context_);
  ASSERT_THAT(meeting, IsOk());
  EXPECT_FALSE(provider_.GetLogo(meeting->provider_meeting_id).has_value());

  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  ASSERT_THAT(provider_.UploadLogo(Ref(*meeting), png, "image/png", context_),
              IsOk());
  std::optional<MockProvider::Logo> logo =
      provider_.GetLogo(meeting->provider_meeting_id);
  ASSERT_TRUE(logo.has_value());
  EXPECT_EQ(logo->image, png);
  EXPECT_EQ(logo->image.size(), 16u);
  EXPECT_EQ(logo->content_type, "image/png");

  // A second upload replaces the first.
  ASSERT_THAT(provider_.UploadLogo(Ref(*meeting), "<svg/>",
                                   "image/svg+xml; charset=utf-8", context_),
              IsOk());
  logo = provider_.GetLogo(meeting->provider_meeting_id);
  ASSERT_TRUE(logo.has_value());
  EXPECT_EQ(logo->image, "<svg/>");
  EXPECT_EQ(logo->content_type, "image/svg+xml; charset=utf-8");

  EXPECT_THAT(provider_.UploadLogo(Ref(*meeting), "x", "IMAGE/JPEG", context_),
              IsOk());
}

TEST_F(MockProviderTest, UploadLogoValidates) {
  absl::StatusOr<CreatedMeeting> meeting =
      provider_.CreateMeeting(Spec(), context_);
  ASSERT_THAT(meeting, IsOk());
  EXPECT_THAT(provider_.UploadLogo(Ref(*meeting), "", "image/png", context_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("image is empty")));
  for (const char* bad :
       {"", "image", "image/", "image/ ", "text/plain",
        "application/octet-stream", "image/png\n", "xx image/png"}) {
    EXPECT_THAT(
        provider_.UploadLogo(Ref(*meeting), "x", bad, context_),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("content type")))
        << bad;
  }
  EXPECT_FALSE(provider_.GetLogo(meeting->provider_meeting_id).has_value());
  EXPECT_THAT(provider_.UploadLogo({"mock-77", ""}, "x", "image/png", context_),
              StatusIs(absl::StatusCode::kNotFound, _));
}

TEST_F(MockProviderTest, StartRecordingIsUnsupported) {
  absl::StatusOr<CreatedMeeting> meeting =
      provider_.CreateMeeting(Spec(), context_);
  ASSERT_THAT(meeting, IsOk());
  EXPECT_THAT(
      provider_.StartRecording(Ref(*meeting), "cloud", "instance", context_),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("mock")));
}

TEST_F(MockProviderTest, ConcurrentCallsGetUniqueIds) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::vector<std::vector<CreatedMeeting>> created(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &created] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<CreatedMeeting> meeting =
            provider_.CreateMeeting(Spec(absl::StrCat("Room", t)), context_);
        if (!meeting.ok()) {
          ADD_FAILURE() << meeting.status();
          return;
        }
        // Mix in the other operations on the thread's own rooms.
        EXPECT_THAT(provider_.GetRoomSessions(Ref(*meeting), context_), IsOk());
        EXPECT_THAT(
            provider_.UploadLogo(Ref(*meeting), "x", "image/png", context_),
            IsOk());
        if (i % 2 == 1) {
          EXPECT_THAT(provider_.DeleteRoom(Ref(*meeting), context_), IsOk());
        }
        created[t].push_back(*std::move(meeting));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::set<std::string> ids, room_names, host_urls;
  for (const auto& meetings : created) {
    ASSERT_THAT(meetings, SizeIs(kPerThread));
    for (const CreatedMeeting& meeting : meetings) {
      ids.insert(meeting.provider_meeting_id);
      room_names.insert(meeting.room_name);
      host_urls.insert(meeting.host_room_url);
    }
  }
  constexpr size_t kTotal = kThreads * kPerThread;
  EXPECT_EQ(ids.size(), kTotal);
  EXPECT_EQ(room_names.size(), kTotal);
  EXPECT_EQ(host_urls.size(), kTotal);
  // Exactly mock-1 .. mock-kTotal.
  for (size_t n = 1; n <= kTotal; ++n) {
    EXPECT_EQ(ids.count(absl::StrCat("mock-", n)), 1u) << n;
  }
  EXPECT_EQ(provider_.RoomCount(), kTotal / 2);
}

// ---- Webhook signatures ----

constexpr char kSecret[] = "mock-test-secret";
constexpr char kTimestamp[] = "1700000000";
// UTF-8 "Café": the signature covers the raw bytes.
constexpr char kBody[] =
    "{\"type\":\"meeting.started\",\"room\":\"Caf\xc3\xa9\"}";
// Computed outside the code under test:
//   printf '1700000000.{"type":"meeting.started","room":"Caf\xc3\xa9"}' |
//     openssl dgst -sha256 -hmac 'mock-test-secret' -r
constexpr char kSignature[] =
    "4b37971018c5f23ed2c5fd65846ac63b2964b6710f62916b7fb1caa30af32568";

WebhookRequest Signed(std::string timestamp, std::string signature,
                      std::string body = kBody) {
  WebhookRequest request;
  request.headers["x-mock-timestamp"] = std::move(timestamp);
  request.headers["x-mock-signature"] = std::move(signature);
  request.body = std::move(body);
  return request;
}

// HMAC-SHA256 by the openssl command-line tool, over a file holding `data`.
std::string OpensslHmac(const std::string& key, const std::string& data) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path =
      absl::StrCat(dir != nullptr ? dir : "/tmp", "/mock_hmac_input.bin");
  {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  // The key and path contain no shell metacharacters (checked by callers).
  const std::string command =
      absl::StrCat("openssl dgst -sha256 -hmac '", key, "' -r '", path, "'");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  char buffer[256] = {};
  std::string output;
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) {
    output.append(buffer, n);
  }
  if (pclose(pipe) != 0) return "";
  // "-r" prints "<hex> *<file>".
  return output.substr(0, output.find(' '));
}

TEST_F(MockProviderTest, AcceptsKnownVector) {
  MockProvider provider(Options(kSecret));
  EXPECT_THAT(
      provider.VerifyWebhookSignature(Signed(kTimestamp, kSignature), kT0),
      IsOk());
}

TEST_F(MockProviderTest, AcceptsSignaturesComputedByOpensslCli) {
  MockProvider provider(Options(kSecret));
  const std::vector<std::string> bodies = {
      "",
      kBody,
      std::string("binary\0body\xff\xfe with NUL", 21),
      std::string(10000, 'x'),
  };
  for (const std::string& body : bodies) {
    const std::string expected =
        OpensslHmac(kSecret, absl::StrCat(kTimestamp, ".", body));
    ASSERT_THAT(expected, MatchesRegex("[0-9a-f]{64}"))
        << "openssl dgst failed";
    EXPECT_THAT(provider.VerifyWebhookSignature(
                    Signed(kTimestamp, expected, body), kT0),
                IsOk())
        << "body size " << body.size();
    // Any change to the body breaks it.
    EXPECT_THAT(provider.VerifyWebhookSignature(
                    Signed(kTimestamp, expected, body + " "), kT0),
                StatusIs(absl::StatusCode::kUnauthenticated,
                         HasSubstr("signature mismatch")));
  }
  EXPECT_EQ(OpensslHmac(kSecret, absl::StrCat(kTimestamp, ".", kBody)),
            kSignature);
}

TEST_F(MockProviderTest, TimestampToleranceIsThreeHundredSecondsBothWays) {
  MockProvider provider(Options(kSecret));
  const WebhookRequest request = Signed(kTimestamp, kSignature);
  EXPECT_THAT(
      provider.VerifyWebhookSignature(request, kT0 + absl::Seconds(300)),
      IsOk());
  EXPECT_THAT(
      provider.VerifyWebhookSignature(request, kT0 - absl::Seconds(300)),
      IsOk());
  EXPECT_THAT(
      provider.VerifyWebhookSignature(request, kT0 + absl::Seconds(301)),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("old")));
  EXPECT_THAT(
      provider.VerifyWebhookSignature(request, kT0 - absl::Seconds(301)),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("future")));
  EXPECT_THAT(provider.VerifyWebhookSignature(request, kT0 + absl::Hours(24)),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
  EXPECT_THAT(provider.VerifyWebhookSignature(request, absl::UnixEpoch()),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
}

TEST_F(MockProviderTest, TimestampIsPartOfTheSignature) {
  MockProvider provider(Options(kSecret));
  // The signature of 1700000000 does not cover 1700000001.
  EXPECT_THAT(
      provider.VerifyWebhookSignature(Signed("1700000001", kSignature), kT0),
      StatusIs(absl::StatusCode::kUnauthenticated,
               HasSubstr("signature mismatch")));
}

TEST_F(MockProviderTest, RejectsWrongSecret) {
  MockProvider provider(Options("another-secret"));
  absl::Status status =
      provider.VerifyWebhookSignature(Signed(kTimestamp, kSignature), kT0);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated,
                               HasSubstr("signature mismatch")));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("another-secret")));
}

TEST_F(MockProviderTest, RejectsMissingHeaders) {
  MockProvider provider(Options(kSecret));
  WebhookRequest no_signature = Signed(kTimestamp, kSignature);
  no_signature.headers.erase("x-mock-signature");
  EXPECT_THAT(provider.VerifyWebhookSignature(no_signature, kT0),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("missing x-mock-signature")));
  WebhookRequest no_timestamp = Signed(kTimestamp, kSignature);
  no_timestamp.headers.erase("x-mock-timestamp");
  EXPECT_THAT(provider.VerifyWebhookSignature(no_timestamp, kT0),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("missing x-mock-timestamp")));
  EXPECT_THAT(provider.VerifyWebhookSignature(WebhookRequest{}, kT0),
              StatusIs(absl::StatusCode::kUnauthenticated, _));
}

TEST_F(MockProviderTest, RejectsGarbledSignatures) {
  MockProvider provider(Options(kSecret));
  const std::string good = kSignature;
  std::string flipped = good;
  flipped[63] = flipped[63] == '0' ? '1' : '0';
  for (const std::string& bad :
       {std::string(""), good.substr(0, 63), good.substr(0, 32), good + "0",
        absl::AsciiStrToUpper(good), "sha256=" + good, " " + good,
        good.substr(0, 62) + "zz", std::string(64, '0'), flipped}) {
    EXPECT_THAT(provider.VerifyWebhookSignature(Signed(kTimestamp, bad), kT0),
                StatusIs(absl::StatusCode::kUnauthenticated,
                         AnyOf(HasSubstr("x-mock-signature is not"),
                               HasSubstr("signature mismatch"))))
        << bad;
  }
}

TEST_F(MockProviderTest, RejectsGarbledTimestamps) {
  MockProvider provider(Options(kSecret));
  for (const char* bad :
       {"", "-5", "+1700000000", " 1700000000", "1700000000 ", "1700000000.0",
        "17e8", "0x65536B00", "1700000000000000000000", "abc"}) {
    EXPECT_THAT(provider.VerifyWebhookSignature(Signed(bad, kSignature), kT0),
                StatusIs(absl::StatusCode::kUnauthenticated,
                         HasSubstr("x-mock-timestamp")))
        << bad;
  }
}

TEST_F(MockProviderTest, NoSecretIsFailedPrecondition) {
  MockProvider provider(Options(std::nullopt));
  EXPECT_THAT(
      provider.VerifyWebhookSignature(Signed(kTimestamp, kSignature), kT0),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("MOCK_WEBHOOK_SECRET")));
  MockProvider empty(Options(""));
  EXPECT_THAT(empty.VerifyWebhookSignature(Signed(kTimestamp, kSignature), kT0),
              StatusIs(absl::StatusCode::kFailedPrecondition, _));
}

TEST(MockProviderFactoryTest, ReadsWebhookSecretSetting) {
  ProviderFactory factory = MakeMockProviderFactory();
  std::vector<std::string> asked;
  SettingsLookup settings =
      [&asked](absl::string_view name) -> std::optional<std::string> {
    asked.emplace_back(name);
    if (name == "MOCK_WEBHOOK_SECRET") return std::string(kSecret);
    return std::nullopt;
  };
  absl::StatusOr<std::unique_ptr<VideoPlatform>> provider =
      factory.create(settings);
  ASSERT_THAT(provider, IsOk());
  EXPECT_THAT(asked, ElementsAre("MOCK_WEBHOOK_SECRET"));
  EXPECT_THAT(
      (*provider)->VerifyWebhookSignature(Signed(kTimestamp, kSignature), kT0),
      IsOk());
}

// --- Webhook parsing ---

TEST(MockWebhookParseTest, ParsesEachType) {
  MockProvider provider{MockProvider::Options{}};
  absl::StatusOr<ParsedWebhook> joined = provider.ParseWebhook(
      R"({"id":"e1","type":"participant.joined","time":"2025-01-18T12:00:00Z",
          "meeting_id":"mock-1","room_name":"/r-1","participant_id":"p1",
          "user_name":"Zo\u00eb"})");
  ASSERT_THAT(joined, IsOk());
  EXPECT_EQ(joined->event.type(), v1::EVENT_TYPE_PARTICIPANT_JOINED);
  EXPECT_EQ(joined->event.platform(), "mock");
  EXPECT_EQ(joined->event.provider_event_id(), "e1");
  EXPECT_EQ(joined->event.provider_meeting_id(), "mock-1");
  EXPECT_EQ(joined->event.room_name(), "/r-1");
  EXPECT_EQ(joined->event.event_time().seconds(), 1737201600);
  EXPECT_EQ(joined->event.participant().participant_id(), "p1");
  EXPECT_EQ(joined->event.participant().user_name(), "Zo\xc3\xab");
  EXPECT_FALSE(joined->num_clients.has_value());

  absl::StatusOr<ParsedWebhook> counted = provider.ParseWebhook(
      R"({"id":"e2","type":"participant.left","meeting_id":"mock-1",
          "num_clients":3})");
  ASSERT_THAT(counted, IsOk());
  EXPECT_EQ(counted->event.type(), v1::EVENT_TYPE_PARTICIPANT_LEFT);
  EXPECT_EQ(counted->num_clients, 3);
  EXPECT_FALSE(counted->event.has_event_time());

  const std::pair<const char*, v1::EventType> kTypes[] = {
      {"meeting.started", v1::EVENT_TYPE_MEETING_STARTED},
      {"meeting.ended", v1::EVENT_TYPE_MEETING_ENDED},
      {"recording.started", v1::EVENT_TYPE_RECORDING_STARTED},
      {"recording.ready", v1::EVENT_TYPE_RECORDING_READY},
      {"recording.failed", v1::EVENT_TYPE_RECORDING_FAILED},
      {"room.knocked", v1::EVENT_TYPE_UNSPECIFIED},
  };
  for (const auto& [type, expected] : kTypes) {
    absl::StatusOr<ParsedWebhook> parsed = provider.ParseWebhook(
        absl::StrCat(R"({"id":"e","type":")", type,
                     R"(","meeting_id":"mock-1","s3_key":"k","error":"x"})"));
    ASSERT_THAT(parsed, IsOk()) << type;
    EXPECT_EQ(parsed->event.type(), expected) << type;
    EXPECT_EQ(parsed->ignore_reason.empty(),
              expected != v1::EVENT_TYPE_UNSPECIFIED);
  }
}

TEST(MockWebhookParseTest, RejectsMalformedBodies) {
  MockProvider provider{MockProvider::Options{}};
  const std::pair<const char*, const char*> kCases[] = {
      {"nope", "not valid JSON"},
      {"[]", "not a JSON object"},
      {R"({"type":"meeting.started"})", "id: is required"},
      {R"({"id":"e","type":5})", "type: must be a string"},
      {R"({"id":"e","type":"meeting.started","time":"noon"})", "time:"},
      {R"({"id":"e","type":"participant.joined"})",
       "participant_id: is required"},
      {R"({"id":"e","type":"participant.joined","num_clients":-1})",
       "num_clients: must be in"},
      {R"({"id":"e","type":"meeting.ended","meeting_id":1})",
       "meeting_id: must be a string"},
  };
  for (const auto& [body, message] : kCases) {
    EXPECT_THAT(
        provider.ParseWebhook(body),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(StartsWith("mock webhook: "), HasSubstr(message))))
        << body;
  }
}

}  // namespace
}  // namespace videoplatform::providers
