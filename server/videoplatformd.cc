// videoplatformd: the VideoPlatform gRPC service.
//
//   videoplatformd --listen=127.0.0.1:50051 --db=videoplatform.db
//
// Environment: VIDEOPLATFORM_API_TOKEN (bearer token for every RPC except
// health; required to listen beyond loopback), the provider settings (see
// providers/*), and the platform switches of server/startup_flags.h.
// Stops gracefully on SIGINT/SIGTERM.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "prometheus/registry.h"
#include "providers/builtin_providers.h"
#include "providers/registry.h"
#include "server/common/logging.h"
#include "server/common/metrics_endpoint.h"
#include "server/common/process.h"
#include "server/common/status_macros.h"
#include "server/event_stream.h"
#include "server/grpc_server.h"
#include "server/ingest/curl_downloader.h"
#include "server/ingest/event_log_announcer.h"
#include "server/ingest/ingest_queue.h"
#include "server/ingest/recording_ingestor.h"
#include "server/ingest/url_policy.h"
#include "server/provider_metrics.h"
#include "server/recording_rpcs.h"
#include "server/server_tls.h"
#include "server/settings_help.h"
#include "server/startup_flags.h"
#include "server/storage_metrics.h"
#include "spdlog/spdlog.h"
#include "storage/event_store.h"
#include "storage/recording_store.h"
#include "storage/store.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve gRPC on; port 0 picks a free port");
ABSL_FLAG(std::string, db, "videoplatform.db", "SQLite database file");
ABSL_FLAG(std::string, port_file, "",
          "if set, the bound port is written to this file once serving");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "how long calls in flight may finish after SIGINT/SIGTERM");
ABSL_FLAG(std::string, recordings_dir, "recordings",
          "directory ingested recordings are stored in (created if missing)");
ABSL_FLAG(int, ingest_workers, 2,
          "how many recordings are downloaded at once (1..64)");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9464",
          "host:port serving Prometheus metrics on GET /metrics; port 0 "
          "picks a free port; empty turns metrics serving off");
ABSL_FLAG(std::string, log_format, "text",
          "log line format: text, or json (one object per line)");
ABSL_FLAG(std::string, log_level, "info",
          "least severe level logged: debug (a line per RPC), info, warning, "
          "error");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain: serve gRPC over TLS (with --tls_key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: require client certificates signed by it (mTLS)");
ABSL_FLAG(std::string, metrics_port_file, "",
          "if set, the bound metrics port is written to this file");

namespace videoplatform::server {
namespace {

absl::Status Run(const sigset_t& stop_signals,
                 const providers::ProviderRegistry& registry) {
  // Every component registers its metrics here; /metrics serves them.
  const auto metrics_registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<MetricsEndpoint> metrics_endpoint;
  if (const std::string listen = absl::GetFlag(FLAGS_metrics_listen);
      !listen.empty()) {
    ASSIGN_OR_RETURN(metrics_endpoint,
                     MetricsEndpoint::Start(listen, metrics_registry));
    spdlog::info("metrics on http://{}/metrics (port {})", listen,
                 metrics_endpoint->port());
    if (const std::string port_file = absl::GetFlag(FLAGS_metrics_port_file);
        !port_file.empty()) {
      RETURN_IF_ERROR(WritePortFile(port_file, metrics_endpoint->port()));
    }
  }

  // The backend's and the specification's names for the same settings are
  // all accepted; two of them set differently stop the server here.
  const std::vector<providers::SettingAliases> aliases =
      registry.AllSettingAliases();
  RETURN_IF_ERROR(providers::CheckSettingAliases(
      providers::EnvironmentSettings(), aliases));
  const providers::SettingsLookup settings =
      providers::WithSettingAliases(providers::EnvironmentSettings(), aliases);
  ProviderMetrics provider_metrics(*metrics_registry);
  ASSIGN_OR_RETURN(const std::unique_ptr<providers::Providers> providers,
                   providers::Providers::Create(registry, settings,
                                                provider_metrics.Decorator()));
  for (const providers::PlatformStatus& status : providers->Statuses()) {
    spdlog::info("platform {}: {}", status.name,
                 status.configured ? "configured" : "not configured");
  }

  const std::string db_path = absl::GetFlag(FLAGS_db);
  ASSIGN_OR_RETURN(const std::unique_ptr<storage::Store> store,
                   storage::Store::Open(db_path));
  ObserveGroupCommit(*metrics_registry, store->committer());
  ASSIGN_OR_RETURN(const StartupFlags startup_flags,
                   ReadStartupFlags(settings));
  RETURN_IF_ERROR(ApplyStartupFlags(startup_flags, *store, *providers));

  // Recording ingestion: a durable queue over the same database.
  ASSIGN_OR_RETURN(const ingest::IngestSettings ingest_settings,
                   ingest::IngestSettings::FromSettings(settings));
  ASSIGN_OR_RETURN(const ingest::UrlPolicyOptions policy_options,
                   ingest::UrlPolicyOptionsFromEnv());
  ASSIGN_OR_RETURN(const ingest::UrlPolicy url_policy,
                   ingest::UrlPolicy::Create(policy_options));
  ingest::CurlDownloaderOptions downloader_options;
  downloader_options.url_policy = url_policy;
  ingest::CurlDownloader downloader(downloader_options);
  storage::RecordingStore recordings(store->database());
  // RECORDING_INGESTED / RECORDING_INGEST_FAILED go to the event log.
  // The one event log: webhooks and these announcements append to it and
  // WatchEvents streams wake as they commit.
  EventLog event_log(store->database());
  ingest::EventLogAnnouncer announcer(event_log.store());
  const ingest::RecordingIngestor ingestor(ingest_settings, *providers,
                                           downloader);
  ingest::IngestQueueOptions queue_options;
  queue_options.workers = absl::GetFlag(FLAGS_ingest_workers);
  queue_options.recordings_dir = absl::GetFlag(FLAGS_recordings_dir);
  ingest::IngestMetrics ingest_metrics(*metrics_registry);
  const auto job_gauges = std::make_shared<ingest::IngestJobGauges>(recordings);
  if (metrics_endpoint != nullptr) {
    metrics_endpoint->RegisterCollectable(job_gauges);
  }
  // Scrapes end before what the gauges read is destroyed.
  const absl::Cleanup stop_metrics = [&metrics_endpoint] {
    metrics_endpoint.reset();
  };
  ingest::IngestQueue queue(recordings, ingestor, announcer, ingest_metrics,
                            queue_options);
  RecordingRpcs recording_rpcs(
      *store, recordings, *providers, ingest_settings,
      [&url_policy](absl::string_view field, absl::string_view url) {
        return url_policy.Check(field, url);
      },
      [&queue] { queue.Notify(); });

  ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  const TlsFiles tls_files = {
      .cert_path = absl::GetFlag(FLAGS_tls_cert),
      .key_path = absl::GetFlag(FLAGS_tls_key),
      .client_ca_path = absl::GetFlag(FLAGS_tls_client_ca)};
  ASSIGN_OR_RETURN(options.credentials, ServerCredentialsFor(tls_files));
  options.recording_rpcs = &recording_rpcs;
  options.event_log = &event_log;
  // A provider's "recording ready" webhook starts ingestion (idempotent, so
  // a re-delivered webhook after a crash registers it if the first did not).
  options.on_webhook_applied = [&](const v1::Event& event) {
    const std::optional<v1::IngestRecordingRequest> request =
        IngestRequestForEvent(event, ingest_settings);
    if (!request.has_value()) return;
    const auto ingested = recording_rpcs.IngestRecording(*request);
    if (!ingested.ok()) {
      spdlog::error("cannot ingest the recording of webhook {}: {}",
                    event.provider_event_id(), ingested.status().ToString());
    }
  };
  options.api_token = settings("VIDEOPLATFORM_API_TOKEN").value_or("");
  options.webhook_token = settings("VIDEOPLATFORM_WEBHOOK_TOKEN").value_or("");
  ASSIGN_OR_RETURN(
      const std::unique_ptr<GrpcServer> server,
      GrpcServer::Start(options, *store, *providers, *metrics_registry));
  RETURN_IF_ERROR(queue.Start());
  spdlog::info("ingest: {} worker(s), recordings in {}", queue_options.workers,
               queue.recordings_dir());
  spdlog::info(
      "videoplatformd serving on port {} (database {}, auth {}, tls {})",
      server->port(), db_path, options.api_token.empty() ? "off" : "on",
      !tls_files.enabled()               ? "off"
      : tls_files.client_ca_path.empty() ? "on"
                                         : "on, client certificates required");
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file);
      !port_file.empty()) {
    RETURN_IF_ERROR(WritePortFile(port_file, server->port()));
  }

  const int signal_number = WaitForStopSignal(stop_signals);
  const absl::Duration grace = absl::GetFlag(FLAGS_shutdown_grace);
  spdlog::info("signal {}: shutting down (grace {})", signal_number,
               absl::FormatDuration(grace));
  server->Shutdown(grace);
  // Downloads in flight get the same grace; any still running then are
  // abandoned: their jobs stay claimed in the database and resume (with the
  // partial file) at the next start. Exit without destroying what those
  // threads still use.
  if (const int abandoned = queue.Stop(grace); abandoned > 0) {
    spdlog::warn("stopped; {} download(s) left to resume at the next start",
                 abandoned);
    spdlog::shutdown();
    std::_Exit(0);
  }
  spdlog::info("stopped");
  return absl::OkStatus();
}

}  // namespace
}  // namespace videoplatform::server

int main(int argc, char** argv) {
  // Block the stop signals before gRPC starts threads, so only sigwait()
  // sees them (never shut the server down from a signal handler).
  const sigset_t stop_signals = videoplatform::BlockStopSignals();

  videoplatform::providers::ProviderRegistry registry;
  if (const absl::Status registered =
          videoplatform::providers::RegisterBuiltinProviders(registry);
      !registered.ok()) {
    std::fprintf(stderr, "videoplatformd: %s\n",
                 std::string(registered.message()).c_str());
    return 1;
  }
  absl::SetProgramUsageMessage(
      absl::StrCat("VideoPlatform gRPC service. See README.md for settings.\n",
                   videoplatform::server::EnvironmentHelp(registry)));
  absl::ParseCommandLine(argc, argv);
  if (const absl::Status logging = videoplatform::ConfigureLoggingFromFlags(
          absl::GetFlag(FLAGS_log_format), absl::GetFlag(FLAGS_log_level));
      !logging.ok()) {
    std::fprintf(stderr, "videoplatformd: %s\n",
                 std::string(logging.message()).c_str());
    return 2;
  }

  const absl::Status status =
      videoplatform::server::Run(stop_signals, registry);
  if (!status.ok()) {
    spdlog::error("videoplatformd: {}", status.ToString());
    return 1;
  }
  return 0;
}
