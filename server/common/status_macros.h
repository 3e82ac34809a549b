// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status (Abseil 20220623 has
// none). Both evaluate their argument once.
#ifndef VIDEOPLATFORM_SERVER_COMMON_STATUS_MACROS_H_
#define VIDEOPLATFORM_SERVER_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define VP_CONCAT_INNER_(a, b) a##b
#define VP_CONCAT_(a, b) VP_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function unless it is OK.
#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    const ::absl::Status vp_status_ = (expr); \
    if (!vp_status_.ok()) return vp_status_;  \
  } while (false)

// `lhs` = the value of the StatusOr `rexpr`, or returns its error status.
// Usage: ASSIGN_OR_RETURN(auto row, store.Get(id));
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL_(VP_CONCAT_(vp_statusor_, __LINE__), lhs, rexpr)

#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                           \
  if (!statusor.ok()) return statusor.status();      \
  lhs = std::move(statusor).value()

#endif  // VIDEOPLATFORM_SERVER_COMMON_STATUS_MACROS_H_
