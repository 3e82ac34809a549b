// The webhook RPCs: VerifyWebhook (check and parse, store nothing) and
// HandleWebhook (check, parse, then de-duplicate, store, apply and log in
// one transaction: storage::EventStore::ApplyWebhook).
//
// Both first check the request: platform known (INVALID_ARGUMENT
// "platform: ...") and configured (FAILED_PRECONDITION naming the missing
// setting), at most kMaxWebhookHeaders headers with names lower-cased
// (repeated names are joined with ", " as HTTP allows), a body of at most
// kMaxWebhookBodyBytes. A header's value is its raw_value bytes when those
// are non-empty, else its text value; any byte but CR, LF and NUL, at most
// kMaxWebhookHeaderValueBytes. Then the provider checks the signature and
// freshness (UNAUTHENTICATED; FAILED_PRECONDITION without a webhook
// secret; INTERNAL, logged, when the check itself cannot run, e.g. OpenSSL
// refuses HMAC) and parses the body. Once the signature verified, nothing
// in the body is an error: a webhook the service does not model (unknown
// type, test ping, unknown room) or cannot read (not JSON, a needed field
// missing or of the wrong type) is stored with its reason and answered
// IGNORED by HandleWebhook, an unset event by VerifyWebhook. Only storage
// failures fail a genuine webhook (UNAVAILABLE: retry later).
//
// Thread-safe.
#ifndef VIDEOPLATFORM_SERVER_WEBHOOK_RPCS_H_
#define VIDEOPLATFORM_SERVER_WEBHOOK_RPCS_H_

#include <cstddef>
#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "providers/registry.h"
#include "providers/video_platform.h"
#include "storage/event_store.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::server {

inline constexpr size_t kMaxWebhookBodyBytes = 1 << 20;
inline constexpr int kMaxWebhookHeaders = 100;
inline constexpr size_t kMaxWebhookHeaderNameBytes = 256;
inline constexpr size_t kMaxWebhookHeaderValueBytes = 8192;

class WebhookRpcs {
 public:
  // Both must outlive this object. `clock` gives the time signatures are
  // judged against and the receive time.
  WebhookRpcs(
      const providers::Providers& providers, storage::EventStore& events,
      std::function<absl::Time()> clock = [] { return absl::Now(); })
      : providers_(providers), events_(events), clock_(std::move(clock)) {}

  // Called after HandleWebhook committed an APPLIED event, and again for a
  // DUPLICATE delivery of it (not for ignored webhooks), on the RPC's
  // thread, before the RPC answers; e.g. to start ingesting a
  // RECORDING_READY recording. Must be idempotent and not block for long.
  // Set before serving; not thread-safe.
  using AppliedHook = std::function<void(const v1::Event& event)>;
  void set_on_applied(AppliedHook hook) { on_applied_ = std::move(hook); }

  // The event carries the service's meeting id when a stored meeting
  // matches (read only); its sequence is 0.
  absl::StatusOr<v1::VerifyWebhookResponse> VerifyWebhook(
      const v1::VerifyWebhookRequest& request);
  absl::StatusOr<v1::HandleWebhookResponse> HandleWebhook(
      const v1::HandleWebhookRequest& request);

 private:
  // Checks the request and the signature and parses the body.
  absl::StatusOr<providers::ParsedWebhook> VerifyAndParse(
      const std::string& platform,
      const google::protobuf::RepeatedPtrField<v1::WebhookHeader>& headers,
      const std::string& body, absl::Time now);

  const providers::Providers& providers_;
  storage::EventStore& events_;
  const std::function<absl::Time()> clock_;
  AppliedHook on_applied_;
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_WEBHOOK_RPCS_H_
