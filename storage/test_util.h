// Test helpers for storage tests (test only).
#ifndef VIDEOPLATFORM_STORAGE_TEST_UTIL_H_
#define VIDEOPLATFORM_STORAGE_TEST_UTIL_H_

#include <string>

namespace videoplatform::storage::testing {

// A fresh path `<TEST_TMPDIR>/<unique>/<name>` whose directory exists and
// holds no file yet. Unique per call within the process.
std::string TempDbPath(const std::string& name = "test.db");

// The bytes of the file at `path` ("" if it cannot be read).
std::string ReadFileBytes(const std::string& path);

// True when a file exists at `path`.
bool FileExists(const std::string& path);

}  // namespace videoplatform::storage::testing

#endif  // VIDEOPLATFORM_STORAGE_TEST_UTIL_H_
