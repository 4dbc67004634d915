// Router: method and path dispatch with one wildcard tail.
#include "node/http/router.h"

#include "node/http/url.h"

namespace parley {

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route r;
  r.method = std::move(method);
  r.wildcard = pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, "/*") == 0;
  r.prefix = r.wildcard ? pattern.substr(0, pattern.size() - 1) : pattern;
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

void Router::Dispatch(const HttpRequest& request, ExchangePtr exchange) const {
  std::string allowed;
  for (const Route& r : routes_) {
    std::string tail;
    if (r.wildcard) {
      if (request.path.size() <= r.prefix.size() || request.path.compare(0, r.prefix.size(), r.prefix) != 0) {
        continue;
      }
      Result<std::string> decoded = PercentDecode(std::string_view(request.path).substr(r.prefix.size()), false);
      if (!decoded.ok()) {
        exchange->Respond(ErrorResponse(400, "bad_request", decoded.status().message()));
        return;
      }
      tail = std::move(decoded).value();
    } else if (request.path != r.prefix) {
      continue;
    }
    if (r.method != request.method) {
      if (allowed.find(r.method) == std::string::npos) allowed += (allowed.empty() ? "" : ", ") + r.method;
      continue;
    }
    r.handler(request, tail, std::move(exchange));
    return;
  }
  if (!allowed.empty()) {
    HttpResponse r =
        ErrorResponse(405, "method_not_allowed",
                      request.method + " is not allowed on " + request.path + " (allowed: " + allowed + ")");
    r.headers.emplace_back("Allow", allowed);
    exchange->Respond(std::move(r));
    return;
  }
  exchange->Respond(ErrorResponse(404, "not_found", "no such endpoint: " + request.path));
}

}  // namespace parley
