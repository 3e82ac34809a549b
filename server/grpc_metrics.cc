#include "server/grpc_metrics.h"

#include <google/protobuf/descriptor.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace videoplatform::server {
namespace {

using ::grpc::experimental::InterceptionHookPoints;
using ::grpc::experimental::ServerRpcInfo;

// go-grpc-prometheus's default buckets (seconds).
const prometheus::Histogram::BucketBoundaries& HandlingBuckets() {
  static const auto* const buckets =
      new prometheus::Histogram::BucketBoundaries{
          0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

// grpc_code label values: the names Go's codes.Code prints.
constexpr std::array<const char*, 17> kCodeNames = {"OK",
                                                    "Canceled",
                                                    "Unknown",
                                                    "InvalidArgument",
                                                    "DeadlineExceeded",
                                                    "NotFound",
                                                    "AlreadyExists",
                                                    "PermissionDenied",
                                                    "ResourceExhausted",
                                                    "FailedPrecondition",
                                                    "Aborted",
                                                    "OutOfRange",
                                                    "Unimplemented",
                                                    "Internal",
                                                    "Unavailable",
                                                    "DataLoss",
                                                    "Unauthenticated"};

const char* TypeLabel(ServerRpcInfo::Type type) {
  switch (type) {
    case ServerRpcInfo::Type::UNARY:
      return "unary";
    case ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unknown";
}

// Splits "/pkg.Service/Method" into its service and method when the
// generated descriptor pool knows them; else {"unknown", "unknown"}.
std::pair<std::string, std::string> KnownServiceAndMethod(
    absl::string_view path) {
  const std::pair<std::string, std::string> unknown = {"unknown", "unknown"};
  if (path.empty() || path.front() != '/') return unknown;
  path.remove_prefix(1);
  const size_t slash = path.find('/');
  if (slash == absl::string_view::npos) return unknown;
  const std::string service(path.substr(0, slash));
  const std::string method(path.substr(slash + 1));
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          service);
  if (descriptor == nullptr ||
      descriptor->FindMethodByName(method) == nullptr) {
    return unknown;
  }
  return {service, method};
}

// One per call; gRPC owns and deletes it.
class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(MethodSeries& series)
      : series_(series), start_(std::chrono::steady_clock::now()) {
    series_.started->Increment();
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE)) {
      series_.msg_received->Increment();
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      series_.msg_sent->Increment();
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      const int code = methods->GetSendStatus().error_code();
      if (code >= 0 && code < static_cast<int>(series_.handled.size())) {
        series_.handled[code]->Increment();
      }
      series_.handling_seconds->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                        start_)
              .count());
    }
    methods->Proceed();
  }

 private:
  MethodSeries& series_;
  const std::chrono::steady_clock::time_point start_;
};

class MetricsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(GrpcServerMetrics& metrics)
      : metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      ServerRpcInfo* info) override {
    return new MetricsInterceptor(
        metrics_.SeriesFor(info->method(), info->type()));
  }

 private:
  GrpcServerMetrics& metrics_;
};

}  // namespace

GrpcServerMetrics::GrpcServerMetrics(prometheus::Registry& registry)
    : started_(prometheus::BuildCounter()
                   .Name("grpc_server_started_total")
                   .Help("Total number of RPCs started on the server.")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("Total number of RPCs completed on the server, "
                         "regardless of success or failure.")
                   .Register(registry)),
      msg_received_(prometheus::BuildCounter()
                        .Name("grpc_server_msg_received_total")
                        .Help("Total number of RPC stream messages received "
                              "on the server.")
                        .Register(registry)),
      msg_sent_(prometheus::BuildCounter()
                    .Name("grpc_server_msg_sent_total")
                    .Help("Total number of gRPC stream messages sent by the "
                          "server.")
                    .Register(registry)),
      handling_seconds_(prometheus::BuildHistogram()
                            .Name("grpc_server_handling_seconds")
                            .Help("Histogram of response latency (seconds) of "
                                  "gRPC that had been application-level "
                                  "handled by the server.")
                            .Register(registry)) {}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
GrpcServerMetrics::NewInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(*this);
}

void GrpcServerMetrics::Preregister(const std::string& service_full_name) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          service_full_name);
  if (service == nullptr) return;
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* method = service->method(i);
    ServerRpcInfo::Type type = ServerRpcInfo::Type::UNARY;
    if (method->client_streaming() && method->server_streaming()) {
      type = ServerRpcInfo::Type::BIDI_STREAMING;
    } else if (method->client_streaming()) {
      type = ServerRpcInfo::Type::CLIENT_STREAMING;
    } else if (method->server_streaming()) {
      type = ServerRpcInfo::Type::SERVER_STREAMING;
    }
    SeriesFor(absl::StrCat("/", service_full_name, "/", method->name()), type);
  }
}

MethodSeries& GrpcServerMetrics::SeriesFor(const std::string& method,
                                           ServerRpcInfo::Type type) {
  const char* grpc_type = TypeLabel(type);
  std::string key = absl::StrCat(grpc_type, method);
  {
    absl::ReaderMutexLock lock(&mutex_);
    if (auto it = series_.find(key); it != series_.end()) return *it->second;
  }
  const auto [service, method_name] = KnownServiceAndMethod(method);
  // Made-up paths share one key, so they add neither labels nor entries.
  if (service == "unknown") key = absl::StrCat(grpc_type, " unknown");
  absl::MutexLock lock(&mutex_);
  if (auto it = series_.find(key); it != series_.end()) return *it->second;
  return CreateSeries(key, service, method_name, grpc_type);
}

MethodSeries& GrpcServerMetrics::CreateSeries(const std::string& key,
                                              const std::string& service,
                                              const std::string& method_name,
                                              const std::string& grpc_type) {
  const prometheus::Labels labels = {{"grpc_type", grpc_type},
                                     {"grpc_service", service},
                                     {"grpc_method", method_name}};
  auto series = std::make_unique<MethodSeries>();
  series->started = &started_.Add(labels);
  series->msg_received = &msg_received_.Add(labels);
  series->msg_sent = &msg_sent_.Add(labels);
  series->handling_seconds = &handling_seconds_.Add(labels, HandlingBuckets());
  // Every code, as go-grpc-prometheus initialises them: a rate() over a
  // series that appears only on its first error misses that error.
  for (size_t code = 0; code < kCodeNames.size(); ++code) {
    prometheus::Labels with_code = labels;
    with_code["grpc_code"] = kCodeNames[code];
    series->handled[code] = &handled_.Add(with_code);
  }
  return *(series_[key] = std::move(series));
}

}  // namespace videoplatform::server
