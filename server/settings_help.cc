#include "server/settings_help.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/ingest/url_policy.h"

namespace videoplatform::server {

std::vector<providers::SettingDoc> CoreSettingDocs() {
  std::string hosts;
  for (const std::string& suffix : ingest::DefaultDownloadHostSuffixes()) {
    absl::StrAppend(&hosts, hosts.empty() ? "" : ",", suffix);
  }
  return {
      {"VIDEOPLATFORM_API_TOKEN", "",
       "bearer token every RPC but health must carry; required to listen "
       "beyond loopback"},
      {"VIDEOPLATFORM_WEBHOOK_TOKEN", "",
       "bearer token accepted for HandleWebhook and VerifyWebhook only (the "
       "webhook shim's); needs VIDEOPLATFORM_API_TOKEN"},
      {"DAILY_MIGRATION_ENABLED", "",
       "true/false; false routes every room to whereby (unset: stored value)"},
      {"DEFAULT_VIDEO_PLATFORM", "",
       "platform of rooms without an override (unset: stored value)"},
      {"DAILY_MIGRATION_ROOM_IDS", "",
       "JSON list of room ids routed to daily (unset: stored value)"},
      {"RECORDINGS_S3_ENDPOINT", "",
       "base URL of an S3-compatible store; unset for AWS"},
      {ingest::kDownloadHostsEnv, hosts,
       "comma-separated host suffixes recording download URLs may use"},
  };
}

std::string EnvironmentHelp(const providers::ProviderRegistry& registry) {
  std::vector<providers::SettingDoc> docs = CoreSettingDocs();
  for (providers::SettingDoc& doc : registry.AllSettingDocs()) {
    docs.push_back(std::move(doc));
  }
  std::sort(docs.begin(), docs.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::string text = "\n  Environment variables:\n";
  for (const providers::SettingDoc& doc : docs) {
    absl::StrAppend(&text, "    ", doc.name, " (", doc.help, "); default: \"",
                    doc.default_value, "\";\n");
  }
  return text;
}

}  // namespace videoplatform::server
