#include "tests/e2e/prometheus_scrape.h"

#include <httplib.h>

#include "absl/strings/numbers.h"

namespace videoplatform::testing {

std::string ScrapeMetrics(int port) {
  httplib::Client client("127.0.0.1", port);
  const httplib::Result result = client.Get("/metrics");
  if (!result || result->status != 200) return "";
  return result->body;
}

double SampleValue(const std::string& text, const std::string& series) {
  const std::string prefix = series + " ";
  for (size_t at = text.find(prefix); at != std::string::npos;
       at = text.find(prefix, at + prefix.size())) {
    if (at != 0 && text[at - 1] != '\n') continue;
    const size_t end = text.find('\n', at);
    double value = -1;
    if (absl::SimpleAtod(
            text.substr(at + prefix.size(), end - at - prefix.size()),
            &value)) {
      return value;
    }
  }
  return -1;
}

}  // namespace videoplatform::testing
