// The names the backend (DAILYCO_STORAGE_AWS_*) and the specification
// (AWS_DAILY_*) use for Daily's recording-bucket settings.
#ifndef VIDEOPLATFORM_PROVIDERS_DAILY_DAILY_SETTINGS_H_
#define VIDEOPLATFORM_PROVIDERS_DAILY_DAILY_SETTINGS_H_

#include <vector>

#include "providers/setting_aliases.h"

namespace videoplatform::providers {

std::vector<SettingAliases> DailySettingAliases();

// Every setting the provider reads, for --help.
std::vector<SettingDoc> DailySettingDocs();

}  // namespace videoplatform::providers

#endif  // VIDEOPLATFORM_PROVIDERS_DAILY_DAILY_SETTINGS_H_
