#include "providers/daily/daily_settings.h"

#include "providers/daily/daily_provider.h"

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

std::vector<SettingDoc> DailySettingDocs() {
  return {
      {kDailyApiKeySetting, "", "Daily API key; required for daily"},
      {kDailyApiUrlSetting, kDailyDefaultApiUrl,
       "Daily REST base URL (http:// for loopback hosts only)"},
      {kDailySubdomainSetting, "",
       "Daily domain, builds https://<subdomain>.daily.co/<room>"},
      {kDailyWebhookSecretSetting, "",
       "webhook HMAC secret(s), base64, comma-separated during rotation"},
      {kDailyS3BucketSetting, "", "bucket Daily writes cloud recordings to"},
      {kDailyS3RegionSetting, "us-east-1", "region of that bucket"},
      {kDailyS3RoleArnSetting, "",
       "IAM role Daily assumes to write the bucket"},
      {"DAILY_S3_ACCESS_KEY_ID", "",
       "access key id ingestion reads the bucket with"},
      {"DAILY_S3_ACCESS_KEY_SECRET", "", "secret of that access key"},
  };
}

}  // namespace videoplatform::providers
