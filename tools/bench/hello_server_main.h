// Shared by the benchmark's hello-world servers (hello_sync_server.cc,
// hello_callback_server.cc): builds a gRPC server for one service on
// 127.0.0.1:0 (or --listen), writes the chosen port to --port_file (or
// prints "port=<n>" on stdout) and serves until SIGINT/SIGTERM.
//
// Contract: RunHelloServer returns the process exit code; `service` must
// outlive the call. Not thread-safe; call once from main.
#ifndef TOOLS_BENCH_HELLO_SERVER_MAIN_H_
#define TOOLS_BENCH_HELLO_SERVER_MAIN_H_

#include <grpcpp/impl/service_type.h>

int RunHelloServer(int argc, char** argv, grpc::Service* service);

#endif  // TOOLS_BENCH_HELLO_SERVER_MAIN_H_
