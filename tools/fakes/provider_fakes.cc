// Runs loopback fakes of the Whereby and Daily REST APIs (tests/fakes) so
// videoplatformd can be tried against "Whereby" and "Daily" without network:
//
//   bazel run //tools/fakes:provider_fakes --
//       --whereby_port=8701 --daily_port=8702      (one command line)
//
// prints the settings to export, e.g.
//
//   WHEREBY_API_URL=http://127.0.0.1:8701/v1
//   WHEREBY_API_KEY=whereby-dev-key
//   DAILY_API_URL=http://127.0.0.1:8702/v1
//   DAILY_API_KEY=daily-dev-key
//
// and serves until SIGINT or SIGTERM. The fakes are as strict as the real
// APIs (see tests/fakes/whereby_fake.h and daily_fake.h) and keep their
// state in memory. Port 0 picks a free port.
#include <signal.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "tests/fakes/daily_fake.h"
#include "tests/fakes/whereby_fake.h"

ABSL_FLAG(int, whereby_port, 0, "Loopback port of the Whereby fake (0: any).");
ABSL_FLAG(int, daily_port, 0, "Loopback port of the Daily fake (0: any).");
ABSL_FLAG(std::string, whereby_api_key, "whereby-dev-key",
          "The API key the Whereby fake accepts.");
ABSL_FLAG(std::string, daily_api_key, "daily-dev-key",
          "The API key the Daily fake accepts.");
ABSL_FLAG(std::string, whereby_subdomain, "reflector",
          "Room URLs are https://<subdomain>.whereby.com/<room>.");
ABSL_FLAG(std::string, daily_domain, "reflector",
          "Room URLs are https://<domain>.daily.co/<room>.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves fakes of the Whereby and Daily REST APIs on 127.0.0.1.");
  absl::ParseCommandLine(argc, argv);

  // Block the stop signals before any server thread starts, then sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  videoplatform::fakes::WherebyFakeOptions whereby_options;
  whereby_options.api_key = absl::GetFlag(FLAGS_whereby_api_key);
  whereby_options.subdomain = absl::GetFlag(FLAGS_whereby_subdomain);
  videoplatform::fakes::WherebyFake whereby(whereby_options);

  videoplatform::fakes::DailyFakeOptions daily_options;
  daily_options.api_key = absl::GetFlag(FLAGS_daily_api_key);
  daily_options.domain = absl::GetFlag(FLAGS_daily_domain);
  videoplatform::fakes::DailyFake daily(daily_options);

  if (absl::Status s = whereby.Start(absl::GetFlag(FLAGS_whereby_port));
      !s.ok()) {
    std::fprintf(stderr, "provider_fakes: Whereby fake: %s\n",
                 s.ToString().c_str());
    return 1;
  }
  if (absl::Status s = daily.Start(absl::GetFlag(FLAGS_daily_port)); !s.ok()) {
    std::fprintf(stderr, "provider_fakes: Daily fake: %s\n",
                 s.ToString().c_str());
    return 1;
  }
  std::printf("WHEREBY_API_URL=%s\nWHEREBY_API_KEY=%s\n",
              whereby.base_url().c_str(), whereby_options.api_key.c_str());
  std::printf("DAILY_API_URL=%s\nDAILY_API_KEY=%s\nDAILY_SUBDOMAIN=%s\n",
              daily.base_url().c_str(), daily_options.api_key.c_str(),
              daily_options.domain.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::fprintf(stderr, "provider_fakes: stopping on signal %d\n",
               signal_number);
  whereby.Stop();
  daily.Stop();
  return 0;
}
