// What the shim answers to one HTTP request, and what it logs about it.
#ifndef VIDEOPLATFORM_SERVER_SHIM_HTTP_ANSWER_H_
#define VIDEOPLATFORM_SERVER_SHIM_HTTP_ANSWER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace videoplatform::shim {

struct HttpAnswer {
  int status = 200;
  // A short plain-text reason or outcome. Never a secret, a header value or
  // any part of the request body.
  std::string body;
  // Extra response headers, e.g. Allow on a 405.
  std::vector<std::pair<std::string, std::string>> headers;
  // A word for the request log, e.g. "applied" or "UNAUTHENTICATED".
  std::string outcome;
  // Extra text for the request log (e.g. why a webhook was ignored). Not
  // sent to the client.
  std::string log_detail;
};

// An answer with body `reason` + "\n".
inline HttpAnswer TextAnswer(int status, absl::string_view reason,
                             absl::string_view outcome) {
  HttpAnswer answer;
  answer.status = status;
  answer.body = std::string(reason) + "\n";
  answer.outcome = std::string(outcome);
  return answer;
}

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_HTTP_ANSWER_H_
