#include "server/webhook_rpcs.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/field_checks.h"
#include "spdlog/spdlog.h"

namespace videoplatform::server {
namespace {

// A header value may hold any byte HTTP lets through: HTAB, obs-text
// (0x80-0xFF, not necessarily UTF-8) and other controls included; only CR,
// LF and NUL are refused (RFC 9110 section 5.5 calls them invalid and
// dangerous, and no HTTP parser hands them on).
absl::Status CheckHeaderValue(absl::string_view value,
                              const std::string& field) {
  if (value.size() > kMaxWebhookHeaderValueBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be at most ", kMaxWebhookHeaderValueBytes,
                     " bytes, got ", value.size()));
  }
  if (value.find_first_of(absl::string_view("\r\n\0", 3)) !=
      absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must not contain CR, LF or NUL"));
  }
  return absl::OkStatus();
}

absl::StatusOr<providers::WebhookRequest> ToWebhookRequest(
    const google::protobuf::RepeatedPtrField<v1::WebhookHeader>& headers,
    const std::string& body) {
  if (headers.size() > kMaxWebhookHeaders) {
    return absl::InvalidArgumentError(
        absl::StrCat("headers: at most ", kMaxWebhookHeaders,
                     " are accepted, got ", headers.size()));
  }
  if (body.size() > kMaxWebhookBodyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("body: must be at most ", kMaxWebhookBodyBytes,
                     " bytes, got ", body.size()));
  }
  providers::WebhookRequest request;
  for (int i = 0; i < headers.size(); ++i) {
    const v1::WebhookHeader& header = headers[i];
    RETURN_IF_ERROR(CheckRequiredText(header.name(),
                                      absl::StrCat("headers[", i, "].name"),
                                      kMaxWebhookHeaderNameBytes));
    // The exact bytes win; `value` is the v1 text form (see the proto).
    const bool raw = !header.raw_value().empty();
    const std::string& value = raw ? header.raw_value() : header.value();
    RETURN_IF_ERROR(CheckHeaderValue(
        value, absl::StrCat("headers[", i, raw ? "].raw_value" : "].value")));
    const std::string name = absl::AsciiStrToLower(header.name());
    auto [it, inserted] = request.headers.emplace(name, value);
    // A repeated header is one comma-separated list (RFC 9110 5.3).
    if (!inserted) absl::StrAppend(&it->second, ", ", value);
  }
  request.body = body;
  return request;
}

}  // namespace

absl::StatusOr<providers::ParsedWebhook> WebhookRpcs::VerifyAndParse(
    const std::string& platform_name,
    const google::protobuf::RepeatedPtrField<v1::WebhookHeader>& headers,
    const std::string& body, absl::Time now) {
  RETURN_IF_ERROR(CheckRequiredText(platform_name, "platform"));
  RETURN_IF_ERROR(providers_.CheckKnown(platform_name, "platform"));
  ASSIGN_OR_RETURN(providers::VideoPlatform * platform,
                   providers_.Get(platform_name));
  ASSIGN_OR_RETURN(const providers::WebhookRequest request,
                   ToWebhookRequest(headers, body));
  if (absl::Status verified = platform->VerifyWebhookSignature(request, now);
      !verified.ok()) {
    // A check that could not run (e.g. OpenSSL refused HMAC) rejects the
    // webhook and is the operator's problem: logged. Providers never put a
    // secret in these messages.
    if (absl::IsInternal(verified)) {
      spdlog::error("webhook {}: signature check failed, rejected: {}",
                    platform_name, std::string(verified.message()));
    }
    return verified;
  }
  absl::StatusOr<providers::ParsedWebhook> parsed =
      platform->ParseWebhook(request.body);
  if (absl::IsInvalidArgument(parsed.status())) {
    // The signature verified: the provider sent this. An error answer would
    // only make it retry (and count toward its circuit breaker), so a body
    // the provider's parser cannot read is stored and ignored.
    providers::ParsedWebhook ignored;
    ignored.ignore_reason = absl::StrCat("body: ", parsed.status().message());
    parsed = std::move(ignored);
  }
  if (!parsed.ok()) return parsed.status();
  // The provider's word for the platform is the registered name.
  parsed->event.set_platform(platform_name);
  parsed->event.set_sequence(0);
  parsed->event.clear_meeting_id();
  return parsed;
}

absl::StatusOr<v1::VerifyWebhookResponse> WebhookRpcs::VerifyWebhook(
    const v1::VerifyWebhookRequest& request) {
  ASSIGN_OR_RETURN(providers::ParsedWebhook parsed,
                   VerifyAndParse(request.platform(), request.headers(),
                                  request.body(), clock_()));
  v1::VerifyWebhookResponse response;
  if (parsed.event.type() == v1::EVENT_TYPE_UNSPECIFIED) return response;
  ASSIGN_OR_RETURN(const std::optional<std::string> meeting_id,
                   events_.FindMeetingId(request.platform(),
                                         parsed.event.provider_meeting_id(),
                                         parsed.event.room_name()));
  if (meeting_id.has_value()) parsed.event.set_meeting_id(*meeting_id);
  *response.mutable_event() = std::move(parsed.event);
  return response;
}

absl::StatusOr<v1::HandleWebhookResponse> WebhookRpcs::HandleWebhook(
    const v1::HandleWebhookRequest& request) {
  const absl::Time now = clock_();
  ASSIGN_OR_RETURN(providers::ParsedWebhook parsed,
                   VerifyAndParse(request.platform(), request.headers(),
                                  request.body(), now));
  storage::WebhookInput input;
  input.platform = request.platform();
  input.raw_body = request.body();
  input.event = std::move(parsed.event);
  input.ignore_reason = std::move(parsed.ignore_reason);
  input.num_clients = parsed.num_clients;
  absl::StatusOr<storage::WebhookResult> applied =
      events_.ApplyWebhook(input, now);
  if (!applied.ok()) {
    // Nothing was committed, so nothing is acknowledged: the provider
    // re-delivers on UNAVAILABLE (503 at the shim).
    spdlog::error("webhook {} {}: not stored: {}", input.platform,
                  absl::CHexEscape(input.event.provider_event_id()),
                  std::string(applied.status().message()));
    if (absl::IsUnavailable(applied.status())) return applied.status();
    return absl::UnavailableError(
        absl::StrCat("the webhook could not be stored, retry later: ",
                     applied.status().message()));
  }
  storage::WebhookResult result = *std::move(applied);
  spdlog::info("webhook {} {} ({}): {}{}{}", input.platform,
               absl::CHexEscape(input.event.provider_event_id()),
               absl::CHexEscape(input.event.provider_event_type()),
               v1::WebhookOutcome_Name(result.outcome),
               result.detail.empty() ? "" : ": ", result.detail);
  // Duplicates too: a provider re-delivers when the first answer was lost
  // (e.g. a crash right after the commit), and the hook must be idempotent.
  if ((result.outcome == v1::WEBHOOK_OUTCOME_APPLIED ||
       result.outcome == v1::WEBHOOK_OUTCOME_DUPLICATE) &&
      result.event.has_value() && on_applied_) {
    on_applied_(*result.event);
  }
  v1::HandleWebhookResponse response;
  response.set_outcome(result.outcome);
  if (result.event.has_value()) {
    *response.mutable_event() = *std::move(result.event);
  }
  response.set_detail(std::move(result.detail));
  return response;
}

}  // namespace videoplatform::server
