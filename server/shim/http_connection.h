// One client's HTTP/1.1 connection to the shim, served with Boost.Beast on
// the shim's io_context. Event-driven: a connection waiting for bytes, for
// the service or for the client to read holds no thread.
//
// Per request:
//  - the wait for its first byte is bounded by `idle_timeout` (keep-alive
//    idle connections and clients that connect and send nothing);
//  - from its first byte, ONE deadline (`request_timeout`) covers the whole
//    request, headers and body, however the bytes trickle in: a client that
//    misses it gets 408 and the connection is closed;
//  - header bytes are capped by the parser before they are buffered
//    (431), then CheckRequest (request_checks.h) runs on the parsed head;
//  - the body is capped by the parser (declared or chunked; 413);
//  - a refused request (any 4xx/5xx of the checks or the parser) is
//    answered with Connection: close; when that leaves a body unread (413,
//    other refusals) the connection is closed lingering: the shim stops
//    sending, then reads and drops at most kLingerBytes for at most
//    kLingerTime, so a client that sends its whole body before reading gets
//    the answer rather than a connection reset;
//  - Expect: 100-continue gets 100 Continue only once the head passed the
//    checks;
//  - a routed request goes to the RequestHandler; its answer is written
//    with `write_timeout`; keep-alive is honoured (HTTP/1.1 default).
#ifndef VIDEOPLATFORM_SERVER_SHIM_HTTP_CONNECTION_H_
#define VIDEOPLATFORM_SERVER_SHIM_HTTP_CONNECTION_H_

#include <httplib.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/optional.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "server/shim/connection_limiter.h"
#include "server/shim/http_answer.h"
#include "server/shim/request_checks.h"
#include "server/shim/request_log.h"
#include "server/shim/routes.h"
#include "server/shim/shim_metrics.h"

namespace videoplatform::shim {

struct ConnectionSettings {
  RequestLimits limits;
  absl::Duration request_timeout = absl::Seconds(5);
  absl::Duration idle_timeout = absl::Seconds(10);
  absl::Duration write_timeout = absl::Seconds(5);
  // Where requests are counted (not owned; may be null in tests).
  ShimMetrics* metrics = nullptr;
};

// What a connection hands a request that passed the checks to.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // `head` has the method, path (no query) and headers as sent; `body` is
  // complete (dechunked). `answer` must be called exactly once, from any
  // thread, and may be called after Handle returns. Must not block.
  virtual void Handle(const Route& route, const httplib::Request& head,
                      std::string body,
                      std::function<void(HttpAnswer)> answer) = 0;
};

// Owned by shared_ptr: every pending operation holds one. Start(),
// StopGracefully() and Close() may be called from any thread; all the work
// runs on the connection's strand.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  // `socket` must run on a strand; `settings` and `handler` must outlive the
  // connection. `slot` (its place under the connection caps) is released
  // when the connection is destroyed. `on_destroyed` runs in the destructor.
  HttpConnection(boost::asio::ip::tcp::socket socket,
                 const ConnectionSettings& settings, RequestHandler& handler,
                 std::unique_ptr<ConnectionLimiter::Slot> slot,
                 std::function<void()> on_destroyed);
  ~HttpConnection();

  void Start();
  // Idle or reading: closed at once (nothing was acknowledged). Waiting for
  // its answer or writing it: the answer is finished, then the connection
  // closes.
  void StopGracefully();
  // Closes the socket now; pending operations end.
  void Close();

 private:
  enum class State {
    kIdle,
    kReading,
    kHandling,
    kWriting,
    kLingering,
    kClosed
  };
  using Parser =
      boost::beast::http::request_parser<boost::beast::http::string_body>;

  void WaitForRequest();
  void ReadHead();
  void OnHead(boost::beast::error_code error);
  void ReadBody();
  void OnBody(boost::beast::error_code error);
  void Dispatch();
  // Answers for a read that failed; closes silently for a client gone.
  void OnReadError(boost::beast::error_code error);
  void WriteAnswer(HttpAnswer answer, bool keep_alive, bool linger);
  void OnWritten(bool keep_alive, bool linger, boost::beast::error_code error);
  void Linger();
  void DoClose();

  boost::beast::tcp_stream stream_;
  const ConnectionSettings& settings_;
  RequestHandler& handler_;
  const std::unique_ptr<ConnectionLimiter::Slot> slot_;
  const std::function<void()> on_destroyed_;

  State state_ = State::kIdle;
  bool stopping_ = false;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  httplib::Request head_;
  const Route* route_ = nullptr;
  RequestLogEntry log_;
  std::optional<boost::beast::http::response<boost::beast::http::string_body>>
      response_;
  std::unique_ptr<char[]> linger_buffer_;
  size_t lingered_bytes_ = 0;
};

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_HTTP_CONNECTION_H_
