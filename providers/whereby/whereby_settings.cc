#include "providers/whereby/whereby_settings.h"

#include "providers/whereby/whereby_provider.h"

namespace videoplatform::providers {

std::vector<SettingAliases> WherebySettingAliases() {
  return {
      {"WHEREBY_S3_BUCKET",
       {"AWS_WHEREBY_S3_BUCKET", "WHEREBY_STORAGE_AWS_BUCKET_NAME"}},
      {"WHEREBY_S3_REGION", {"WHEREBY_STORAGE_AWS_REGION"}},
      {"WHEREBY_S3_ACCESS_KEY_ID",
       {"AWS_WHEREBY_ACCESS_KEY_ID", "WHEREBY_STORAGE_AWS_ACCESS_KEY_ID"}},
      {"WHEREBY_S3_ACCESS_KEY_SECRET",
       {"AWS_WHEREBY_ACCESS_KEY_SECRET",
        "WHEREBY_STORAGE_AWS_SECRET_ACCESS_KEY"}},
  };
}

std::vector<SettingDoc> WherebySettingDocs() {
  return {
      {kWherebyApiKeySetting, "", "Whereby API key; required for whereby"},
      {kWherebyApiUrlSetting, kWherebyDefaultApiUrl,
       "Whereby REST base URL (http:// for loopback hosts only)"},
      {kWherebyWebhookSecretSetting, "",
       "webhook signing secret(s), comma-separated during rotation"},
      {kWherebyS3BucketSetting, "",
       "bucket Whereby writes cloud recordings to"},
      {"WHEREBY_S3_REGION", "us-east-1", "region of that bucket"},
      {kWherebyS3AccessKeyIdSetting, "",
       "access key id Whereby writes (and ingestion reads) the bucket with"},
      {kWherebyS3AccessKeySecretSetting, "", "secret of that access key"},
  };
}

}  // namespace videoplatform::providers
