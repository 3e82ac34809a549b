// gRPC server metrics with the names and labels of go-grpc-prometheus, so
// operators' dashboards and alerts work unchanged:
//   grpc_server_started_total, grpc_server_handled_total (with grpc_code),
//   grpc_server_handling_seconds (histogram), grpc_server_msg_received_total,
//   grpc_server_msg_sent_total; labels grpc_type, grpc_service, grpc_method.
// Recorded by one server interceptor for every service on the server.
//
// Cardinality is bounded: a method that is not in the generated descriptor
// pool (a client calling a made-up name) is counted as service and method
// "unknown".
#ifndef VIDEOPLATFORM_SERVER_GRPC_METRICS_H_
#define VIDEOPLATFORM_SERVER_GRPC_METRICS_H_

#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace videoplatform::server {

// The series of one method, created on its first call (or by Preregister).
struct MethodSeries {
  prometheus::Counter* started = nullptr;
  prometheus::Counter* msg_received = nullptr;
  prometheus::Counter* msg_sent = nullptr;
  prometheus::Histogram* handling_seconds = nullptr;
  // Indexed by grpc::StatusCode (0..16).
  std::array<prometheus::Counter*, 17> handled{};
};

// Thread-safe. Must outlive the servers that use its interceptor factory.
class GrpcServerMetrics {
 public:
  // Registers the metric families in `registry` (which must outlive this).
  explicit GrpcServerMetrics(prometheus::Registry& registry);

  // A factory for ServerBuilder::experimental().SetInterceptorCreators.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  NewInterceptorFactory();

  // Creates the zero-valued series of every method of `service_full_name`
  // (e.g. "videoplatform.v1.VideoPlatformService"), code OK, so a scrape
  // shows them before the first call.
  void Preregister(const std::string& service_full_name);

  // The series for `method` ("/package.Service/Method") of `type`.
  MethodSeries& SeriesFor(const std::string& method,
                          grpc::experimental::ServerRpcInfo::Type type);

 private:
  MethodSeries& CreateSeries(const std::string& key, const std::string& service,
                             const std::string& method_name,
                             const std::string& grpc_type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Counter>& msg_received_;
  prometheus::Family<prometheus::Counter>& msg_sent_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;

  absl::Mutex mutex_;
  // Key: grpc_type + method path. Node-stable values.
  absl::flat_hash_map<std::string, std::unique_ptr<MethodSeries>> series_
      ABSL_GUARDED_BY(mutex_);
};

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_GRPC_METRICS_H_
