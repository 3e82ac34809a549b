#include "server/ingest/partial_file.h"

#include <sys/stat.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/status_matchers.h"
#include "server/ingest/testing/media_fixtures.h"

namespace videoplatform::ingest {
namespace {

using ::videoplatform::ingest::testing::FileExists;
using ::videoplatform::ingest::testing::ReadFile;
using ::videoplatform::ingest::testing::WriteFile;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

// SHA-256 of "hello world".
constexpr char kHelloWorld[] =
    "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
constexpr char kEmpty[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

class PartialFileTest : public ::testing::Test {
 protected:
  std::string dir_ = ::testing::TempDir();
  std::string Path(const std::string& name) { return dir_ + "/" + name; }
};

TEST_F(PartialFileTest, HashesWhatItAppends) {
  auto file = PartialFile::Open(Path("a.partial"));
  ASSERT_THAT(file, IsOk());
  EXPECT_EQ((*file)->size(), 0);
  EXPECT_EQ((*file)->Sha256Hex(), kEmpty);
  ASSERT_THAT((*file)->Append("hello ", 6), IsOk());
  ASSERT_THAT((*file)->Append("world", 5), IsOk());
  EXPECT_EQ((*file)->size(), 11);
  EXPECT_EQ((*file)->Sha256Hex(), kHelloWorld);
  EXPECT_EQ(*ReadFile(Path("a.partial")), "hello world");
}

TEST_F(PartialFileTest, RehashesAnExistingPartialFile) {
  ASSERT_THAT(WriteFile(Path("b.partial"), "hello "), IsOk());
  auto file = PartialFile::Open(Path("b.partial"));
  ASSERT_THAT(file, IsOk());
  EXPECT_EQ((*file)->size(), 6);
  ASSERT_THAT((*file)->Append("world", 5), IsOk());
  EXPECT_EQ((*file)->Sha256Hex(), kHelloWorld);
}

TEST_F(PartialFileTest, TruncateRestartsBytesAndHash) {
  ASSERT_THAT(WriteFile(Path("c.partial"), "garbage"), IsOk());
  auto file = PartialFile::Open(Path("c.partial"));
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT((*file)->Truncate(), IsOk());
  EXPECT_EQ((*file)->size(), 0);
  ASSERT_THAT((*file)->Append("hello world", 11), IsOk());
  EXPECT_EQ((*file)->Sha256Hex(), kHelloWorld);
  EXPECT_EQ(*ReadFile(Path("c.partial")), "hello world");
}

TEST_F(PartialFileTest, CommitRenamesIntoPlace) {
  auto file = PartialFile::Open(Path("d.mp4.partial"));
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT((*file)->Append("data", 4), IsOk());
  ASSERT_THAT((*file)->CommitTo(Path("d.mp4")), IsOk());
  EXPECT_FALSE(FileExists(Path("d.mp4.partial")));
  EXPECT_EQ(*ReadFile(Path("d.mp4")), "data");
}

TEST_F(PartialFileTest, OneWriterAtATime) {
  auto first = PartialFile::Open(Path("e.partial"));
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(PartialFile::Open(Path("e.partial")),
              StatusIs(absl::StatusCode::kAborted,
                       ::testing::HasSubstr("another download")));
  first->reset();
  EXPECT_THAT(PartialFile::Open(Path("e.partial")), IsOk());
}

TEST_F(PartialFileTest, RemoveDeletes) {
  auto file = PartialFile::Open(Path("f.partial"));
  ASSERT_THAT(file, IsOk());
  (*file)->Remove();
  EXPECT_FALSE(FileExists(Path("f.partial")));
}

TEST_F(PartialFileTest, OpenFailsInAMissingDirectory) {
  EXPECT_THAT(PartialFile::Open(Path("missing/dir/g.partial")),
              StatusIs(absl::StatusCode::kInternal,
                       ::testing::HasSubstr("cannot open")));
}

TEST(PartialFileDiskFullTest, IsUnavailableNotTheFilesFault) {
  // Writes to /dev/full fail with ENOSPC, like a full disk.
  auto file = PartialFile::Open("/dev/full");
  ASSERT_THAT(file, IsOk());
  EXPECT_THAT((*file)->Append("data", 4),
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::HasSubstr("disk full")));
  EXPECT_EQ((*file)->size(), 0);
}

TEST(PartialPathTest, AppendsSuffix) {
  EXPECT_EQ(PartialPathFor("/r/x.mp4"), "/r/x.mp4.partial");
}

}  // namespace
}  // namespace videoplatform::ingest
