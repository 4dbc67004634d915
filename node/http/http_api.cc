// StartHttpApi: wires the routers of every endpoint group to an HttpServer.
#include "node/http/http_api.h"

#include "node/http/handlers.h"
#include "node/runtime/net_address.h"

namespace parley {

Result<Address> StartHttpApi(NodeRuntime& runtime, const Address& address, HttpServerOptions options) {
  Router router;
  AddStatusRoutes(router, runtime);
  AddKeyRoutes(router, runtime);
  AddWriteRoutes(router, runtime);
  AddWatchRoutes(router, runtime);
  AddTreasureRoutes(router, runtime);
  AddAdminRoutes(router, runtime);
  auto server = std::make_unique<HttpServer>(runtime.loop(), std::move(router), runtime.logger(), options);
  PARLEY_RETURN_IF_ERROR(server->Listen(address));
  Address bound = server->bound_address();
  runtime.SetMeta("http", FormatAddress(bound));
  runtime.SetAddress("http", bound);
  runtime.AttachFrontDoor(std::move(server));
  return bound;
}

}  // namespace parley
