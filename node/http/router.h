// Router: maps method + path to a handler.
//
// Patterns are exact ("/v1/status") or end in "/*" ("/v1/keys/*"), which
// matches any non-empty remainder and hands it to the handler
// percent-decoded: keys may contain '/' and any other byte. A path that
// matches no pattern is 404; one that matches only with other methods is
// 405 with an Allow header.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "node/http/http_exchange.h"
#include "node/http/http_request.h"

namespace parley {

class Router {
 public:
  // `tail` is the decoded remainder for "/*" patterns, empty otherwise.
  using Handler = std::function<void(const HttpRequest& request, const std::string& tail, ExchangePtr exchange)>;

  void Add(std::string method, std::string pattern, Handler handler);
  void Dispatch(const HttpRequest& request, ExchangePtr exchange) const;

 private:
  struct Route {
    std::string method;
    std::string prefix;  // pattern without the '*'
    bool wildcard = false;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace parley
