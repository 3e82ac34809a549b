#include "providers/daily/daily_setting_aliases.h"

namespace videoplatform::providers {

std::vector<SettingAliases> DailySettingAliases() {
  return {
      {"DAILY_S3_BUCKET",
       {"AWS_DAILY_S3_BUCKET", "DAILYCO_STORAGE_AWS_BUCKET_NAME"}},
      {"DAILY_S3_REGION",
       {"AWS_DAILY_S3_REGION", "DAILYCO_STORAGE_AWS_REGION"}},
      {"DAILY_S3_ROLE_ARN",
       {"AWS_DAILY_ROLE_ARN", "DAILYCO_STORAGE_AWS_ROLE_ARN"}},
      {"DAILY_S3_ACCESS_KEY_ID", {"DAILYCO_STORAGE_AWS_ACCESS_KEY_ID"}},
      {"DAILY_S3_ACCESS_KEY_SECRET", {"DAILYCO_STORAGE_AWS_SECRET_ACCESS_KEY"}},
  };
}

}  // namespace videoplatform::providers
