// Hello-world gRPC server, synchronous API (grpc::Service): the baseline
// of tools/bench/rpc_throughput.sh. Flags: --listen, --port_file.
#include <grpcpp/server_context.h>

#include <string>

#include "tools/bench/hello.grpc.pb.h"
#include "tools/bench/hello_server_main.h"

namespace {

class SyncGreeter final : public bench::hello::Greeter::Service {
 public:
  // Thread-safe: no state.
  grpc::Status SayHello(grpc::ServerContext* /*context*/,
                        const bench::hello::HelloRequest* request,
                        bench::hello::HelloReply* reply) override {
    reply->set_message("Hello " + request->name());
    return grpc::Status::OK;
  }
};

}  // namespace

int main(int argc, char** argv) {
  SyncGreeter service;
  return RunHelloServer(argc, argv, &service);
}
