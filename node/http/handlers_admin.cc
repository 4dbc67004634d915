// Admin endpoints: fault injection for partitions without root, and a
// graceful leave for launchers that prefer HTTP to signals.
#include "node/http/handlers.h"
#include "node/http/json_codec.h"

namespace parley {
namespace {

nlohmann::json FaultsJson(const FaultFilter& filter) {
  return {{"drop", filter.faults().drop},
          {"delay_ms", filter.faults().delay_ms},
          {"dropped_outgoing", filter.dropped_outgoing()},
          {"dropped_incoming", filter.dropped_incoming()}};
}

Result<FaultSet> ParseFaults(const nlohmann::json& body) {
  FaultSet faults;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() != "drop" && it.key() != "delay_ms") {
      return Status::InvalidArgument("faults: unknown field \"" + it.key() + "\"");
    }
  }
  if (auto it = body.find("drop"); it != body.end()) {
    if (!it->is_array()) return Status::InvalidArgument("faults: \"drop\" must be an array of member names");
    for (const auto& name : *it) {
      if (!name.is_string()) return Status::InvalidArgument("faults: \"drop\" must be an array of member names");
      faults.drop.insert(name.get<std::string>());
    }
  }
  if (auto it = body.find("delay_ms"); it != body.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() > 60000) {
      return Status::InvalidArgument("faults: \"delay_ms\" must be an integer from 0 to 60000");
    }
    faults.delay_ms = it->get<uint64_t>();
  }
  return faults;
}

}  // namespace

void AddAdminRoutes(Router& router, NodeRuntime& rt) {
  router.Add("GET", "/v1/admin/faults", [&rt](const HttpRequest&, const std::string&, ExchangePtr ex) {
    ex->Respond(JsonResponse(200, FaultsJson(rt.faults())));
  });
  router.Add("POST", "/v1/admin/faults", [&rt](const HttpRequest& req, const std::string&, ExchangePtr ex) {
    Result<nlohmann::json> body = ParseJsonObject(req.body);
    Result<FaultSet> faults = body.ok() ? ParseFaults(*body) : Result<FaultSet>(body.status());
    if (!faults.ok()) {
      ex->Respond(ErrorResponse(faults.status()));
      return;
    }
    rt.SetFaults(std::move(faults).value());
    nlohmann::json out = FaultsJson(rt.faults());
    out["ok"] = true;
    ex->Respond(JsonResponse(200, out));
  });
  router.Add("DELETE", "/v1/admin/faults", [&rt](const HttpRequest&, const std::string&, ExchangePtr ex) {
    rt.ClearFaults();
    ex->Respond(OkResponse());
  });
  router.Add("POST", "/v1/admin/leave", [&rt](const HttpRequest&, const std::string&, ExchangePtr ex) {
    ex->Respond(OkResponse());
    rt.LeaveAndStop();
  });
}

}  // namespace parley
