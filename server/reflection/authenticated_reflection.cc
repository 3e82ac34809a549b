#include "server/reflection/authenticated_reflection.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>
#include <grpcpp/support/sync_stream.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace videoplatform::server::reflection {
namespace {

// Absl and gRPC number their canonical codes alike.
grpc::Status ToGrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

std::vector<std::string> WithReflectionServices(
    std::vector<std::string> services) {
  services.push_back(
      grpc::reflection::v1::ServerReflection::service_full_name());
  services.push_back(
      grpc::reflection::v1alpha::ServerReflection::service_full_name());
  absl::flat_hash_set<std::string> seen;
  std::vector<std::string> unique;
  for (std::string& name : services) {
    if (seen.insert(name).second) unique.push_back(std::move(name));
  }
  return unique;
}

// One protocol version of the service. v1 and v1alpha have the same messages
// in different packages, so one template serves both.
template <typename Base, typename Request, typename Response>
class ReflectionService final : public Base {
 public:
  ReflectionService(const BearerAuth& auth, const DescriptorLookup& lookup,
                    const std::vector<std::string>& services)
      : auth_(auth), lookup_(lookup), services_(services) {}

  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<Response, Request>* stream) override {
    if (absl::Status status = auth_.Check(*context); !status.ok()) {
      return ToGrpcStatus(status);
    }
    Request request;
    while (stream->Read(&request)) {
      Response response;
      Answer(request, response);
      // As gRPC: a failed write means the stream is gone; the next Read
      // fails too.
      stream->Write(response);
    }
    return grpc::Status::OK;
  }

 private:
  void Answer(const Request& request, Response& response) const {
    absl::Status status;
    switch (request.message_request_case()) {
      case Request::kFileByFilename:
        status = SetFiles(lookup_.FileByFilename(request.file_by_filename()),
                          response);
        break;
      case Request::kFileContainingSymbol:
        status = SetFiles(
            lookup_.FileContainingSymbol(request.file_containing_symbol()),
            response);
        break;
      case Request::kFileContainingExtension:
        status = SetFiles(
            lookup_.FileContainingExtension(
                request.file_containing_extension().containing_type(),
                request.file_containing_extension().extension_number()),
            response);
        break;
      case Request::kAllExtensionNumbersOfType: {
        auto numbers = lookup_.AllExtensionNumbersOfType(
            request.all_extension_numbers_of_type());
        status = numbers.status();
        if (numbers.ok()) {
          auto* out = response.mutable_all_extension_numbers_response();
          out->set_base_type_name(numbers->base_type_name);
          for (int32_t number : numbers->numbers) {
            out->add_extension_number(number);
          }
        }
        break;
      }
      case Request::kListServices: {
        auto* out = response.mutable_list_services_response();
        for (const std::string& name : services_) {
          out->add_service()->set_name(name);
        }
        break;
      }
      default:  // MESSAGE_REQUEST_NOT_SET, or a newer kind: as gRPC.
        status = absl::UnimplementedError("");
        break;
    }
    if (!status.ok()) {
      response.mutable_error_response()->set_error_code(
          static_cast<int>(status.code()));
      response.mutable_error_response()->set_error_message(
          std::string(status.message()));
    }
    response.set_valid_host(request.host());
    *response.mutable_original_request() = request;
  }

  static absl::Status SetFiles(absl::StatusOr<std::vector<std::string>> files,
                               Response& response) {
    if (!files.ok()) return files.status();
    auto* out = response.mutable_file_descriptor_response();
    for (std::string& file : *files) {
      out->add_file_descriptor_proto(std::move(file));
    }
    return absl::OkStatus();
  }

  const BearerAuth& auth_;
  const DescriptorLookup& lookup_;
  const std::vector<std::string>& services_;
};

namespace v1 = grpc::reflection::v1;
namespace v1alpha = grpc::reflection::v1alpha;

using V1Service = ReflectionService<v1::ServerReflection::Service,
                                    v1::ServerReflectionRequest,
                                    v1::ServerReflectionResponse>;
using V1alphaService = ReflectionService<v1alpha::ServerReflection::Service,
                                         v1alpha::ServerReflectionRequest,
                                         v1alpha::ServerReflectionResponse>;

}  // namespace

AuthenticatedReflection::AuthenticatedReflection(
    const BearerAuth& auth, std::vector<std::string> services)
    : services_(WithReflectionServices(std::move(services))),
      lookup_(google::protobuf::DescriptorPool::generated_pool()),
      v1_(std::make_unique<V1Service>(auth, lookup_, services_)),
      v1alpha_(std::make_unique<V1alphaService>(auth, lookup_, services_)) {}

AuthenticatedReflection::~AuthenticatedReflection() = default;

}  // namespace videoplatform::server::reflection
