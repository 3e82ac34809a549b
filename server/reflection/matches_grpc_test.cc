// AuthenticatedReflection answers as gRPC's own reflection (1.51) does: the
// same v1alpha requests go to a server process with each, and the answers
// must be byte-for-byte equal. (Both cannot live in one process: their
// v1alpha messages clash.)
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/reflection/reflection_client.h"

namespace videoplatform::server::reflection {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAreArray;
using testing::V1alpha;
using Request = V1alpha::Request;
using Response = V1alpha::Response;

// A test server binary (see test_server.h) as a child process.
class ServerProcess {
 public:
  explicit ServerProcess(const std::string& name) {
    const std::string path = absl::StrCat(
        std::getenv("TEST_SRCDIR"), "/videoplatform/server/reflection/", name);
    int to_child[2], from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe failed";
      return;
    }
    pid_ = fork();
    if (pid_ == 0) {
      dup2(to_child[0], STDIN_FILENO);
      dup2(from_child[1], STDOUT_FILENO);
      execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    stdin_ = to_child[1];
    port_ = ReadPort(from_child[0]);
    close(from_child[0]);
    EXPECT_GT(port_, 0) << name << " did not start";
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                   grpc::InsecureChannelCredentials());
  }

  // Closes the server's stdin and expects a clean exit (also no leaks under
  // --config=asan).
  ~ServerProcess() {
    channel_.reset();
    if (stdin_ >= 0) close(stdin_);
    if (pid_ <= 0) return;
    int status = 0;
    waitpid(pid_, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "wait status " << status;
  }

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  // The port line, or 0 if the child exits or stays silent for 30 s.
  static int ReadPort(int fd) {
    std::string line;
    char c;
    pollfd poll_fd = {fd, POLLIN, 0};
    while (poll(&poll_fd, 1, 30000) == 1 && read(fd, &c, 1) == 1) {
      if (c == '\n') break;
      line.push_back(c);
    }
    int port = 0;
    return absl::SimpleAtoi(line, &port) ? port : 0;
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

// One request per stream, so gRPC 1.51's reuse of the response message
// across a stream's requests does not show (AuthenticatedReflection answers
// each request on its own; see authenticated_reflection_test).
Response Ask(const ServerProcess& server, const Request& request) {
  auto exchange = testing::Run<V1alpha>(server.channel(), {request});
  EXPECT_TRUE(exchange.status.ok()) << exchange.status.error_message();
  EXPECT_THAT(exchange.responses, SizeIs(1));
  return exchange.responses.empty() ? Response() : exchange.responses[0];
}

std::vector<Request> Requests() {
  std::vector<Request> requests;
  for (const char* symbol : {
           "videoplatform.v1.VideoPlatformService",
           "videoplatform.v1.VideoPlatformService.CreateMeeting",
           "videoplatform.v1.Meeting",
           "grpc.health.v1.Health",
           "grpc.health.v1.HealthCheckResponse.SERVING",
           "google.protobuf.Timestamp",
           "google.protobuf.Timestamp.seconds",
           "google.protobuf.FieldOptions",
           "videoplatform.v1",
           ".videoplatform.v1.Meeting",
           "videoplatform.v1.NoSuchService",
           "",
       }) {
    requests.push_back(testing::FileContainingSymbol<V1alpha>(symbol));
  }
  for (const char* file : {
           "videoplatform/v1/videoplatform.proto",
           "grpc/health/v1/health.proto",
           "google/protobuf/timestamp.proto",
           "google/protobuf/descriptor.proto",
           "no/such.proto",
           "",
       }) {
    requests.push_back(testing::FileByFilename<V1alpha>(file));
  }
  for (const char* type : {"google.protobuf.FieldOptions",
                           "videoplatform.v1.Meeting", "no.Such", ""}) {
    requests.push_back(testing::AllExtensionNumbersOfType<V1alpha>(type));
    requests.push_back(testing::FileContainingExtension<V1alpha>(type, 1));
    requests.push_back(testing::FileContainingExtension<V1alpha>(type, 50000));
  }
  requests.push_back(Request());  // No request set.
  for (Request& request : std::vector<Request>(requests)) {
    request.set_host("reflection.example");
    requests.push_back(request);
  }
  return requests;
}

class MatchesGrpcTest : public ::testing::Test {
 protected:
  ServerProcess ours_{"reflection_test_server"};
  ServerProcess grpc_{"grpc_reflection_test_server"};
};

TEST_F(MatchesGrpcTest, SameAnswers) {
  for (const Request& request : Requests()) {
    const Response expected = Ask(grpc_, request);
    const Response actual = Ask(ours_, request);
    EXPECT_EQ(actual.SerializeAsString(), expected.SerializeAsString())
        << "request: " << request.ShortDebugString()
        << "\n ours: " << actual.ShortDebugString().substr(0, 500)
        << "\n gRPC: " << expected.ShortDebugString().substr(0, 500);
  }
}

TEST_F(MatchesGrpcTest, SameServicesBesidesReflectionV1) {
  // gRPC 1.51 serves (and lists) only v1alpha.
  std::vector<std::string> expected =
      testing::ServiceNames(Ask(grpc_, testing::ListServices<V1alpha>()));
  expected.push_back("grpc.reflection.v1.ServerReflection");
  EXPECT_THAT(
      testing::ServiceNames(Ask(ours_, testing::ListServices<V1alpha>())),
      UnorderedElementsAreArray(expected));
}

TEST_F(MatchesGrpcTest, GrpcServesNoV1) {
  // So clients such as buf curl fall back to v1alpha there; ours has both.
  auto exchange = testing::Run<testing::V1>(
      grpc_.channel(), {testing::ListServices<testing::V1>()});
  EXPECT_EQ(exchange.status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(exchange.responses, IsEmpty());
}

}  // namespace
}  // namespace videoplatform::server::reflection
