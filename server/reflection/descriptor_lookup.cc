#include "server/reflection/descriptor_lookup.h"

#include <google/protobuf/descriptor.pb.h>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"

namespace videoplatform::server::reflection {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;

// `file` and then each dependency's closure in import order, skipping files
// already in `seen` (pre-order, as gRPC's FillFileDescriptorResponse).
void AppendWithDependencies(const FileDescriptor* file,
                            absl::flat_hash_set<const FileDescriptor*>& seen,
                            std::vector<std::string>& out) {
  if (!seen.insert(file).second) return;
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  out.push_back(proto.SerializeAsString());
  for (int i = 0; i < file->dependency_count(); ++i) {
    AppendWithDependencies(file->dependency(i), seen, out);
  }
}

std::vector<std::string> WithDependencies(const FileDescriptor* file) {
  absl::flat_hash_set<const FileDescriptor*> seen;
  std::vector<std::string> out;
  AppendWithDependencies(file, seen, out);
  return out;
}

}  // namespace

DescriptorLookup::DescriptorLookup(const google::protobuf::DescriptorPool* pool)
    : pool_(pool) {}

absl::StatusOr<std::vector<std::string>> DescriptorLookup::FileByFilename(
    absl::string_view filename) const {
  const FileDescriptor* file = pool_->FindFileByName(std::string(filename));
  if (file == nullptr) return absl::NotFoundError("File not found.");
  return WithDependencies(file);
}

absl::StatusOr<std::vector<std::string>> DescriptorLookup::FileContainingSymbol(
    absl::string_view symbol) const {
  const FileDescriptor* file =
      pool_->FindFileContainingSymbol(std::string(symbol));
  if (file == nullptr) return absl::NotFoundError("Symbol not found.");
  return WithDependencies(file);
}

absl::StatusOr<std::vector<std::string>>
DescriptorLookup::FileContainingExtension(absl::string_view containing_type,
                                          int32_t number) const {
  const Descriptor* type =
      pool_->FindMessageTypeByName(std::string(containing_type));
  if (type == nullptr) return absl::NotFoundError("Type not found.");
  const FieldDescriptor* extension = pool_->FindExtensionByNumber(type, number);
  if (extension == nullptr) return absl::NotFoundError("Extension not found.");
  return WithDependencies(extension->file());
}

absl::StatusOr<DescriptorLookup::ExtensionNumbers>
DescriptorLookup::AllExtensionNumbersOfType(absl::string_view type) const {
  const Descriptor* descriptor =
      pool_->FindMessageTypeByName(std::string(type));
  if (descriptor == nullptr) return absl::NotFoundError("Type not found.");
  std::vector<const FieldDescriptor*> extensions;
  pool_->FindAllExtensions(descriptor, &extensions);
  ExtensionNumbers result;
  result.base_type_name = descriptor->full_name();
  result.numbers.reserve(extensions.size());
  for (const FieldDescriptor* extension : extensions) {
    result.numbers.push_back(extension->number());
  }
  return result;
}

}  // namespace videoplatform::server::reflection
