#include "server/reflection/authenticated_reflection.h"

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "server/reflection/reflection_client.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::server::reflection {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using testing::FileByFilename;
using testing::FileContainingSymbol;
using testing::FileNames;
using testing::Files;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ListServices;
using ::testing::Not;
using testing::Run;
using testing::ServiceNames;
using ::testing::SizeIs;

constexpr char kApiService[] = "videoplatform.v1.VideoPlatformService";
constexpr char kApiFile[] = "videoplatform/v1/videoplatform.proto";
constexpr char kTimestampFile[] = "google/protobuf/timestamp.proto";
constexpr int kNotFound = static_cast<int>(grpc::StatusCode::NOT_FOUND);

// A real server on 127.0.0.1:0 with the API service (unimplemented) and
// reflection, and a channel to it.
class TestServer {
 public:
  explicit TestServer(const std::string& token)
      : auth_(token),
        reflection_(auth_, {v1::VideoPlatformService::service_full_name()}) {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&api_);
    builder.RegisterService(reflection_.v1());
    builder.RegisterService(reflection_.v1alpha());
    server_ = builder.BuildAndStart();
    EXPECT_NE(port, 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
  }
  ~TestServer() { server_->Shutdown(); }

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  BearerAuth auth_;
  v1::VideoPlatformService::Service api_;
  AuthenticatedReflection reflection_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

template <typename P>
class AuthenticatedReflectionTest : public ::testing::Test {
 protected:
  using Request = typename P::Request;
  using Response = typename P::Response;
};

using Protocols = ::testing::Types<testing::V1, testing::V1alpha>;
TYPED_TEST_SUITE(AuthenticatedReflectionTest, Protocols);

TYPED_TEST(AuthenticatedReflectionTest, ListsServicesAndEchoesTheRequest) {
  TestServer server("");
  auto request = ListServices<TypeParam>();
  request.set_host("example.test");
  const auto exchange = Run<TypeParam>(server.channel(), {request});
  ASSERT_TRUE(exchange.status.ok()) << exchange.status.error_message();
  ASSERT_THAT(exchange.responses, SizeIs(1));
  const auto& response = exchange.responses[0];
  EXPECT_THAT(ServiceNames(response),
              ElementsAre(kApiService, "grpc.reflection.v1.ServerReflection",
                          "grpc.reflection.v1alpha.ServerReflection"));
  EXPECT_EQ(response.valid_host(), "example.test");
  EXPECT_EQ(response.original_request().SerializeAsString(),
            request.SerializeAsString());
}

TYPED_TEST(AuthenticatedReflectionTest, FileContainingSymbolSendsImports) {
  TestServer server("");
  const auto exchange = Run<TypeParam>(
      server.channel(), {FileContainingSymbol<TypeParam>(kApiService)});
  ASSERT_TRUE(exchange.status.ok()) << exchange.status.error_message();
  ASSERT_THAT(exchange.responses, SizeIs(1));
  const auto files = Files(exchange.responses[0]);
  ASSERT_THAT(files, Not(IsEmpty()));
  EXPECT_EQ(files[0].name(), kApiFile);
  EXPECT_EQ(files[0].package(), "videoplatform.v1");
  ASSERT_THAT(files[0].service(), SizeIs(1));
  EXPECT_EQ(files[0].service(0).name(), "VideoPlatformService");
  EXPECT_THAT(files[0].dependency(), Contains(kTimestampFile));
  // Every import is sent, once.
  const auto names = FileNames(exchange.responses[0]);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(),
            names.size());
  for (const std::string& dependency : files[0].dependency()) {
    EXPECT_THAT(names, Contains(dependency));
  }
  // The files rebuild the service's descriptors in a fresh pool.
  google::protobuf::DescriptorPool pool;
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    ASSERT_NE(pool.BuildFile(*it), nullptr) << it->name();
  }
  EXPECT_NE(pool.FindMethodByName(absl::StrCat(kApiService, ".CreateMeeting")),
            nullptr);
}

TYPED_TEST(AuthenticatedReflectionTest, FileByFilenameMatchesSymbolLookup) {
  TestServer server("");
  const auto exchange = Run<TypeParam>(
      server.channel(),
      {FileByFilename<TypeParam>(kApiFile),
       FileContainingSymbol<TypeParam>("videoplatform.v1.Meeting")});
  ASSERT_TRUE(exchange.status.ok()) << exchange.status.error_message();
  ASSERT_THAT(exchange.responses, SizeIs(2));
  EXPECT_EQ(FileNames(exchange.responses[0])[0], kApiFile);
  EXPECT_THAT(FileNames(exchange.responses[0]), Contains(kTimestampFile));
  EXPECT_EQ(
      exchange.responses[0].file_descriptor_response().SerializeAsString(),
      exchange.responses[1].file_descriptor_response().SerializeAsString());
}

TYPED_TEST(AuthenticatedReflectionTest, EachResponseIsComplete) {
  // gRPC 1.51 would repeat the files in the second answer; each answer here
  // stands alone.
  TestServer server("");
  const auto request = FileByFilename<TypeParam>(kTimestampFile);
  const auto exchange =
      Run<TypeParam>(server.channel(), {request, request, request});
  ASSERT_TRUE(exchange.status.ok()) << exchange.status.error_message();
  ASSERT_THAT(exchange.responses, SizeIs(3));
  for (const auto& response : exchange.responses) {
    EXPECT_THAT(FileNames(response), ElementsAre(kTimestampFile));
  }
}

TYPED_TEST(AuthenticatedReflectionTest, DescribesItself) {
  TestServer server("");
  const auto exchange = Run<TypeParam>(
      server.channel(),
      {FileContainingSymbol<TypeParam>(
           "grpc.reflection.v1.ServerReflection.ServerReflectionInfo"),
       FileContainingSymbol<TypeParam>(
           "grpc.reflection.v1alpha.ServerReflection")});
  ASSERT_TRUE(exchange.status.ok()) << exchange.status.error_message();
  ASSERT_THAT(exchange.responses, SizeIs(2));
  EXPECT_THAT(FileNames(exchange.responses[0]),
              ElementsAre("grpc/reflection/v1/reflection.proto"));
  EXPECT_THAT(FileNames(exchange.responses[1]),
              ElementsAre("grpc/reflection/v1alpha/reflection.proto"));
}

TYPED_TEST(AuthenticatedReflectionTest, UnknownNamesAreNotFoundInTheStream) {
  TestServer server("");
  const auto exchange = Run<TypeParam>(
      server.channel(),
      {FileContainingSymbol<TypeParam>("videoplatform.v1.NoSuchService"),
       FileByFilename<TypeParam>("no/such.proto"),
       testing::FileContainingExtension<TypeParam>("no.Such", 1),
       testing::AllExtensionNumbersOfType<TypeParam>("no.Such"),
       ListServices<TypeParam>()});
  // Errors are answers; the stream goes on and ends OK.
  ASSERT_TRUE(exchange.status.ok()) << exchange.status.error_message();
  ASSERT_THAT(exchange.responses, SizeIs(5));
  const char* const messages[] = {"Symbol not found.", "File not found.",
                                  "Type not found.", "Type not found."};
  for (int i = 0; i < 4; ++i) {
    const auto& response = exchange.responses[i];
    ASSERT_TRUE(response.has_error_response()) << i;
    EXPECT_EQ(response.error_response().error_code(), kNotFound);
    EXPECT_EQ(response.error_response().error_message(), messages[i]);
  }
  EXPECT_TRUE(exchange.responses[4].has_list_services_response());
}

TYPED_TEST(AuthenticatedReflectionTest, ExtensionsOfAMessageWithout) {
  TestServer server("");
  const auto exchange = Run<TypeParam>(
      server.channel(), {testing::AllExtensionNumbersOfType<TypeParam>(
                             "videoplatform.v1.Meeting"),
                         testing::FileContainingExtension<TypeParam>(
                             "videoplatform.v1.Meeting", 1)});
  ASSERT_TRUE(exchange.status.ok()) << exchange.status.error_message();
  ASSERT_THAT(exchange.responses, SizeIs(2));
  const auto& numbers = exchange.responses[0].all_extension_numbers_response();
  EXPECT_EQ(numbers.base_type_name(), "videoplatform.v1.Meeting");
  EXPECT_THAT(numbers.extension_number(), IsEmpty());
  EXPECT_EQ(exchange.responses[1].error_response().error_code(), kNotFound);
  EXPECT_EQ(exchange.responses[1].error_response().error_message(),
            "Extension not found.");
}

TYPED_TEST(AuthenticatedReflectionTest, EmptyRequestIsUnimplemented) {
  TestServer server("");
  typename TypeParam::Request request;
  request.set_host("h");
  const auto exchange = Run<TypeParam>(server.channel(), {request});
  ASSERT_TRUE(exchange.status.ok()) << exchange.status.error_message();
  ASSERT_THAT(exchange.responses, SizeIs(1));
  EXPECT_EQ(exchange.responses[0].error_response().error_code(),
            static_cast<int>(grpc::StatusCode::UNIMPLEMENTED));
  EXPECT_EQ(exchange.responses[0].error_response().error_message(), "");
  EXPECT_EQ(exchange.responses[0].valid_host(), "h");
}

TYPED_TEST(AuthenticatedReflectionTest, RequiresTheTokenWhenConfigured) {
  TestServer server("s3cret");
  const std::vector<typename TypeParam::Request> requests = {
      ListServices<TypeParam>(), FileContainingSymbol<TypeParam>(kApiService)};
  for (const std::string token : {"", "wrong", "s3cret-but-longer"}) {
    const auto exchange = Run<TypeParam>(server.channel(), requests, token);
    EXPECT_EQ(exchange.status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << "token: " << token;
    EXPECT_THAT(exchange.responses, IsEmpty()) << "token: " << token;
    EXPECT_THAT(exchange.status.error_message(),
                Not(HasSubstr(token.empty() ? "s3cret" : token)));
  }
  const auto exchange = Run<TypeParam>(server.channel(), requests, "s3cret");
  ASSERT_TRUE(exchange.status.ok()) << exchange.status.error_message();
  ASSERT_THAT(exchange.responses, SizeIs(2));
  EXPECT_THAT(ServiceNames(exchange.responses[0]), Contains(kApiService));
  EXPECT_EQ(FileNames(exchange.responses[1])[0], kApiFile);
}

TYPED_TEST(AuthenticatedReflectionTest, ServesConcurrentStreams) {
  TestServer server("s3cret");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      const auto exchange = Run<TypeParam>(
          server.channel(),
          {FileContainingSymbol<TypeParam>(kApiService),
           ListServices<TypeParam>(), FileByFilename<TypeParam>(kApiFile)},
          "s3cret");
      if (exchange.status.ok() && exchange.responses.size() == 3 &&
          !exchange.responses[0].has_error_response()) {
        ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok, 8);
}

TEST(AuthenticatedReflectionServicesTest, DropsDuplicateNames) {
  const BearerAuth auth("");
  const AuthenticatedReflection reflection(
      auth, {"a.A", "b.B", "a.A", "grpc.reflection.v1.ServerReflection"});
  EXPECT_THAT(reflection.services(),
              ElementsAre("a.A", "b.B", "grpc.reflection.v1.ServerReflection",
                          "grpc.reflection.v1alpha.ServerReflection"));
}

}  // namespace
}  // namespace videoplatform::server::reflection
