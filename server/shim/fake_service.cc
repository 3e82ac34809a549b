#include "server/shim/fake_service.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/webhook_metadata.h"

namespace videoplatform::shim::testing {

std::vector<std::string> ReceivedWebhook::Header(
    const std::string& name) const {
  std::vector<std::string> values;
  for (const auto& [header_name, value] : headers) {
    if (header_name == name) values.push_back(value);
  }
  return values;
}

void FakeVideoPlatformService::SetAnswer(grpc::Status status,
                                         v1::WebhookOutcome outcome,
                                         bool token_rejected) {
  absl::MutexLock lock(&mu_);
  status_ = std::move(status);
  outcome_ = outcome;
  token_rejected_ = token_rejected;
}

void FakeVideoPlatformService::Hold() {
  absl::MutexLock lock(&mu_);
  held_ = true;
}

void FakeVideoPlatformService::Release() {
  absl::MutexLock lock(&mu_);
  held_ = false;
}

bool FakeVideoPlatformService::WaitForCalls(size_t count,
                                            absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto arrived = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return received_.size() >= count;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout);
}

std::vector<ReceivedWebhook> FakeVideoPlatformService::Received() const {
  absl::MutexLock lock(&mu_);
  return received_;
}

grpc::Status FakeVideoPlatformService::HandleWebhook(
    grpc::ServerContext* context, const v1::HandleWebhookRequest* request,
    v1::HandleWebhookResponse* response) {
  ReceivedWebhook received;
  received.platform = request->platform();
  for (const v1::WebhookHeader& header : request->headers()) {
    // Like the service: the exact bytes when sent, else the text.
    received.headers.emplace_back(header.name(), header.raw_value().empty()
                                                     ? header.value()
                                                     : header.raw_value());
    received.text_values.emplace_back(header.name(), header.value());
  }
  received.body = request->body();
  for (auto [it, end] = context->client_metadata().equal_range("authorization");
       it != end; ++it) {
    received.authorization.emplace_back(it->second.data(), it->second.size());
  }

  absl::MutexLock lock(&mu_);
  received_.push_back(std::move(received));
  auto released = [this]()
                      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !held_; };
  // Past the caller's deadline by a margin, so that the caller always sees
  // its deadline pass rather than a late answer racing it.
  const absl::Time give_up =
      std::min(absl::FromChrono(context->deadline()) + absl::Seconds(2),
               absl::Now() + absl::Seconds(30));
  if (!mu_.AwaitWithDeadline(absl::Condition(&released), give_up)) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "still held");
  }
  response->set_outcome(outcome_);
  response->set_detail("fake detail");
  if (status_.error_code() == grpc::StatusCode::UNAUTHENTICATED &&
      !token_rejected_) {
    context->AddTrailingMetadata(kWebhookRejectedMetadata, "signature");
  }
  return status_;
}

std::unique_ptr<FakeServiceServer> FakeServiceServer::Start(
    FakeVideoPlatformService& service) {
  grpc::EnableDefaultHealthCheckService(true);
  auto server = std::make_unique<FakeServiceServer>();
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(&service);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ <= 0) return nullptr;
  server->SetServing(true);
  return server;
}

FakeServiceServer::~FakeServiceServer() { Stop(); }

std::string FakeServiceServer::target() const {
  return absl::StrCat("127.0.0.1:", port_);
}

void FakeServiceServer::SetServing(bool serving) {
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus(serving);
}

void FakeServiceServer::Stop() {
  if (server_ == nullptr) return;
  server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  server_->Wait();
  server_.reset();
}

}  // namespace videoplatform::shim::testing
