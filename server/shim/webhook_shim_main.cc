// webhook_shim: the HTTP sidecar that Whereby and Daily post webhooks to; it
// hands each one to videoplatformd's HandleWebhook and answers from the
// result (server/shim/status_mapping.h has the table).
//
//   webhook_shim --listen=127.0.0.1:8080 --service=127.0.0.1:50051
//
// Environment: VIDEOPLATFORM_WEBHOOK_TOKEN (preferred: the service accepts
// it for webhooks only) or VIDEOPLATFORM_API_TOKEN, the service's bearer
// token (when the service has one). A bad flag value exits with code 2;
// SIGINT/SIGTERM stop it gracefully (requests already received are answered
// within
// --shutdown_grace).
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/logging.h"
#include "server/common/metrics_endpoint.h"
#include "server/common/process.h"
#include "server/server_tls.h"
#include "server/shim/shim_flags.h"
#include "server/shim/shim_options.h"
#include "server/shim/webhook_shim.h"
#include "spdlog/spdlog.h"

// String-typed so that bad values are reported with exit code 2 (see
// ShimOptionsFromFlags) rather than by the flags library.
ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "host:port to serve HTTP on; port 0 picks a free port");
ABSL_FLAG(std::string, service, "127.0.0.1:50051",
          "gRPC target of videoplatformd");
ABSL_FLAG(std::string, max_body_bytes, "1048576",
          "largest webhook body accepted (1 to 1048576); larger ones get 413");
ABSL_FLAG(std::string, rpc_timeout, "4s",
          "deadline of each HandleWebhook call (keep it under Whereby's 5 s "
          "delivery timeout); a missed deadline answers 503");
ABSL_FLAG(std::string, read_timeout, "5s",
          "deadline of a whole request (headers and body) from its first "
          "byte; a client that misses it is disconnected");
ABSL_FLAG(std::string, write_timeout, "5s", "deadline of writing one answer");
ABSL_FLAG(std::string, idle_timeout, "10s",
          "how long a connection may wait for its next request's first byte "
          "(keep-alive idle, or connected and silent)");
ABSL_FLAG(std::string, max_connections, "1024",
          "connections open at once, idle ones included (1 to 65536); more "
          "get 503 and are closed");
ABSL_FLAG(std::string, max_connections_per_ip, "256",
          "connections open at once from one client IP address (1 to 65536); "
          "more get 503 and are closed");
ABSL_FLAG(std::string, io_threads, "2",
          "threads serving every connection (event loop; 1 to 64)");
ABSL_FLAG(std::string, shutdown_grace, "5s",
          "on SIGTERM, how long requests already received may take to be "
          "answered; idle and still-sending connections close at once");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9465",
          "host:port serving the shim's Prometheus metrics on GET /metrics; "
          "port 0 picks a free port; empty turns it off");
ABSL_FLAG(std::string, metrics_port_file, "",
          "if set, the bound metrics port is written to this file");
ABSL_FLAG(std::string, log_format, "text",
          "log line format: text, or json (one object per line)");
ABSL_FLAG(std::string, log_level, "info",
          "least severe level logged: debug, info, warning, error");
ABSL_FLAG(std::string, service_tls_ca, "",
          "PEM CA bundle: reach the service over TLS, trusting this CA");
ABSL_FLAG(std::string, service_tls_cert, "",
          "PEM client certificate for the service (mutual TLS)");
ABSL_FLAG(std::string, service_tls_key, "",
          "PEM private key of --service_tls_cert");
ABSL_FLAG(std::string, service_tls_server_name, "",
          "name the service's certificate carries, when not --service's host");
ABSL_FLAG(std::string, port_file, "",
          "if set, the bound port is written to this file once listening");

namespace videoplatform::shim {
namespace {

constexpr int kUsageError = 2;

// Each connection holds a descriptor: raise the soft limit towards the hard
// one so --max_connections can be reached (plus room for the gRPC channel
// and logs).
void RaiseDescriptorLimit(const ShimOptions& options) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(options.max_connections) + 64;
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    spdlog::warn(
        "webhook_shim: the descriptor limit ({}) is below --max_connections; "
        "connections beyond it wait in the listen backlog",
        limit.rlim_cur);
  }
}

int Run(const sigset_t& stop_signals) {
  ShimFlagValues values;
  values.listen = absl::GetFlag(FLAGS_listen);
  values.service = absl::GetFlag(FLAGS_service);
  values.max_body_bytes = absl::GetFlag(FLAGS_max_body_bytes);
  values.rpc_timeout = absl::GetFlag(FLAGS_rpc_timeout);
  values.read_timeout = absl::GetFlag(FLAGS_read_timeout);
  values.max_connections = absl::GetFlag(FLAGS_max_connections);
  values.max_connections_per_ip = absl::GetFlag(FLAGS_max_connections_per_ip);
  values.idle_timeout = absl::GetFlag(FLAGS_idle_timeout);
  values.write_timeout = absl::GetFlag(FLAGS_write_timeout);
  values.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  values.io_threads = absl::GetFlag(FLAGS_io_threads);
  // Least privilege: the webhook token (HandleWebhook only) when set.
  const char* token = std::getenv("VIDEOPLATFORM_WEBHOOK_TOKEN");
  if (token == nullptr || *token == '\0') {
    token = std::getenv("VIDEOPLATFORM_API_TOKEN");
  }
  absl::StatusOr<ShimOptions> options =
      ShimOptionsFromFlags(values, token == nullptr ? "" : token);
  if (!options.ok()) {
    std::fprintf(stderr, "webhook_shim: %s\n",
                 std::string(options.status().message()).c_str());
    return kUsageError;
  }

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      server::ChannelCredentialsFor("service_tls_",
                                    absl::GetFlag(FLAGS_service_tls_ca),
                                    absl::GetFlag(FLAGS_service_tls_cert),
                                    absl::GetFlag(FLAGS_service_tls_key));
  if (!credentials.ok()) {
    std::fprintf(stderr, "webhook_shim: %s\n",
                 std::string(credentials.status().message()).c_str());
    return kUsageError;
  }
  options->service.credentials = *std::move(credentials);
  options->service.tls_server_name =
      absl::GetFlag(FLAGS_service_tls_server_name);

  RaiseDescriptorLimit(*options);
  absl::StatusOr<std::unique_ptr<WebhookShim>> shim =
      WebhookShim::Start(*options);
  if (!shim.ok()) {
    spdlog::error("webhook_shim: {}", shim.status().ToString());
    return 1;
  }
  spdlog::info(
      "webhook_shim listening on port {} (service {}, token {}, body limit {} "
      "bytes, rpc timeout {}, max connections {}, {} per IP, {} io threads)",
      (*shim)->port(), options->service.target,
      options->service.api_token.empty() ? "none" : "set",
      options->limits.max_body_bytes,
      absl::FormatDuration(options->service.rpc_timeout),
      options->max_connections, options->max_connections_per_ip,
      options->io_threads);
  std::unique_ptr<MetricsEndpoint> metrics;
  if (const std::string listen = absl::GetFlag(FLAGS_metrics_listen);
      !listen.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> started =
        MetricsEndpoint::Start(listen, (*shim)->metrics_registry());
    if (!started.ok()) {
      spdlog::error("webhook_shim: {}", started.status().ToString());
      return 1;
    }
    metrics = *std::move(started);
    spdlog::info("metrics on http://{}/metrics (port {})", listen,
                 metrics->port());
    if (const std::string port_file = absl::GetFlag(FLAGS_metrics_port_file);
        !port_file.empty()) {
      if (absl::Status status = WritePortFile(port_file, metrics->port());
          !status.ok()) {
        spdlog::error("webhook_shim: {}", status.ToString());
        return 1;
      }
    }
  }
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file);
      !port_file.empty()) {
    if (absl::Status status = WritePortFile(port_file, (*shim)->port());
        !status.ok()) {
      spdlog::error("webhook_shim: {}", status.ToString());
      return 1;
    }
  }

  const int signal_number = WaitForStopSignal(stop_signals);
  spdlog::info("signal {}: finishing requests in flight", signal_number);
  (*shim)->Shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace videoplatform::shim

int main(int argc, char** argv) {
  // Block the stop signals before any thread starts, so only sigwait() sees
  // them (never shut down from a signal handler).
  const sigset_t stop_signals = videoplatform::BlockStopSignals();
  // A client that disconnects mid-answer must not kill the process.
  signal(SIGPIPE, SIG_IGN);

  absl::SetProgramUsageMessage(
      "HTTP sidecar for provider webhooks; see server/shim/webhook_shim.h.\n"
      "\n  Environment variables:\n"
      "    VIDEOPLATFORM_API_TOKEN (the service's API token, sent when "
      "VIDEOPLATFORM_WEBHOOK_TOKEN is unset); default: \"\";\n"
      "    VIDEOPLATFORM_WEBHOOK_TOKEN (the service's webhook-only token, "
      "preferred); default: \"\";\n");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::fprintf(stderr, "webhook_shim: unexpected argument \"%s\"\n",
                 positional[1]);
    return videoplatform::shim::kUsageError;
  }
  if (const absl::Status logging = videoplatform::ConfigureLoggingFromFlags(
          absl::GetFlag(FLAGS_log_format), absl::GetFlag(FLAGS_log_level));
      !logging.ok()) {
    std::fprintf(stderr, "webhook_shim: %s\n",
                 std::string(logging.message()).c_str());
    return videoplatform::shim::kUsageError;
  }
  return videoplatform::shim::Run(stop_signals);
}
