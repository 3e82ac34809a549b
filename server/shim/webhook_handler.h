// What the shim does with a request that passed its checks: webhooks are
// forwarded to HandleWebhook, /healthz answers at once, /readyz asks the
// service's health check. Answers per status_mapping.h.
#ifndef VIDEOPLATFORM_SERVER_SHIM_WEBHOOK_HANDLER_H_
#define VIDEOPLATFORM_SERVER_SHIM_WEBHOOK_HANDLER_H_

#include "server/shim/http_connection.h"
#include "server/shim/service_client.h"

namespace videoplatform::shim {

// Thread-safe; never blocks (the service calls are asynchronous). `client`
// must outlive it.
class WebhookHandler : public RequestHandler {
 public:
  explicit WebhookHandler(const ServiceClient& client) : client_(client) {}

  void Handle(const Route& route, const httplib::Request& head,
              std::string body,
              std::function<void(HttpAnswer)> answer) override;

 private:
  const ServiceClient& client_;
};

}  // namespace videoplatform::shim

#endif  // VIDEOPLATFORM_SERVER_SHIM_WEBHOOK_HANDLER_H_
