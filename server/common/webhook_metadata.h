// Metadata shared by videoplatformd and the webhook shim.
#ifndef VIDEOPLATFORM_SERVER_COMMON_WEBHOOK_METADATA_H_
#define VIDEOPLATFORM_SERVER_COMMON_WEBHOOK_METADATA_H_

namespace videoplatform {

// Trailing metadata HandleWebhook/VerifyWebhook add to an UNAUTHENTICATED
// answer caused by the webhook's signature (value "signature"). Without it,
// UNAUTHENTICATED means the caller's own API token was refused, which the
// shim must not pass on to providers as a 401 (Daily disables a webhook
// subscription after a few of them).
inline constexpr char kWebhookRejectedMetadata[] =
    "videoplatform-webhook-rejected";

}  // namespace videoplatform

#endif  // VIDEOPLATFORM_SERVER_COMMON_WEBHOOK_METADATA_H_
