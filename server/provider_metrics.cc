#include "server/provider_metrics.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace videoplatform::server {
namespace {

using providers::CallContext;
using providers::MeetingRef;
using providers::VideoPlatform;

absl::StatusCode CodeOf(const absl::Status& status) { return status.code(); }
template <typename T>
absl::StatusCode CodeOf(const absl::StatusOr<T>& result) {
  return result.status().code();
}

// Forwards every call to the wrapped provider; times the REST calls.
class MeasuredPlatform : public VideoPlatform {
 public:
  MeasuredPlatform(std::unique_ptr<VideoPlatform> inner,
                   ProviderMetrics& metrics)
      : inner_(std::move(inner)), metrics_(metrics) {}

 private:
  template <typename Call>
  auto Measure(absl::string_view operation, Call&& call) {
    const auto start = std::chrono::steady_clock::now();
    auto result = std::forward<Call>(call)();
    metrics_.Record(
        inner_->name(), operation, CodeOf(result),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
    return result;
  }

 public:
  absl::string_view name() const override { return inner_->name(); }
  providers::Capabilities capabilities() const override {
    return inner_->capabilities();
  }

  absl::StatusOr<providers::CreatedMeeting> CreateMeeting(
      const providers::MeetingSpec& spec, const CallContext& context) override {
    return Measure("create_meeting",
                   [&] { return inner_->CreateMeeting(spec, context); });
  }
  absl::StatusOr<std::vector<providers::RoomSession>> GetRoomSessions(
      const MeetingRef& meeting, const CallContext& context) override {
    return Measure("get_room_sessions",
                   [&] { return inner_->GetRoomSessions(meeting, context); });
  }
  absl::Status DeleteRoom(const MeetingRef& meeting,
                          const CallContext& context) override {
    return Measure("delete_room",
                   [&] { return inner_->DeleteRoom(meeting, context); });
  }
  absl::Status UploadLogo(const MeetingRef& meeting, absl::string_view image,
                          absl::string_view content_type,
                          const CallContext& context) override {
    return Measure("upload_logo", [&] {
      return inner_->UploadLogo(meeting, image, content_type, context);
    });
  }
  absl::Status StartRecording(const MeetingRef& meeting,
                              absl::string_view recording_type,
                              absl::string_view instance_id,
                              const CallContext& context) override {
    return Measure("start_recording", [&] {
      return inner_->StartRecording(meeting, recording_type, instance_id,
                                    context);
    });
  }
  absl::Status VerifyWebhookSignature(const providers::WebhookRequest& request,
                                      absl::Time now) const override {
    return inner_->VerifyWebhookSignature(request, now);
  }
  absl::StatusOr<providers::ParsedWebhook> ParseWebhook(
      absl::string_view body) const override {
    return inner_->ParseWebhook(body);
  }
  absl::StatusOr<providers::DownloadLink> GetRecordingDownloadLink(
      absl::string_view provider_recording_id,
      const CallContext& context) override {
    return Measure("get_recording_download_link", [&] {
      return inner_->GetRecordingDownloadLink(provider_recording_id, context);
    });
  }

 private:
  const std::unique_ptr<VideoPlatform> inner_;
  ProviderMetrics& metrics_;
};

}  // namespace

ProviderMetrics::ProviderMetrics(prometheus::Registry& registry)
    : calls_(prometheus::BuildCounter()
                 .Name("videoplatform_provider_calls_total")
                 .Help("Provider API calls by platform, operation and "
                       "result code.")
                 .Register(registry)),
      seconds_(prometheus::BuildHistogram()
                   .Name("videoplatform_provider_call_seconds")
                   .Help("Provider API call latency in seconds, retries "
                         "included.")
                   .Register(registry)) {}

providers::PlatformDecorator ProviderMetrics::Decorator() {
  return [this](std::unique_ptr<VideoPlatform> platform)
             -> std::unique_ptr<VideoPlatform> {
    return std::make_unique<MeasuredPlatform>(std::move(platform), *this);
  };
}

void ProviderMetrics::Record(absl::string_view platform,
                             absl::string_view operation, absl::StatusCode code,
                             double seconds) {
  const std::string platform_label(platform);
  const std::string operation_label(operation);
  calls_
      .Add({{"platform", platform_label},
            {"operation", operation_label},
            {"code", absl::StatusCodeToString(code)}})
      .Increment();
  static const auto* const buckets =
      new prometheus::Histogram::BucketBoundaries{
          0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  seconds_
      .Add({{"platform", platform_label}, {"operation", operation_label}},
           *buckets)
      .Observe(seconds);
}

}  // namespace videoplatform::server
