// The names the backend (WHEREBY_STORAGE_AWS_*) and the specification
// (AWS_WHEREBY_*) use for Whereby's recording-bucket settings.
#ifndef VIDEOPLATFORM_PROVIDERS_WHEREBY_WHEREBY_SETTINGS_H_
#define VIDEOPLATFORM_PROVIDERS_WHEREBY_WHEREBY_SETTINGS_H_

#include <vector>

#include "providers/setting_aliases.h"

namespace videoplatform::providers {

std::vector<SettingAliases> WherebySettingAliases();

// Every setting the provider reads, for --help.
std::vector<SettingDoc> WherebySettingDocs();

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_WHEREBY_WHEREBY_SETTINGS_H_
