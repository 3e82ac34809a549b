// Test only: reading a Prometheus /metrics endpoint's text.
#ifndef VIDEOPLATFORM_TESTS_E2E_PROMETHEUS_SCRAPE_H_
#define VIDEOPLATFORM_TESTS_E2E_PROMETHEUS_SCRAPE_H_

#include <string>

namespace videoplatform::testing {

// GET http://127.0.0.1:<port>/metrics; "" when it does not answer 200.
std::string ScrapeMetrics(int port);

// The value of the sample whose name and labels are exactly `series` (labels
// in prometheus-cpp's sorted order), e.g. `x_total{code="OK"}`; -1 when
// absent.
double SampleValue(const std::string& text, const std::string& series);

}  // namespace videoplatform::testing

#endif  // VIDEOPLATFORM_TESTS_E2E_PROMETHEUS_SCRAPE_H_
