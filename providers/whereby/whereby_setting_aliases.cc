#include "providers/whereby/whereby_setting_aliases.h"

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

}  // namespace videoplatform::providers
