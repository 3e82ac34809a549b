// GoogleTest matchers for absl::Status and absl::StatusOr (test only).
//   EXPECT_THAT(result, IsOk());
//   EXPECT_THAT(result, StatusIs(absl::StatusCode::kNotFound, HasSubstr("x")));
#ifndef VIDEOPLATFORM_SERVER_COMMON_STATUS_MATCHERS_H_
#define VIDEOPLATFORM_SERVER_COMMON_STATUS_MATCHERS_H_

#include <gmock/gmock.h>

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace videoplatform::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}

}  // namespace videoplatform::testing

#endif  // VIDEOPLATFORM_SERVER_COMMON_STATUS_MATCHERS_H_
