// Read latency: an embedded libparley node (in this process, joined to the
// fleet), a RESP GET to a fleet node, and a GET to redis-server, in the
// same run and over the same key.
#include <thread>

#include "bench/fleet/latency_stats.h"
#include "bench/fleet/phases.h"
#include "parley/parley.h"

namespace parley::bench {
namespace {

using std::chrono::milliseconds;

constexpr int kWarmup = 1000;

void AddRows(const PhaseContext& ctx, const std::string& system, std::vector<double> us) {
  LatencySummary s = Summarize(std::move(us));
  int n = ctx.fleet->size();
  ctx.report->Add({"reads", n, system, "p50", s.p50, "us", ""});
  ctx.report->Add({"reads", n, system, "p99", s.p99, "us", ""});
}

// `count` unpipelined GETs of `key`, each timed on its own.
Result<std::vector<double>> TimeRespGets(const std::string& address, const std::string& key, int count) {
  auto conn = RespConn::Connect(address, std::chrono::seconds(5));
  if (!conn.ok()) return conn.status();
  std::vector<double> us;
  us.reserve(static_cast<size_t>(count));
  for (int i = -kWarmup; i < count; ++i) {
    Clock::time_point start = Clock::now();
    auto reply = (*conn)->Command({"GET", key});
    Clock::time_point end = Clock::now();
    if (!reply.ok()) return reply.status();
    if (reply->kind != RespReply::Kind::kString) return Status::NotFound("GET " + key + " on " + address);
    if (i >= 0) us.push_back(MillisBetween(start, end) * 1000);
  }
  return us;
}

}  // namespace

Status RunReads(const PhaseContext& ctx) {
  BenchFleet& fleet = *ctx.fleet;
  const BenchConfig& config = *ctx.config;
  const std::string key = "bench:read";
  const std::string value(static_cast<size_t>(config.value_size), 'r');
  for (const std::string& address : {fleet.node(0).resp, ctx.redis->address()}) {
    auto conn = RespConn::Connect(address, std::chrono::seconds(5));
    if (!conn.ok()) return conn.status();
    auto set = (*conn)->Command({"SET", key, value});
    if (!set.ok()) return set.status();
  }

  // The embedded node joins the fleet like any member and receives the key
  // by gossip; reads are then local and lock-protected (no loop hop).
  {
    embed::Options o;
    o.name = "bench-embedded";
    o.in_memory = true;
    o.seeds = {fleet.node(0).gossip};
    o.timing = embed::TimingProfile::kLocal;
    o.log_level = "error";
    auto node = embed::Node::Open(o);
    if (!node.ok()) return Status::Unavailable("opening the embedded node: " + node.status().ToString());
    Clock::time_point start = Clock::now();
    while (!(*node)->Get(key).ok()) {
      if (Clock::now() - start > std::chrono::seconds(30)) {
        return Status::TimedOut("the embedded node did not receive " + key + " within 30 s");
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    std::vector<double> us;
    us.reserve(static_cast<size_t>(config.embedded_reads));
    for (int i = -kWarmup; i < config.embedded_reads; ++i) {
      Clock::time_point t0 = Clock::now();
      auto got = (*node)->Get(key);
      Clock::time_point t1 = Clock::now();
      if (!got.ok() || got->size() != value.size()) return Status::Corruption("embedded Get returned a wrong value");
      if (i >= 0) us.push_back(MillisBetween(t0, t1) * 1000);
    }
    AddRows(ctx, "parley-embedded", std::move(us));
    (void)(*node)->Close();  // a graceful leave, so the fleet does not suspect it
  }

  auto resp = TimeRespGets(fleet.node(0).resp, key, config.resp_reads);
  if (!resp.ok()) return resp.status();
  AddRows(ctx, "parley-resp", std::move(*resp));
  auto redis = TimeRespGets(ctx.redis->address(), key, config.resp_reads);
  if (!redis.ok()) return redis.status();
  AddRows(ctx, "redis", std::move(*redis));
  return Status::Ok();
}

}  // namespace parley::bench
