#include "server/videoplatform_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "server/common/logging.h"
#include "server/common/webhook_metadata.h"
#include "server/grpc_status.h"
#include "spdlog/spdlog.h"

namespace videoplatform::server {
namespace {

// The request's top-level platform, meeting_id, room_id and recording_id
// (when set) as log fields, cut to 64 bytes.
void AddIdFields(const google::protobuf::Message& request,
                 std::vector<LogField>& fields) {
  const google::protobuf::Descriptor* descriptor = request.GetDescriptor();
  const google::protobuf::Reflection* reflection = request.GetReflection();
  for (const char* name :
       {"platform", "meeting_id", "room_id", "recording_id"}) {
    const google::protobuf::FieldDescriptor* field =
        descriptor->FindFieldByName(name);
    if (field == nullptr || field->is_repeated() ||
        field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      continue;
    }
    std::string value = reflection->GetString(request, field);
    if (value.empty()) continue;
    if (value.size() > 64) value.resize(64);
    fields.emplace_back(name, std::move(value));
  }
}

// Codes that point at the server or a provider rather than the caller.
bool IsServerSide(absl::StatusCode code) {
  return code == absl::StatusCode::kInternal ||
         code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kUnknown ||
         code == absl::StatusCode::kDataLoss;
}

// The caller's x-request-id metadata, when it is a plausible id (printable
// ASCII, at most 128 bytes); anything else is not logged.
std::optional<std::string> RequestIdOf(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("x-request-id");
  if (it == metadata.end() || it->second.empty() || it->second.size() > 128) {
    return std::nullopt;
  }
  for (const char c : it->second) {
    if (c < 0x21 || c > 0x7e) return std::nullopt;
  }
  return std::string(it->second.data(), it->second.size());
}

absl::Status RecordingsDisabled() {
  return absl::UnimplementedError(
      "recording ingestion is not enabled on this server");
}

// Runs after the caller's token was accepted, so an UNAUTHENTICATED result is
// the webhook's signature: say so (see server/common/webhook_metadata.h).
template <typename Response>
absl::StatusOr<Response> MarkSignatureRejection(
    grpc::ServerContext& context, absl::StatusOr<Response> result) {
  if (absl::IsUnauthenticated(result.status())) {
    context.AddTrailingMetadata(kWebhookRejectedMetadata, "signature");
  }
  return result;
}

}  // namespace

providers::CallContext ProviderCallContext(const grpc::ServerContext& context) {
  const absl::Time cap = absl::Now() + kMaxProviderCallTime;
  const absl::Time deadline = absl::FromChrono(context.deadline());
  return providers::CallContext{std::min(deadline, cap)};
}

VideoPlatformService::VideoPlatformService(
    storage::Store& store, const providers::Providers& providers,
    const BearerAuth& auth, EventLog& events, ServiceMetrics& metrics,
    RecordingRpcs* recordings)
    : meetings_(store, providers),
      flags_(store, providers),
      recordings_(recordings),
      webhooks_(providers, events.store()),
      notifier_(events.notifier()),
      stream_(events.store(), events.notifier()),
      auth_(auth),
      metrics_(metrics) {}

template <typename Response, typename Handler>
grpc::Status VideoPlatformService::Serve(
    grpc::ServerContext* context, absl::string_view method,
    const google::protobuf::Message& request, Response* response,
    Handler&& handler) {
  const absl::Time start = absl::Now();
  // Every line logged while serving carries the RPC and the caller's trace
  // id; one line reports the outcome (debug when OK, warning otherwise).
  std::vector<LogField> fields = {{"rpc", std::string(method)}};
  if (std::optional<std::string> trace = RequestIdOf(*context)) {
    fields.emplace_back("request_id", *std::move(trace));
  }
  AddIdFields(request, fields);
  const LogFields scope(std::move(fields));
  absl::Status status = auth_.Check(*context, method);
  if (status.ok()) {
    absl::StatusOr<Response> result = std::forward<Handler>(handler)();
    status = result.status();
    if (result.ok()) *response = *std::move(result);
  }
  const std::string latency_ms =
      absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(absl::Now() - start));
  if (status.ok()) {
    LogWithFields(spdlog::level::debug, "rpc done",
                  {{"code", "OK"}, {"latency_ms", latency_ms}});
    return grpc::Status::OK;
  }
  LogWithFields(spdlog::level::warn,
                absl::StrCat("rpc failed: ", status.message()),
                {{"code", absl::StatusCodeToString(status.code())},
                 {"latency_ms", latency_ms}});
  return ToGrpcStatus(status);
}

grpc::Status VideoPlatformService::CreateMeeting(
    grpc::ServerContext* context, const v1::CreateMeetingRequest* request,
    v1::CreateMeetingResponse* response) {
  return Serve(context, "CreateMeeting", *request, response, [&] {
    return meetings_.CreateMeeting(*request, ProviderCallContext(*context));
  });
}

grpc::Status VideoPlatformService::GetMeeting(
    grpc::ServerContext* context, const v1::GetMeetingRequest* request,
    v1::GetMeetingResponse* response) {
  return Serve(context, "GetMeeting", *request, response,
               [&] { return meetings_.GetMeeting(*request); });
}

grpc::Status VideoPlatformService::ListMeetings(
    grpc::ServerContext* context, const v1::ListMeetingsRequest* request,
    v1::ListMeetingsResponse* response) {
  return Serve(context, "ListMeetings", *request, response,
               [&] { return meetings_.ListMeetings(*request); });
}

grpc::Status VideoPlatformService::EndMeeting(
    grpc::ServerContext* context, const v1::EndMeetingRequest* request,
    v1::EndMeetingResponse* response) {
  return Serve(context, "EndMeeting", *request, response, [&] {
    return meetings_.EndMeeting(*request, ProviderCallContext(*context));
  });
}

grpc::Status VideoPlatformService::GetRoomSessions(
    grpc::ServerContext* context, const v1::GetRoomSessionsRequest* request,
    v1::GetRoomSessionsResponse* response) {
  return Serve(context, "GetRoomSessions", *request, response, [&] {
    return meetings_.GetRoomSessions(*request, ProviderCallContext(*context));
  });
}

grpc::Status VideoPlatformService::StartRecording(
    grpc::ServerContext* context, const v1::StartRecordingRequest* request,
    v1::StartRecordingResponse* response) {
  return Serve(context, "StartRecording", *request, response, [&] {
    return meetings_.StartRecording(*request, ProviderCallContext(*context));
  });
}

grpc::Status VideoPlatformService::ListPlatforms(
    grpc::ServerContext* context, const v1::ListPlatformsRequest* request,
    v1::ListPlatformsResponse* response) {
  return Serve(context, "ListPlatforms", *request, response,
               [&] { return meetings_.ListPlatforms(*request); });
}

grpc::Status VideoPlatformService::GetFlags(grpc::ServerContext* context,
                                            const v1::GetFlagsRequest* request,
                                            v1::GetFlagsResponse* response) {
  return Serve(context, "GetFlags", *request, response,
               [&] { return flags_.GetFlags(*request); });
}

grpc::Status VideoPlatformService::UpdateFlags(
    grpc::ServerContext* context, const v1::UpdateFlagsRequest* request,
    v1::UpdateFlagsResponse* response) {
  return Serve(context, "UpdateFlags", *request, response,
               [&] { return flags_.UpdateFlags(*request); });
}

grpc::Status VideoPlatformService::SetRoomPlatform(
    grpc::ServerContext* context, const v1::SetRoomPlatformRequest* request,
    v1::SetRoomPlatformResponse* response) {
  return Serve(context, "SetRoomPlatform", *request, response,
               [&] { return flags_.SetRoomPlatform(*request); });
}

grpc::Status VideoPlatformService::ClearRoomPlatform(
    grpc::ServerContext* context, const v1::ClearRoomPlatformRequest* request,
    v1::ClearRoomPlatformResponse* response) {
  return Serve(context, "ClearRoomPlatform", *request, response,
               [&] { return flags_.ClearRoomPlatform(*request); });
}

grpc::Status VideoPlatformService::ListRoomPlatforms(
    grpc::ServerContext* context, const v1::ListRoomPlatformsRequest* request,
    v1::ListRoomPlatformsResponse* response) {
  return Serve(context, "ListRoomPlatforms", *request, response,
               [&] { return flags_.ListRoomPlatforms(*request); });
}

grpc::Status VideoPlatformService::ResolvePlatform(
    grpc::ServerContext* context, const v1::ResolvePlatformRequest* request,
    v1::ResolvePlatformResponse* response) {
  return Serve(context, "ResolvePlatform", *request, response,
               [&] { return flags_.ResolvePlatform(*request); });
}

grpc::Status VideoPlatformService::IngestRecording(
    grpc::ServerContext* context, const v1::IngestRecordingRequest* request,
    v1::IngestRecordingResponse* response) {
  return Serve(context, "IngestRecording", *request, response,
               [&]() -> absl::StatusOr<v1::IngestRecordingResponse> {
                 if (recordings_ == nullptr) return RecordingsDisabled();
                 return recordings_->IngestRecording(*request);
               });
}

grpc::Status VideoPlatformService::GetRecording(
    grpc::ServerContext* context, const v1::GetRecordingRequest* request,
    v1::GetRecordingResponse* response) {
  return Serve(context, "GetRecording", *request, response,
               [&]() -> absl::StatusOr<v1::GetRecordingResponse> {
                 if (recordings_ == nullptr) return RecordingsDisabled();
                 return recordings_->GetRecording(*request);
               });
}

grpc::Status VideoPlatformService::ListRecordings(
    grpc::ServerContext* context, const v1::ListRecordingsRequest* request,
    v1::ListRecordingsResponse* response) {
  return Serve(context, "ListRecordings", *request, response,
               [&]() -> absl::StatusOr<v1::ListRecordingsResponse> {
                 if (recordings_ == nullptr) return RecordingsDisabled();
                 return recordings_->ListRecordings(*request);
               });
}

grpc::Status VideoPlatformService::VerifyWebhook(
    grpc::ServerContext* context, const v1::VerifyWebhookRequest* request,
    v1::VerifyWebhookResponse* response) {
  return Serve(context, "VerifyWebhook", *request, response, [&] {
    return MarkSignatureRejection(*context, webhooks_.VerifyWebhook(*request));
  });
}

grpc::Status VideoPlatformService::HandleWebhook(
    grpc::ServerContext* context, const v1::HandleWebhookRequest* request,
    v1::HandleWebhookResponse* response) {
  return Serve(context, "HandleWebhook", *request, response, [&] {
    absl::StatusOr<v1::HandleWebhookResponse> result =
        webhooks_.HandleWebhook(*request);
    metrics_.WebhookHandled(request->platform(), result);
    return MarkSignatureRejection(*context, std::move(result));
  });
}

grpc::Status VideoPlatformService::WatchEvents(
    grpc::ServerContext* context, const v1::WatchEventsRequest* request,
    grpc::ServerWriter<v1::WatchEventsResponse>* writer) {
  if (const absl::Status auth = auth_.Check(*context); !auth.ok()) {
    return ToGrpcStatus(auth);
  }
  {
    absl::MutexLock lock(&watches_mu_);
    watches_.insert(context);
  }
  metrics_.WatchStreamOpened();
  const absl::Status status = stream_.Watch(
      *request,
      [this, writer](const v1::WatchEventsResponse& response) {
        metrics_.WatchEventSent(notifier_.last_notified() -
                                response.event().sequence());
        return writer->Write(response);
      },
      [context] { return context->IsCancelled(); });
  metrics_.WatchStreamClosed();
  {
    absl::MutexLock lock(&watches_mu_);
    watches_.erase(context);
  }
  if (!status.ok() && IsServerSide(status.code()) &&
      !notifier_.is_shut_down()) {
    spdlog::warn("WatchEvents failed: {}", status.ToString());
  }
  return ToGrpcStatus(status);
}

void VideoPlatformService::StopWatches(absl::Duration grace) {
  notifier_.Shutdown();  // Waiting streams end now; new ones at once.
  absl::MutexLock lock(&watches_mu_);
  auto none = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(watches_mu_) {
    return watches_.empty();
  };
  watches_mu_.AwaitWithTimeout(absl::Condition(&none), grace);
  // Streams still here are blocked writing to clients that do not read.
  // The contexts stay valid: their calls cannot end while the lock is held.
  for (grpc::ServerContext* context : watches_) context->TryCancel();
}

}  // namespace videoplatform::server
