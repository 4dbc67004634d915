// Endpoints describing the node: /healthz, /metrics, /v1/status, /v1/members.
#include "node/http/handlers.h"
#include "node/http/json_codec.h"
#include "node/http/metrics.h"
#include "node/runtime/net_address.h"

namespace parley {
namespace {

using nlohmann::json;

json StatusJson(const NodeRuntime& rt) {
  const NodeCore& core = rt.core();
  json members = {{"alive", 0}, {"suspect", 0}, {"dead", 0}, {"left", 0}};
  for (const auto& [name, m] : core.membership().members()) {
    members[MemberStateName(m.state)] = members[MemberStateName(m.state)].get<int>() + 1;
  }
  json context = json::object();
  core.map().context().ForEachReplica([&context](ReplicaId replica, std::span<const DotRange> ranges) {
    json list = json::array();
    for (const DotRange& r : ranges) list.push_back({r.first, r.last});
    context[ReplicaHex(replica)] = std::move(list);
  });
  json addresses = json::object();
  for (const auto& [name, address] : rt.addresses()) addresses[name] = FormatAddress(address);
  return {
      {"name", rt.name()},
      {"replica", ReplicaHex(core.replica())},
      {"digest", core.StateDigest().ToHex()},
      {"keys", core.map().KeyCount()},
      {"members", members},
      {"context", context},
      {"durable_sequence", core.durable_sequence()},
      {"sync_policy", SyncPolicyName(core.config().sync_policy)},
      {"in_memory", rt.logbook() == nullptr},
      {"addresses", addresses},
      {"data_dir", rt.logbook() ? json(rt.data_dir()) : json(nullptr)},
      {"local_health", core.membership().local_health()},
      {"stats", StatsJson(core.stats())},
  };
}

json MemberJson(const Member& m) {
  return {{"name", m.name},
          {"replica", ReplicaHex(m.replica)},
          {"address", FormatAddress(m.address)},
          {"state", MemberStateName(m.state)},
          {"incarnation", m.incarnation},
          {"meta", m.meta}};
}

}  // namespace

void AddStatusRoutes(Router& router, NodeRuntime& rt) {
  router.Add("GET", "/healthz", [](const HttpRequest&, const std::string&, ExchangePtr ex) {
    ex->Respond(JsonResponse(200, {{"ok", true}}));
  });
  router.Add("GET", "/metrics", [&rt](const HttpRequest&, const std::string&, ExchangePtr ex) {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = RenderMetrics(rt);
    ex->Respond(std::move(r));
  });
  router.Add("GET", "/v1/status", [&rt](const HttpRequest&, const std::string&, ExchangePtr ex) {
    ex->Respond(JsonResponse(200, StatusJson(rt)));
  });
  router.Add("GET", "/v1/members", [&rt](const HttpRequest&, const std::string&, ExchangePtr ex) {
    json list = json::array();
    for (const Member& m : rt.Members()) list.push_back(MemberJson(m));
    ex->Respond(JsonResponse(200, {{"members", list}}));
  });
}

}  // namespace parley
