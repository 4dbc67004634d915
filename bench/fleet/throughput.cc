// Throughput: one RESP client per node, each writing to its own node, for a
// fixed time; against the same number of clients writing to one
// redis-server.
#include <atomic>
#include <thread>

#include "bench/fleet/phases.h"

namespace parley::bench {
namespace {

struct ClientTotals {
  uint64_t ok = 0;
  uint64_t failed = 0;
  double seconds = 0;
};

// Every client connects first, then all start together and run for
// `seconds`, `pipeline` SETs in flight each.
Result<ClientTotals> RunSetClients(const std::vector<std::string>& addresses, const BenchConfig& config,
                                   const std::string& prefix) {
  std::vector<std::unique_ptr<RespConn>> conns;
  for (const std::string& address : addresses) {
    auto conn = RespConn::Connect(address, std::chrono::seconds(10));
    if (!conn.ok()) return conn.status();
    conns.push_back(std::move(*conn));
  }
  std::atomic<uint64_t> ok{0}, failed{0};
  std::atomic<bool> go{false};
  auto duration = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(config.throughput_seconds));
  Clock::time_point deadline;
  std::vector<std::thread> threads;
  const std::string value(static_cast<size_t>(config.value_size), 't');
  for (size_t c = 0; c < conns.size(); ++c) {
    threads.emplace_back([&, c] {
      while (!go.load()) std::this_thread::yield();
      uint64_t my_ok = 0, my_failed = 0;
      std::vector<std::vector<std::string>> batch(static_cast<size_t>(config.pipeline));
      // A bounded key set per client (1000 keys), so memory stays flat on
      // both systems however long the run.
      for (uint64_t i = 0; Clock::now() < deadline;) {
        for (auto& cmd : batch) cmd = {"SET", prefix + std::to_string(c) + ":" + std::to_string(i++ % 1000), value};
        auto replies = conns[c]->Pipeline(batch);
        if (!replies.ok()) {
          my_failed += batch.size();
          break;
        }
        for (const RespReply& r : *replies) (r.kind == RespReply::Kind::kStatus ? my_ok : my_failed)++;
      }
      ok += my_ok;
      failed += my_failed;
    });
  }
  Clock::time_point start = Clock::now();
  deadline = start + duration;
  go = true;
  for (std::thread& t : threads) t.join();
  return ClientTotals{ok.load(), failed.load(), MillisBetween(start, Clock::now()) / 1000};
}

}  // namespace

Status RunThroughput(const PhaseContext& ctx) {
  BenchFleet& fleet = *ctx.fleet;
  int n = fleet.size();
  std::string note = std::to_string(n) + " clients, pipeline " + std::to_string(ctx.config->pipeline);
  auto parley = RunSetClients(fleet.RespAddresses(), *ctx.config, "tput:");
  if (!parley.ok()) return parley.status();
  ctx.report->Add({"throughput", n, "parley", "set_per_s", parley->ok / parley->seconds, "ops/s",
                   note + ", one client per node"});
  std::vector<std::string> one_server(static_cast<size_t>(n), ctx.redis->address());
  auto redis = RunSetClients(one_server, *ctx.config, "tput:");
  if (!redis.ok()) return redis.status();
  ctx.report->Add({"throughput", n, "redis", "set_per_s", redis->ok / redis->seconds, "ops/s",
                   note + ", all to one server"});
  if (parley->failed + redis->failed > 0) {
    ctx.report->Add({"throughput", n, "parley", "failed", static_cast<double>(parley->failed), "ops", ""});
    ctx.report->Add({"throughput", n, "redis", "failed", static_cast<double>(redis->failed), "ops", ""});
  }
  // Let the fleet finish gossiping the burst before the next phase.
  auto settled = WaitForSameDigest(fleet, std::chrono::seconds(120));
  if (!settled.ok()) return settled.status().WithContext("after the throughput burst");
  ctx.report->Add({"throughput", n, "parley", "settle_after_burst", static_cast<double>(settled->count()), "ms",
                   "until all digests equal (polled)"});
  return Status::Ok();
}

}  // namespace parley::bench
