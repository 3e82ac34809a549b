#include "server/shim/webhook_shim.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/status_macros.h"
#include "server/shim/bounded_task_queue.h"
#include "server/shim/forwarded_headers.h"
#include "server/shim/request_checks.h"
#include "server/shim/request_log.h"
#include "server/shim/status_mapping.h"
#include "spdlog/spdlog.h"
#include "videoplatform/v1/videoplatform.pb.h"

namespace videoplatform::shim {
namespace {

using HandlerResponse = httplib::Server::HandlerResponse;

// A body at most this much above the limit is read and dropped before the
// 413, so a client that sent a little too much reads the answer instead of
// a connection reset. A larger one is answered at once (declared) or as
// soon as it passes this (chunked), and the connection closed unread.
constexpr size_t kDrainBytes = 64 << 10;

// Connections the kernel holds for the accept loop (capped by somaxconn).
constexpr int kListenBacklog = 512;

void Answer(const HttpAnswer& answer, httplib::Response& response) {
  response.status = answer.status;
  for (const auto& [name, value] : answer.headers) {
    response.set_header(name.c_str(), value);
  }
  response.set_content(answer.body, "text/plain; charset=utf-8");
  request_log::SetAnswer(answer);
}

// The declared Content-Length; 0 when absent or malformed.
size_t DeclaredLength(const httplib::Request& request) {
  size_t declared = 0;
  if (!absl::SimpleAtoi(request.get_header_value("Content-Length"),
                        &declared)) {
    return 0;
  }
  return declared;
}

void BeginRequestLog(const httplib::Request& request) {
  request_log::Begin();
  const Route* route = FindRoute(request.path);
  if (route != nullptr && route->kind == RouteKind::kWebhook) {
    request_log::SetPlatform(route->platform);
  }
}

// For answers cpp-httplib makes itself (e.g. 400 for a malformed request
// line), which have no body.
std::string GenericReason(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 404:
      return "not found";
    case 408:
      return "request timeout";
    case 413:
      return "request body too large";
    case 414:
      return "request URI too long";
    case 416:
      return "range not satisfiable";
    case 503:
      return "service unavailable";
    default:
      return status >= 500 ? "internal error" : "request refused";
  }
}

int64_t WholeSecondsRoundedUp(absl::Duration duration) {
  return std::max<int64_t>(
      1, absl::ToInt64Seconds(absl::Ceil(duration, absl::Seconds(1))));
}

}  // namespace

bool internal::HttpServer::SetListenBacklog(int backlog) {
  return ::listen(svr_sock_, backlog) == 0;
}

WebhookShim::WebhookShim(const ShimOptions& options)
    : options_(options), client_(options.service) {}

WebhookShim::~WebhookShim() { Shutdown(); }

absl::StatusOr<std::unique_ptr<WebhookShim>> WebhookShim::Start(
    const ShimOptions& options) {
  RETURN_IF_ERROR(ValidateShimOptions(options));
  ASSIGN_OR_RETURN(const HostPort address,
                   ParseHostPort(options.listen_address));
  auto shim = absl::WrapUnique(new WebhookShim(options));
  shim->Configure();
  internal::HttpServer& server = shim->server_;
  int port = -1;
  if (address.port == 0) {
    port = server.bind_to_any_port(address.host);
  } else if (server.bind_to_port(address.host, address.port)) {
    port = address.port;
  }
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     " (address in use, or not an address of this machine)"));
  }
  shim->port_ = port;
  if (!server.SetListenBacklog(kListenBacklog)) {
    spdlog::warn(
        "webhook shim: cannot raise the listen backlog; bursts of "
        "connections may wait for SYN retransmissions");
  }
  WebhookShim* raw = shim.get();
  shim->listener_ = std::thread([raw] {
    if (!raw->server_.listen_after_bind()) {
      spdlog::error("webhook shim: the accept loop failed");
    }
    raw->listener_done_.Notify();
  });
  // httplib's stop() is a no-op until its accept loop runs: wait for it, so
  // Shutdown() right after Start() cannot be lost.
  while (!server.is_running()) {
    if (raw->listener_done_.WaitForNotificationWithTimeout(
            absl::Milliseconds(1))) {
      return absl::InternalError("the HTTP accept loop stopped at start");
    }
  }
  return shim;
}

void WebhookShim::Configure() {
  const size_t workers = static_cast<size_t>(options_.max_connections);
  server_.new_task_queue = [workers] {
    return new BoundedTaskQueue(workers, workers);
  };
  // Not httplib's default SO_REUSEPORT: a second shim on the same port must
  // fail to start rather than silently share it.
  server_.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_.set_tcp_nodelay(true);
  server_.set_read_timeout(absl::ToChronoMicroseconds(options_.read_timeout));
  server_.set_write_timeout(absl::ToChronoMicroseconds(options_.write_timeout));
  // One request per connection; the wait for its first byte is the "keep-
  // alive" wait in httplib.
  server_.set_keep_alive_max_count(1);
  server_.set_keep_alive_timeout(
      static_cast<time_t>(WholeSecondsRoundedUp(options_.read_timeout)));
  // A backstop: webhook bodies are limited by CheckRequest and ServeWebhook.
  server_.set_payload_max_length(options_.limits.max_body_bytes + kDrainBytes);

  server_.set_expect_100_continue_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        if (std::optional<HttpAnswer> rejection =
                CheckRequest(request, options_.limits)) {
          BeginRequestLog(request);
          Answer(*rejection, response);
          return rejection->status;
        }
        return 100;
      });
  server_.set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        BeginRequestLog(request);
        std::optional<HttpAnswer> rejection =
            CheckRequest(request, options_.limits);
        if (!rejection.has_value()) return HandlerResponse::Unhandled;
        if (rejection->status == 413 &&
            DeclaredLength(request) <=
                options_.limits.max_body_bytes + kDrainBytes) {
          // Slightly too large: ServeWebhook reads and drops the body and
          // answers 413, so a client that sends its whole body before
          // reading gets the answer rather than a connection reset.
          return HandlerResponse::Unhandled;
        }
        Answer(*rejection, response);
        return HandlerResponse::Handled;
      });

  for (const Route& route : AllRoutes()) {
    const std::string path(route.path);
    switch (route.kind) {
      case RouteKind::kWebhook:
        server_.Post(path, [this, &route](const httplib::Request& request,
                                          httplib::Response& response,
                                          const httplib::ContentReader& read) {
          ServeWebhook(route, request, response, read);
        });
        break;
      case RouteKind::kLiveness:
        server_.Get(path,
                    [](const httplib::Request&, httplib::Response& response) {
                      Answer(TextAnswer(200, "ok", "live"), response);
                    });
        break;
      case RouteKind::kReadiness:
        server_.Get(
            path, [this](const httplib::Request&, httplib::Response& response) {
              ServeReadiness(response);
            });
        break;
    }
  }

  server_.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& response) {
        if (response.body.empty()) {
          response.set_content(GenericReason(response.status) + "\n",
                               "text/plain; charset=utf-8");
        }
        return HandlerResponse::Unhandled;
      }));
  server_.set_exception_handler([](const httplib::Request&,
                                   httplib::Response& response,
                                   std::exception_ptr error) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("webhook shim: handler failed: {}", what);
    Answer(TextAnswer(500, "internal error", "exception"), response);
  });
  server_.set_logger(
      [](const httplib::Request& request, const httplib::Response& response) {
        request_log::End(request, response);
      });
}

void WebhookShim::ServeWebhook(const Route& route,
                               const httplib::Request& request,
                               httplib::Response& response,
                               const httplib::ContentReader& read_body) {
  const size_t limit = options_.limits.max_body_bytes;
  std::string body;
  if (size_t declared = 0;
      absl::SimpleAtoi(request.get_header_value("Content-Length"), &declared)) {
    body.reserve(std::min(declared, limit));  // CheckRequest checked it.
  }
  size_t received = 0;
  const bool complete = read_body([&](const char* data, size_t size) {
    received += size;
    if (received > limit) {
      std::string().swap(body);
      return received <= limit + kDrainBytes;
    }
    body.append(data, size);
    return true;
  });
  if (received > limit) {
    Answer(TextAnswer(
               413,
               absl::StrCat("request body too large (limit ", limit, " bytes)"),
               "body_too_large"),
           response);
    return;
  }
  if (!complete) {
    Answer(TextAnswer(400, "unreadable request body", "bad_body"), response);
    return;
  }

  v1::HandleWebhookRequest call;
  call.set_platform(std::string(route.platform));
  for (ForwardedHeader& header : ForwardedHeaders(request.headers)) {
    v1::WebhookHeader* added = call.add_headers();
    added->set_name(std::move(header.name));
    added->set_value(std::move(header.value));
  }
  call.set_body(std::move(body));
  v1::HandleWebhookResponse result;
  const grpc::Status status = client_.HandleWebhook(call, &result);
  Answer(AnswerForWebhookResult(status, result), response);
}

void WebhookShim::ServeReadiness(httplib::Response& response) {
  if (client_.IsServing()) {
    Answer(TextAnswer(200, "ready", "serving"), response);
  } else {
    Answer(
        TextAnswer(503, "not ready: the service is not serving", "not_serving"),
        response);
  }
}

void WebhookShim::Shutdown() {
  absl::call_once(shutdown_once_, [this] {
    server_.stop();
    // listen_after_bind() returns once the task queue has run every request
    // in flight.
    if (listener_.joinable()) listener_.join();
  });
}

}  // namespace videoplatform::shim
