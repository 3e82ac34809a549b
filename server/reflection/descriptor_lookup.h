// The lookups behind server reflection, answered from a DescriptorPool the
// way gRPC's ProtoServerReflection (1.51) answers them, independent of the
// protocol version that carries them.
#ifndef VIDEOPLATFORM_SERVER_REFLECTION_DESCRIPTOR_LOOKUP_H_
#define VIDEOPLATFORM_SERVER_REFLECTION_DESCRIPTOR_LOOKUP_H_

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace videoplatform::server::reflection {

// Thread-safe (DescriptorPool lookups are). Does not own the pool, which
// must outlive this object.
//
// The File* lookups return serialized FileDescriptorProtos: the file found,
// then its transitive dependencies depth-first in import order, each file
// once per call. Lookup failures are NOT_FOUND with gRPC's exact messages
// ("File not found.", "Symbol not found.", "Type not found.", "Extension not
// found."), which reflection clients show to users.
class DescriptorLookup {
 public:
  explicit DescriptorLookup(const google::protobuf::DescriptorPool* pool);

  // A file by its name as imported, e.g. "google/protobuf/timestamp.proto".
  absl::StatusOr<std::vector<std::string>> FileByFilename(
      absl::string_view filename) const;

  // The file declaring a fully-qualified symbol: a message, enum, enum
  // value, field, extension, service or method (no leading dot).
  absl::StatusOr<std::vector<std::string>> FileContainingSymbol(
      absl::string_view symbol) const;

  // The file declaring extension `number` of message `containing_type`.
  absl::StatusOr<std::vector<std::string>> FileContainingExtension(
      absl::string_view containing_type, int32_t number) const;

  struct ExtensionNumbers {
    std::string base_type_name;
    std::vector<int32_t> numbers;  // In no particular order.
  };
  // Every extension number of message `type` known to the pool.
  absl::StatusOr<ExtensionNumbers> AllExtensionNumbersOfType(
      absl::string_view type) const;

 private:
  const google::protobuf::DescriptorPool* pool_;
};

}  // namespace videoplatform::server::reflection

#endif  // VIDEOPLATFORM_SERVER_REFLECTION_DESCRIPTOR_LOOKUP_H_
