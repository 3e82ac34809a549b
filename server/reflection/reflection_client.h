// Test-only client for server reflection: both protocol versions behind one
// interface, so a test runs unchanged against v1 and v1alpha.
#ifndef VIDEOPLATFORM_SERVER_REFLECTION_REFLECTION_CLIENT_H_
#define VIDEOPLATFORM_SERVER_REFLECTION_REFLECTION_CLIENT_H_

#include <google/protobuf/descriptor.pb.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace videoplatform::server::reflection::testing {

// One protocol version: its stub and messages.
template <typename ServiceT, typename RequestT, typename ResponseT>
struct Protocol {
  using Service = ServiceT;
  using Request = RequestT;
  using Response = ResponseT;
};
using V1 = Protocol<grpc::reflection::v1::ServerReflection,
                    grpc::reflection::v1::ServerReflectionRequest,
                    grpc::reflection::v1::ServerReflectionResponse>;
using V1alpha = Protocol<grpc::reflection::v1alpha::ServerReflection,
                         grpc::reflection::v1alpha::ServerReflectionRequest,
                         grpc::reflection::v1alpha::ServerReflectionResponse>;

template <typename P>
struct Exchange {
  std::vector<typename P::Response> responses;
  grpc::Status status;
};

// Sends `requests` on one ServerReflectionInfo stream (with a 20 s deadline
// and, when not empty, `authorization: Bearer <token>`), then reads every
// response until the server ends the stream.
template <typename P>
Exchange<P> Run(const std::shared_ptr<grpc::Channel>& channel,
                const std::vector<typename P::Request>& requests,
                const std::string& token = "") {
  auto stub = P::Service::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  auto stream = stub->ServerReflectionInfo(&context);
  for (const auto& request : requests) {
    if (!stream->Write(request)) break;  // The server ended the stream.
  }
  stream->WritesDone();
  Exchange<P> exchange;
  typename P::Response response;
  while (stream->Read(&response)) exchange.responses.push_back(response);
  exchange.status = stream->Finish();
  return exchange;
}

// Requests by kind.
template <typename P>
typename P::Request ListServices() {
  typename P::Request request;
  request.set_list_services("");
  return request;
}
template <typename P>
typename P::Request FileContainingSymbol(const std::string& symbol) {
  typename P::Request request;
  request.set_file_containing_symbol(symbol);
  return request;
}
template <typename P>
typename P::Request FileByFilename(const std::string& filename) {
  typename P::Request request;
  request.set_file_by_filename(filename);
  return request;
}
template <typename P>
typename P::Request FileContainingExtension(const std::string& type,
                                            int number) {
  typename P::Request request;
  request.mutable_file_containing_extension()->set_containing_type(type);
  request.mutable_file_containing_extension()->set_extension_number(number);
  return request;
}
template <typename P>
typename P::Request AllExtensionNumbersOfType(const std::string& type) {
  typename P::Request request;
  request.set_all_extension_numbers_of_type(type);
  return request;
}

// The files of a file_descriptor_response, parsed (a file that does not
// parse comes back empty, so comparisons fail).
template <typename Response>
std::vector<google::protobuf::FileDescriptorProto> Files(
    const Response& response) {
  std::vector<google::protobuf::FileDescriptorProto> files;
  for (const std::string& bytes :
       response.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    if (!file.ParseFromString(bytes)) file.Clear();
    files.push_back(std::move(file));
  }
  return files;
}

template <typename Response>
std::vector<std::string> FileNames(const Response& response) {
  std::vector<std::string> names;
  for (const auto& file : Files(response)) names.push_back(file.name());
  return names;
}

template <typename Response>
std::vector<std::string> ServiceNames(const Response& response) {
  std::vector<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.push_back(service.name());
  }
  return names;
}

}  // namespace videoplatform::server::reflection::testing

#endif  // VIDEOPLATFORM_SERVER_REFLECTION_REFLECTION_CLIENT_H_
