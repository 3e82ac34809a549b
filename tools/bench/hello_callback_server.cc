// Hello-world gRPC server, callback API (grpc::CallbackService): the
// second baseline of tools/bench/rpc_throughput.sh. Flags: --listen,
// --port_file.
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <string>

#include "tools/bench/hello.grpc.pb.h"
#include "tools/bench/hello_server_main.h"

namespace {

class CallbackGreeter final : public bench::hello::Greeter::CallbackService {
 public:
  // Thread-safe: no state. Answers inline on gRPC's callback thread.
  grpc::ServerUnaryReactor* SayHello(grpc::CallbackServerContext* context,
                                     const bench::hello::HelloRequest* request,
                                     bench::hello::HelloReply* reply) override {
    reply->set_message("Hello " + request->name());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  CallbackGreeter service;
  return RunHelloServer(argc, argv, &service);
}
