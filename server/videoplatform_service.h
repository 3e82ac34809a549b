// The gRPC edge of VideoPlatformService: authenticates each call, hands it
// to MeetingRpcs / FlagRpcs / RecordingRpcs / WebhookRpcs / EventStream and
// converts their absl::Status to gRPC status.
//
// Sync API on purpose: provider calls (libcurl) and SQLite block, and gRPC's
// sync server runs each call on a pool thread.
#ifndef VIDEOPLATFORM_SERVER_VIDEOPLATFORM_SERVICE_H_
#define VIDEOPLATFORM_SERVER_VIDEOPLATFORM_SERVICE_H_

#include <google/protobuf/message.h>

#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "providers/registry.h"
#include "server/bearer_auth.h"
#include "server/event_stream.h"
#include "server/flag_rpcs.h"
#include "server/meeting_rpcs.h"
#include "server/recording_rpcs.h"
#include "server/service_metrics.h"
#include "server/webhook_rpcs.h"
#include "storage/store.h"
#include "videoplatform/v1/videoplatform.grpc.pb.h"

namespace videoplatform::server {

// The longest a provider call may take when the client set no deadline.
inline constexpr absl::Duration kMaxProviderCallTime = absl::Seconds(30);

class VideoPlatformService final : public v1::VideoPlatformService::Service {
 public:
  // `store`, `providers` and `events` (the event log webhooks append to
  // and WatchEvents streams) must outlive the service.
  // `recordings` (optional: without it the recording RPCs answer
  // UNIMPLEMENTED) must outlive the service too.
  // `metrics` too.
  VideoPlatformService(storage::Store& store,
                       const providers::Providers& providers,
                       const BearerAuth& auth, EventLog& events,
                       ServiceMetrics& metrics,
                       RecordingRpcs* recordings = nullptr);

  // See WebhookRpcs::set_on_applied. Call before serving.
  void set_on_webhook_applied(WebhookRpcs::AppliedHook hook) {
    webhooks_.set_on_applied(std::move(hook));
  }

  // Ends every open WatchEvents stream with UNAVAILABLE and makes new ones
  // end at once; waits up to `grace` for streams stuck writing to a slow
  // client, then cancels them. Call before grpc::Server::Shutdown, which
  // would otherwise wait for the streams. Thread-safe.
  void StopWatches(absl::Duration grace);

  grpc::Status CreateMeeting(grpc::ServerContext* context,
                             const v1::CreateMeetingRequest* request,
                             v1::CreateMeetingResponse* response) override;
  grpc::Status GetMeeting(grpc::ServerContext* context,
                          const v1::GetMeetingRequest* request,
                          v1::GetMeetingResponse* response) override;
  grpc::Status ListMeetings(grpc::ServerContext* context,
                            const v1::ListMeetingsRequest* request,
                            v1::ListMeetingsResponse* response) override;
  grpc::Status EndMeeting(grpc::ServerContext* context,
                          const v1::EndMeetingRequest* request,
                          v1::EndMeetingResponse* response) override;
  grpc::Status GetRoomSessions(grpc::ServerContext* context,
                               const v1::GetRoomSessionsRequest* request,
                               v1::GetRoomSessionsResponse* response) override;
  grpc::Status StartRecording(grpc::ServerContext* context,
                              const v1::StartRecordingRequest* request,
                              v1::StartRecordingResponse* response) override;
  grpc::Status ListPlatforms(grpc::ServerContext* context,
                             const v1::ListPlatformsRequest* request,
                             v1::ListPlatformsResponse* response) override;
  grpc::Status GetFlags(grpc::ServerContext* context,
                        const v1::GetFlagsRequest* request,
                        v1::GetFlagsResponse* response) override;
  grpc::Status UpdateFlags(grpc::ServerContext* context,
                           const v1::UpdateFlagsRequest* request,
                           v1::UpdateFlagsResponse* response) override;
  grpc::Status SetRoomPlatform(grpc::ServerContext* context,
                               const v1::SetRoomPlatformRequest* request,
                               v1::SetRoomPlatformResponse* response) override;
  grpc::Status ClearRoomPlatform(
      grpc::ServerContext* context, const v1::ClearRoomPlatformRequest* request,
      v1::ClearRoomPlatformResponse* response) override;
  grpc::Status ListRoomPlatforms(
      grpc::ServerContext* context, const v1::ListRoomPlatformsRequest* request,
      v1::ListRoomPlatformsResponse* response) override;
  grpc::Status ResolvePlatform(grpc::ServerContext* context,
                               const v1::ResolvePlatformRequest* request,
                               v1::ResolvePlatformResponse* response) override;
  grpc::Status IngestRecording(grpc::ServerContext* context,
                               const v1::IngestRecordingRequest* request,
                               v1::IngestRecordingResponse* response) override;
  grpc::Status GetRecording(grpc::ServerContext* context,
                            const v1::GetRecordingRequest* request,
                            v1::GetRecordingResponse* response) override;
  grpc::Status ListRecordings(grpc::ServerContext* context,
                              const v1::ListRecordingsRequest* request,
                              v1::ListRecordingsResponse* response) override;
  grpc::Status VerifyWebhook(grpc::ServerContext* context,
                             const v1::VerifyWebhookRequest* request,
                             v1::VerifyWebhookResponse* response) override;
  grpc::Status HandleWebhook(grpc::ServerContext* context,
                             const v1::HandleWebhookRequest* request,
                             v1::HandleWebhookResponse* response) override;
  grpc::Status WatchEvents(
      grpc::ServerContext* context, const v1::WatchEventsRequest* request,
      grpc::ServerWriter<v1::WatchEventsResponse>* writer) override;

 private:
  // Authenticates, runs `handler` and stores its result in `response`.
  template <typename Response, typename Handler>
  // Authenticates, runs `handler`, converts its result and logs the
  // outcome with the RPC's id fields (taken from `request`).
  grpc::Status Serve(grpc::ServerContext* context, absl::string_view method,
                     const google::protobuf::Message& request,
                     Response* response, Handler&& handler);

  MeetingRpcs meetings_;
  FlagRpcs flags_;
  RecordingRpcs* const recordings_;  // May be null.
  WebhookRpcs webhooks_;
  EventNotifier& notifier_;
  EventStream stream_;
  const BearerAuth& auth_;
  ServiceMetrics& metrics_;

  // The contexts of the WatchEvents calls running now.
  absl::Mutex watches_mu_;
  std::set<grpc::ServerContext*> watches_ ABSL_GUARDED_BY(watches_mu_);
};

// The provider-call context for an RPC: its deadline, capped at
// kMaxProviderCallTime from now.
providers::CallContext ProviderCallContext(const grpc::ServerContext& context);

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_VIDEOPLATFORM_SERVICE_H_
