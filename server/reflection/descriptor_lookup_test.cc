#include "server/reflection/descriptor_lookup.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "server/common/status_matchers.h"

namespace videoplatform::server::reflection {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

// base.proto <- ext.proto (extends t.Extendable) <- top.proto (imports
// both: a diamond, so base.proto must be sent once).
constexpr const char* kFiles[] = {
    R"pb(
      name: "base.proto"
      package: "t"
      message_type {
        name: "Extendable"
        extension_range { start: 100 end: 200 }
      }
      message_type { name: "Other" }
    )pb",
    R"pb(
      name: "ext.proto"
      package: "t"
      dependency: "base.proto"
      extension {
        name: "a"
        number: 100
        label: LABEL_OPTIONAL
        type: TYPE_INT32
        extendee: ".t.Extendable"
      }
      extension {
        name: "b"
        number: 150
        label: LABEL_OPTIONAL
        type: TYPE_STRING
        extendee: ".t.Extendable"
      }
    )pb",
    R"pb(
      name: "top.proto"
      package: "t"
      dependency: "ext.proto"
      dependency: "base.proto"
      message_type {
        name: "Top"
        field {
          name: "other"
          number: 1
          label: LABEL_OPTIONAL
          type: TYPE_MESSAGE
          type_name: ".t.Other"
        }
      }
      service {
        name: "S"
        method { name: "M" input_type: ".t.Top" output_type: ".t.Top" }
      }
    )pb",
};

class DescriptorLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* text : kFiles) {
      google::protobuf::FileDescriptorProto file;
      ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &file));
      ASSERT_NE(pool_.BuildFile(file), nullptr) << file.name();
    }
  }

  // The file names in a lookup's answer, checking each parses.
  static std::vector<std::string> Names(
      const absl::StatusOr<std::vector<std::string>>& files) {
    std::vector<std::string> names;
    if (!files.ok()) return names;
    for (const std::string& bytes : *files) {
      google::protobuf::FileDescriptorProto file;
      EXPECT_TRUE(file.ParseFromString(bytes));
      names.push_back(file.name());
    }
    return names;
  }

  google::protobuf::DescriptorPool pool_;
  DescriptorLookup lookup_{&pool_};
};

TEST_F(DescriptorLookupTest, FileByFilenameSendsDependenciesOncePreOrder) {
  EXPECT_THAT(Names(lookup_.FileByFilename("top.proto")),
              ElementsAre("top.proto", "ext.proto", "base.proto"));
  EXPECT_THAT(Names(lookup_.FileByFilename("base.proto")),
              ElementsAre("base.proto"));
}

TEST_F(DescriptorLookupTest, FileIsTheSerializedFileDescriptorProto) {
  auto files = lookup_.FileByFilename("top.proto");
  ASSERT_THAT(files, IsOk());
  google::protobuf::FileDescriptorProto expected;
  pool_.FindFileByName("top.proto")->CopyTo(&expected);
  EXPECT_EQ(files->front(), expected.SerializeAsString());
}

TEST_F(DescriptorLookupTest, UnknownFileIsNotFound) {
  EXPECT_THAT(lookup_.FileByFilename("nope.proto"),
              StatusIs(absl::StatusCode::kNotFound, "File not found."));
  EXPECT_THAT(lookup_.FileByFilename(""),
              StatusIs(absl::StatusCode::kNotFound, "File not found."));
}

TEST_F(DescriptorLookupTest, FileContainingSymbolFindsEveryKindOfSymbol) {
  EXPECT_THAT(Names(lookup_.FileContainingSymbol("t.S")),
              ElementsAre("top.proto", "ext.proto", "base.proto"));
  EXPECT_THAT(Names(lookup_.FileContainingSymbol("t.S.M")),
              ElementsAre("top.proto", "ext.proto", "base.proto"));
  EXPECT_THAT(Names(lookup_.FileContainingSymbol("t.Top.other")),
              ElementsAre("top.proto", "ext.proto", "base.proto"));
  EXPECT_THAT(Names(lookup_.FileContainingSymbol("t.Extendable")),
              ElementsAre("base.proto"));
  EXPECT_THAT(Names(lookup_.FileContainingSymbol("t.b")),
              ElementsAre("ext.proto", "base.proto"));
}

TEST_F(DescriptorLookupTest, UnknownSymbolIsNotFound) {
  for (const char* symbol : {"t.Nope", "t.S.Nope", ".t.S", ""}) {
    EXPECT_THAT(lookup_.FileContainingSymbol(symbol),
                StatusIs(absl::StatusCode::kNotFound, "Symbol not found."))
        << symbol;
  }
}

TEST_F(DescriptorLookupTest, FileContainingExtension) {
  EXPECT_THAT(Names(lookup_.FileContainingExtension("t.Extendable", 150)),
              ElementsAre("ext.proto", "base.proto"));
  EXPECT_THAT(lookup_.FileContainingExtension("t.Extendable", 101),
              StatusIs(absl::StatusCode::kNotFound, "Extension not found."));
  EXPECT_THAT(lookup_.FileContainingExtension("t.Nope", 100),
              StatusIs(absl::StatusCode::kNotFound, "Type not found."));
  // A service is not a message type.
  EXPECT_THAT(lookup_.FileContainingExtension("t.S", 100),
              StatusIs(absl::StatusCode::kNotFound, "Type not found."));
}

TEST_F(DescriptorLookupTest, AllExtensionNumbersOfType) {
  auto numbers = lookup_.AllExtensionNumbersOfType("t.Extendable");
  ASSERT_THAT(numbers, IsOk());
  EXPECT_EQ(numbers->base_type_name, "t.Extendable");
  EXPECT_THAT(numbers->numbers, UnorderedElementsAre(100, 150));

  numbers = lookup_.AllExtensionNumbersOfType("t.Other");
  ASSERT_THAT(numbers, IsOk());
  EXPECT_EQ(numbers->base_type_name, "t.Other");
  EXPECT_THAT(numbers->numbers, IsEmpty());

  EXPECT_THAT(lookup_.AllExtensionNumbersOfType("t.Nope"),
              StatusIs(absl::StatusCode::kNotFound, "Type not found."));
}

TEST(DescriptorLookupGeneratedPoolTest, FindsWellKnownTypes) {
  const DescriptorLookup lookup(
      google::protobuf::DescriptorPool::generated_pool());
  auto files =
      lookup.FileContainingSymbol("google.protobuf.FileDescriptorProto");
  ASSERT_THAT(files, IsOk());
  ASSERT_EQ(files->size(), 1u);
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(file.ParseFromString(files->front()));
  EXPECT_EQ(file.name(), "google/protobuf/descriptor.proto");
}

}  // namespace
}  // namespace videoplatform::server::reflection
