#include "server/shim/http_connection.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace videoplatform::shim {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

// A lingering close reads and drops at most this much, for at most this
// long: enough for a client that sends a body of a few MiB before reading
// its answer, bounded for one that never stops.
constexpr size_t kLingerBytes = 8 << 20;
constexpr absl::Duration kLingerTime = absl::Seconds(2);
constexpr size_t kLingerChunk = 16 << 10;
// How much the wait for a request's first bytes reads at once.
constexpr size_t kFirstRead = 4 << 10;
// The read buffer is given back after a request that grew it past this.
constexpr size_t kKeptBufferBytes = 16 << 10;
// The request line (method, target, version) may add this much to the
// header bytes RequestLimits counts.
constexpr size_t kRequestLineBytes = 8 << 10;

constexpr absl::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::chrono::steady_clock::duration Chrono(absl::Duration duration) {
  return absl::ToChronoNanoseconds(duration);
}

// The parser's cap on the whole head: the header bytes CheckRequest allows
// (names and values), the 4 bytes of ": " and CRLF per field, and the
// request line. CheckRequest then applies the exact limits.
uint32_t HeadLimit(const RequestLimits& limits) {
  const uint64_t bytes = static_cast<uint64_t>(limits.max_header_bytes) +
                         4 * static_cast<uint64_t>(limits.max_header_count) +
                         kRequestLineBytes;
  return static_cast<uint32_t>(std::min<uint64_t>(bytes, UINT32_MAX));
}

}  // namespace

HttpConnection::HttpConnection(net::ip::tcp::socket socket,
                               const ConnectionSettings& settings,
                               RequestHandler& handler,
                               std::unique_ptr<ConnectionLimiter::Slot> slot,
                               std::function<void()> on_destroyed)
    : stream_(std::move(socket)),
      settings_(settings),
      handler_(handler),
      slot_(std::move(slot)),
      on_destroyed_(std::move(on_destroyed)) {
  log_.set_metrics(settings_.metrics);
}

HttpConnection::~HttpConnection() {
  if (on_destroyed_) on_destroyed_();
}

void HttpConnection::Start() {
  net::dispatch(stream_.get_executor(),
                [self = shared_from_this()] { self->WaitForRequest(); });
}

void HttpConnection::StopGracefully() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    if (self->state_ == State::kIdle || self->state_ == State::kReading ||
        self->state_ == State::kLingering) {
      self->DoClose();
    }
  });
}

void HttpConnection::Close() {
  net::post(stream_.get_executor(),
            [self = shared_from_this()] { self->DoClose(); });
}

void HttpConnection::WaitForRequest() {
  if (state_ == State::kClosed) return;
  if (stopping_) {
    DoClose();
    return;
  }
  if (buffer_.size() > 0) {  // Pipelined: the next request is here.
    ReadHead();
    return;
  }
  state_ = State::kIdle;
  stream_.expires_after(Chrono(settings_.idle_timeout));
  stream_.async_read_some(
      buffer_.prepare(kFirstRead),
      [self = shared_from_this()](beast::error_code error, size_t bytes) {
        if (self->state_ == State::kClosed) return;
        if (error) {  // Idle timeout, or the client closed.
          self->DoClose();
          return;
        }
        self->buffer_.commit(bytes);
        self->ReadHead();
      });
}

void HttpConnection::ReadHead() {
  state_ = State::kReading;
  log_.Begin();
  head_ = httplib::Request();
  route_ = nullptr;
  parser_.emplace();
  parser_->header_limit(HeadLimit(settings_.limits));
  // No body limit yet: a declared size is judged by CheckRequest, after the
  // route and method (a 404 stays a 404 whatever its Content-Length).
  // (Not boost::none: Boost 1.74 compares a Content-Length with an empty
  // optional limit as exceeding it.)
  parser_->body_limit(std::numeric_limits<uint64_t>::max());
  // The one deadline of the whole request, headers and body.
  stream_.expires_after(Chrono(settings_.request_timeout));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, size_t) {
        self->OnHead(error);
      });
}

void HttpConnection::OnHead(beast::error_code error) {
  if (state_ == State::kClosed) return;
  if (error) {
    OnReadError(error);
    return;
  }
  const auto& request = parser_->get();
  head_.method = std::string(request.method_string());
  const absl::string_view target(request.target().data(),
                                 request.target().size());
  head_.path = std::string(target.substr(0, target.find('?')));
  for (const auto& field : request) {
    head_.headers.emplace(std::string(field.name_string()),
                          std::string(field.value()));
  }
  log_.SetRequestLine(head_.method, head_.path);
  route_ = FindRoute(head_.path);
  if (route_ != nullptr && route_->kind == RouteKind::kWebhook) {
    log_.SetPlatform(route_->platform);
  }
  if (std::optional<HttpAnswer> rejection =
          CheckRequest(head_, settings_.limits)) {
    // A refused request closes its connection (lingering when a body is
    // left unread).
    WriteAnswer(*std::move(rejection), /*keep_alive=*/false,
                /*linger=*/!parser_->is_done());
    return;
  }
  if (!parser_->is_done() &&
      absl::EqualsIgnoreCase(head_.get_header_value("Expect"),
                             "100-continue")) {
    net::async_write(
        stream_, net::buffer(kContinue.data(), kContinue.size()),
        [self = shared_from_this()](beast::error_code error, size_t) {
          if (self->state_ == State::kClosed) return;
          if (error) {
            self->DoClose();
            return;
          }
          self->ReadBody();
        });
    return;
  }
  ReadBody();
}

void HttpConnection::ReadBody() {
  parser_->body_limit(settings_.limits.max_body_bytes);
  if (parser_->is_done()) {
    Dispatch();
    return;
  }
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, size_t) {
        self->OnBody(error);
      });
}

void HttpConnection::OnBody(beast::error_code error) {
  if (state_ == State::kClosed) return;
  if (error) {
    OnReadError(error);
    return;
  }
  Dispatch();
}

void HttpConnection::Dispatch() {
  stream_.expires_never();
  state_ = State::kHandling;
  std::string body = std::move(parser_->get().body());
  const net::any_io_executor executor = stream_.get_executor();
  handler_.Handle(*route_, head_, std::move(body),
                  [self = shared_from_this(), executor](HttpAnswer answer) {
                    net::post(executor, [self, answer = std::move(answer)] {
                      self->WriteAnswer(answer, /*keep_alive=*/true,
                                        /*linger=*/false);
                    });
                  });
}

void HttpConnection::OnReadError(beast::error_code error) {
  if (error == beast::error::timeout) {
    // tcp_stream closed the socket: nothing can be sent any more.
    HttpAnswer timeout = TextAnswer(408, "request timeout", "request_timeout");
    timeout.log_detail = "closed: the request missed its deadline";
    log_.End(timeout);
    DoClose();
    return;
  }
  if (error == http::error::header_limit) {
    WriteAnswer(
        TextAnswer(431, "request headers too large", "headers_too_large"),
        false, true);
    return;
  }
  if (error == http::error::body_limit) {
    WriteAnswer(TextAnswer(413,
                           "request body too large (limit " +
                               std::to_string(settings_.limits.max_body_bytes) +
                               " bytes)",
                           "body_too_large"),
                false, true);
    return;
  }
  if (error == http::error::end_of_stream || error == net::error::eof ||
      error == net::error::connection_reset ||
      error == net::error::operation_aborted ||
      error == http::error::partial_message) {
    DoClose();  // The client went away; nothing to answer.
    return;
  }
  // Any other parse error: a malformed request line, field, chunk or
  // Content-Length.
  WriteAnswer(TextAnswer(400, "malformed request", "bad_request"), false, true);
}

void HttpConnection::WriteAnswer(HttpAnswer answer, bool keep_alive,
                                 bool linger) {
  if (state_ == State::kClosed) return;
  const bool client_keeps_alive =
      parser_.has_value() && parser_->is_header_done() &&
      parser_->get().version() == 11 && parser_->get().keep_alive();
  keep_alive = keep_alive && !linger && !stopping_ && client_keeps_alive;
  state_ = State::kWriting;
  log_.End(answer);

  response_.emplace(static_cast<http::status>(answer.status), 11);
  for (const auto& [name, value] : answer.headers) {
    response_->set(name, value);
  }
  response_->set(http::field::content_type, "text/plain; charset=utf-8");
  response_->keep_alive(keep_alive);
  if (head_.method == "HEAD") {
    response_->content_length(answer.body.size());
  } else {
    response_->body() = std::move(answer.body);
    response_->prepare_payload();
  }
  stream_.expires_after(Chrono(settings_.write_timeout));
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), keep_alive, linger](
                        beast::error_code error, size_t) {
                      self->OnWritten(keep_alive, linger, error);
                    });
}

void HttpConnection::OnWritten(bool keep_alive, bool linger,
                               beast::error_code error) {
  response_.reset();
  if (state_ == State::kClosed) return;
  if (error) {
    DoClose();
    return;
  }
  if (linger) {
    Linger();
    return;
  }
  if (!keep_alive) {
    // The request was read whole: nothing unread can turn the close into a
    // reset.
    DoClose();
    return;
  }
  parser_.reset();
  if (buffer_.size() == 0 && buffer_.capacity() > kKeptBufferBytes) {
    buffer_.shrink_to_fit();
  }
  WaitForRequest();
}

void HttpConnection::Linger() {
  if (state_ != State::kLingering) {
    state_ = State::kLingering;
    if (stopping_) {
      DoClose();
      return;
    }
    beast::error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    linger_buffer_ = std::make_unique<char[]>(kLingerChunk);
    stream_.expires_after(Chrono(kLingerTime));
  }
  stream_.async_read_some(
      net::buffer(linger_buffer_.get(), kLingerChunk),
      [self = shared_from_this()](beast::error_code error, size_t bytes) {
        if (self->state_ == State::kClosed) return;
        self->lingered_bytes_ += bytes;
        if (error || self->lingered_bytes_ > kLingerBytes) {
          self->DoClose();
          return;
        }
        self->Linger();
      });
}

void HttpConnection::DoClose() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  // parser_, buffer_ and linger_buffer_ stay: a pending read still uses them
  // until it completes (aborted); they go with the connection.
}

}  // namespace videoplatform::shim
