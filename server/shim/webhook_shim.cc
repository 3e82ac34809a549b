#include "server/shim/webhook_shim.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <exception>
#include <future>
#include <string>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/common/status_macros.h"
#include "spdlog/spdlog.h"

namespace videoplatform::shim {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Connections the kernel holds for the accept loop (capped by somaxconn).
constexpr int kListenBacklog = 512;
// After accept() fails for want of descriptors or memory, wait this long.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);
// After the grace: how long closed connections and cancelled calls may take
// to wind down.
constexpr absl::Duration kWindDown = absl::Seconds(2);
// Refusals by the connection caps are counted and logged at most this often.
constexpr absl::Duration kRefusalWarningInterval = absl::Seconds(10);

// Sent to a connection beyond the caps, in one non-blocking write.
constexpr char kRefusal[] =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 20\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
    "too many connections";

void Refuse(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(net::buffer(kRefusal, sizeof(kRefusal) - 1), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

ConnectionSettings SettingsFrom(const ShimOptions& options,
                                ShimMetrics* metrics) {
  ConnectionSettings settings;
  settings.metrics = metrics;
  settings.limits = options.limits;
  settings.request_timeout = options.read_timeout;
  settings.idle_timeout = options.idle_timeout;
  settings.write_timeout = options.write_timeout;
  return settings;
}

}  // namespace

WebhookShim::WebhookShim(const ShimOptions& options)
    : options_(options),
      settings_(SettingsFrom(options, &metrics_)),
      client_(options.service),
      handler_(client_),
      limiter_(options.max_connections, options.max_connections_per_ip),
      acceptor_(net::make_strand(io_)),
      accept_backoff_(acceptor_.get_executor()) {}

WebhookShim::~WebhookShim() { Shutdown(); }

absl::StatusOr<std::unique_ptr<WebhookShim>> WebhookShim::Start(
    const ShimOptions& options) {
  RETURN_IF_ERROR(ValidateShimOptions(options));
  ASSIGN_OR_RETURN(const HostPort address,
                   ParseHostPort(options.listen_address));
  auto shim = absl::WrapUnique(new WebhookShim(options));
  const absl::Status unavailable = absl::UnavailableError(
      absl::StrCat("cannot listen on ", options.listen_address,
                   " (address in use, or not an address of this machine)"));

  boost::system::error_code error;
  tcp::resolver resolver(shim->io_);
  const tcp::resolver::results_type endpoints = resolver.resolve(
      address.host, std::to_string(address.port),
      tcp::resolver::passive | tcp::resolver::numeric_service, error);
  if (error || endpoints.empty()) return unavailable;
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  tcp::acceptor& acceptor = shim->acceptor_;
  acceptor.open(endpoint.protocol(), error);
  if (error) return unavailable;
  // Not SO_REUSEPORT: a second shim on the same port must fail to start
  // rather than silently share it.
  acceptor.set_option(net::socket_base::reuse_address(true), error);
  acceptor.bind(endpoint, error);
  if (error) return unavailable;
  acceptor.listen(kListenBacklog, error);
  if (error) return unavailable;
  shim->port_ = acceptor.local_endpoint(error).port();
  if (error) return unavailable;

  WebhookShim* raw = shim.get();
  net::post(acceptor.get_executor(), [raw] { raw->Accept(); });
  shim->threads_.reserve(static_cast<size_t>(options.io_threads));
  for (int i = 0; i < options.io_threads; ++i) {
    shim->threads_.emplace_back([raw] {
      auto work = net::make_work_guard(raw->io_);
      for (;;) {
        try {
          raw->io_.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("webhook shim: an I/O handler failed: {}", e.what());
        }
      }
    });
  }
  return shim;
}

void WebhookShim::Accept() {
  if (!accepting_) return;
  acceptor_.async_accept(
      net::make_strand(io_),
      [this](boost::system::error_code error, tcp::socket socket) {
        OnAccept(error, std::move(socket));
      });
}

void WebhookShim::OnAccept(boost::system::error_code error,
                           tcp::socket socket) {
  if (!accepting_) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  if (error) {
    if (error == net::error::operation_aborted) return;
    // Out of descriptors or memory: accepting again at once would spin.
    spdlog::warn("webhook shim: accept failed: {}", error.message());
    accept_backoff_.expires_after(kAcceptBackoff);
    accept_backoff_.async_wait([this](boost::system::error_code) { Accept(); });
    return;
  }
  boost::system::error_code ignored;
  const tcp::endpoint peer = socket.remote_endpoint(ignored);
  std::unique_ptr<ConnectionLimiter::Slot> slot =
      limiter_.TryAcquire(peer.address().to_string());
  if (slot == nullptr) {
    metrics_.ConnectionRefused("caps");
    Refuse(socket);
    NoteRefusal();
    Accept();
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  const uint64_t id = next_connection_id_++;
  metrics_.ConnectionOpened();
  auto connection = std::make_shared<HttpConnection>(
      std::move(socket), settings_, handler_, std::move(slot), [this, id] {
        metrics_.ConnectionClosed();
        absl::MutexLock lock(&mu_);
        connections_.erase(id);
      });
  {
    absl::MutexLock lock(&mu_);
    connections_.emplace(id, connection);
  }
  connection->Start();
  Accept();
}

void WebhookShim::NoteRefusal() {
  ++refused_since_warning_;
  const absl::Time now = absl::Now();
  if (now - last_refusal_warning_ < kRefusalWarningInterval) return;
  spdlog::warn(
      "webhook shim: refused {} connection(s) beyond the caps "
      "(max_connections {}, max_connections_per_ip {}) since the last warning",
      refused_since_warning_, options_.max_connections,
      options_.max_connections_per_ip);
  refused_since_warning_ = 0;
  last_refusal_warning_ = now;
}

std::vector<std::shared_ptr<HttpConnection>> WebhookShim::Connections() {
  std::vector<std::shared_ptr<HttpConnection>> alive;
  absl::MutexLock lock(&mu_);
  for (const auto& [id, weak] : connections_) {
    if (std::shared_ptr<HttpConnection> connection = weak.lock()) {
      alive.push_back(std::move(connection));
    }
  }
  return alive;
}

bool WebhookShim::WaitForNoConnections(absl::Time deadline) {
  while (limiter_.open() > 0) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

void WebhookShim::Shutdown() {
  absl::call_once(shutdown_once_, [this] {
    if (threads_.empty()) return;  // Start() failed before serving.
    const absl::Time deadline = absl::Now() + options_.shutdown_grace;
    // Stop accepting (on the acceptor's strand), and wait until it has.
    std::promise<void> closed;
    net::post(acceptor_.get_executor(), [this, &closed] {
      accepting_ = false;
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      accept_backoff_.cancel();
      closed.set_value();
    });
    closed.get_future().wait();

    for (const auto& connection : Connections()) connection->StopGracefully();
    if (!WaitForNoConnections(deadline)) {
      spdlog::warn(
          "webhook shim: closing {} connections still busy after the grace",
          limiter_.open());
      for (const auto& connection : Connections()) connection->Close();
      client_.CancelAll(kWindDown);
      if (!WaitForNoConnections(absl::Now() + kWindDown)) {
        spdlog::error("webhook shim: {} connections did not close",
                      limiter_.open());
      }
    }
    client_.CancelAll(kWindDown);
    io_.stop();
    for (std::thread& thread : threads_) thread.join();
    // A call that outlived the wind-down still posts its answer to io_,
    // which must exist until it has (its handler is then dropped unrun).
    client_.CancelAll(absl::Seconds(30));
  });
}

}  // namespace videoplatform::shim
