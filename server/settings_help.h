// The environment variables videoplatformd reads, for --help: the core's
// and every registered provider's (each provider declares its own).
#ifndef VIDEOPLATFORM_SERVER_SETTINGS_HELP_H_
#define VIDEOPLATFORM_SERVER_SETTINGS_HELP_H_

#include <string>
#include <vector>

#include "providers/registry.h"

namespace videoplatform::server {

// The settings the service core reads (auth, platform flags, ingestion).
std::vector<providers::SettingDoc> CoreSettingDocs();

// "Environment variables:" and one entry per setting, in the style of the
// flag list (name, help, default), sorted by name.
std::string EnvironmentHelp(const providers::ProviderRegistry& registry);

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_SETTINGS_HELP_H_
