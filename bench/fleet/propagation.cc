// Propagation: write on one node, time until every node reports the key;
// the same for N subscribers of one redis-server. Bytes per update come
// from the nodes' /metrics around the same writes.
#include <algorithm>
#include <thread>

#include "bench/fleet/key_watcher.h"
#include "bench/fleet/latency_stats.h"
#include "bench/fleet/phases.h"
#include "protocol/delta_codec.h"
#include "storage/crdt_map.h"

namespace parley::bench {
namespace {

using std::chrono::milliseconds;

struct WriteTimes {
  std::vector<double> visible_ms;  // write sent -> seen by the last server
  std::vector<double> half_ms;     // write sent -> seen by half of the servers
  int missed = 0;                  // not seen everywhere within the timeout
};

// One SET at a time, rotating over `writers`, each timed from just before
// the SET is sent until the watcher has a report from every server.
Result<WriteTimes> TimeWrites(KeyWatcher& watcher, const std::vector<std::unique_ptr<RespConn>>& writers,
                              const std::string& prefix, const BenchConfig& config) {
  WriteTimes out;
  std::string value(static_cast<size_t>(config.value_size), 'v');
  for (int i = 0; i < config.writes; ++i) {
    std::string key = prefix + std::to_string(i);
    RespConn& conn = *writers[static_cast<size_t>(i) % writers.size()];
    watcher.Expect(key);
    Clock::time_point sent = Clock::now();
    auto reply = conn.Command({"SET", key, value});
    if (!reply.ok()) return reply.status();
    if (reply->kind != RespReply::Kind::kStatus) {
      return Status::Corruption("SET " + key + " on " + conn.address() + " answered " + reply->text);
    }
    std::vector<Clock::time_point> seen = watcher.Wait(key, config.write_timeout);
    if (std::count(seen.begin(), seen.end(), Clock::time_point{}) > 0) {
      ++out.missed;
    } else {
      out.visible_ms.push_back(MillisBetween(sent, *std::max_element(seen.begin(), seen.end())));
      // The median server tells a slow tail (a few nodes waiting for
      // anti-entropy) apart from slow spreading as a whole.
      std::nth_element(seen.begin(), seen.begin() + static_cast<long>(seen.size() / 2), seen.end());
      out.half_ms.push_back(MillisBetween(sent, seen[seen.size() / 2]));
    }
    std::this_thread::sleep_for(milliseconds(config.gap_ms));
  }
  return out;
}

void AddLatencyRows(const PhaseContext& ctx, const std::string& system, const WriteTimes& t) {
  int n = ctx.fleet->size();
  LatencySummary s = Summarize(t.visible_ms);
  std::string goal;
  if (system == "parley" && n == 32) goal = s.p99 <= 50 ? "goal p99 <= 50 ms: met" : "goal p99 <= 50 ms: MISSED";
  ctx.report->Add({"propagation", n, system, "p50", s.p50, "ms", ""});
  ctx.report->Add({"propagation", n, system, "p99", s.p99, "ms", goal});
  ctx.report->Add({"propagation", n, system, "max", s.max, "ms", ""});
  LatencySummary half = Summarize(t.half_ms);
  double fast = static_cast<double>(std::count_if(t.visible_ms.begin(), t.visible_ms.end(),
                                                  [](double ms) { return ms <= 50; }));
  ctx.report->Add({"propagation", n, system, "half_nodes_p50", half.p50, "ms", "until half the nodes have it"});
  ctx.report->Add({"propagation", n, system, "half_nodes_p99", half.p99, "ms", ""});
  ctx.report->Add({"propagation", n, system, "all_within_50ms", 100 * fast / std::max<size_t>(1, t.visible_ms.size()),
                   "%", "writes visible on every node within 50 ms"});
  ctx.report->Add({"propagation", n, system, "missed", static_cast<double>(t.missed), "writes",
                   "of " + std::to_string(ctx.config->writes) + ", not everywhere within " +
                       std::to_string(ctx.config->write_timeout.count()) + " ms"});
}

// The encoded size of the delta one SET of this benchmark produces: a
// fresh map's delta for a key of the same length and value, msgpack as on
// the wire (no envelope or frame header: that is the lower bound's point).
size_t DeltaBytes(const std::string& key, size_t value_size) {
  CrdtMap map(0x9e3779b97f4a7c15ULL);  // a full-width replica id, like a real node's
  uint64_t now_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  auto delta = map.Apply(Op::Set(key, std::string(value_size, 'v')), MakeTimestamp(now_ms, 0));
  return delta.ok() ? EncodeDelta(*delta).size() : 0;
}

struct BytesSample {
  uint64_t bytes = 0;
  Clock::time_point at;
};

Result<BytesSample> SampleBytes(const BenchFleet& fleet) {
  Clock::time_point before = Clock::now();
  auto sum = fleet.SumCounter("parley_bytes_sent_total");
  if (!sum.ok()) return sum.status();
  // Scraping 64 nodes takes a while; date the sample at its middle.
  return BytesSample{*sum, before + (Clock::now() - before) / 2};
}

}  // namespace

double MillisBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

Status RunPropagation(const PhaseContext& ctx, bool measure_bytes) {
  BenchFleet& fleet = *ctx.fleet;
  const BenchConfig& config = *ctx.config;
  int n = fleet.size();

  // parley: a watcher on every node, a writer connection to every node.
  {
    auto watcher = KeyWatcher::Start(fleet.RespAddresses(), "__keyevent@0__:changed");
    if (!watcher.ok()) return watcher.status().WithContext("subscribing to the nodes");
    std::vector<std::unique_ptr<RespConn>> writers;
    for (const std::string& address : fleet.RespAddresses()) {
      auto conn = RespConn::Connect(address, std::chrono::seconds(10));
      if (!conn.ok()) return conn.status();
      writers.push_back(std::move(*conn));
    }
    BytesSample idle_start, write_start, write_end;
    if (measure_bytes) {
      // Probes and gossip flow even when nobody writes; measure that rate
      // first and subtract it from the writing window.
      auto a = SampleBytes(fleet);
      if (!a.ok()) return a.status();
      std::this_thread::sleep_for(milliseconds(config.idle_ms));
      auto b = SampleBytes(fleet);
      if (!b.ok()) return b.status();
      idle_start = *a;
      write_start = *b;
    }
    std::string prefix = "prop:" + std::to_string(n) + ":";
    auto times = TimeWrites(**watcher, writers, prefix, config);
    if (!times.ok()) return times.status();
    AddLatencyRows(ctx, "parley", *times);
    if (measure_bytes) {
      // Forwarding of the last writes continues briefly after every node
      // has them (redundant pushes); wait for it to be counted too.
      std::this_thread::sleep_for(milliseconds(1000));
      auto c = SampleBytes(fleet);
      if (!c.ok()) return c.status();
      write_end = *c;
      double idle_rate = static_cast<double>(write_start.bytes - idle_start.bytes) /
                         MillisBetween(idle_start.at, write_start.at);
      double background = idle_rate * MillisBetween(write_start.at, write_end.at);
      double per_update = (static_cast<double>(write_end.bytes - write_start.bytes) - background) / config.writes;
      size_t delta = DeltaBytes(prefix + std::to_string(config.writes / 2), static_cast<size_t>(config.value_size));
      double bound = static_cast<double>(n - 1) * static_cast<double>(delta);
      double ratio = bound > 0 ? per_update / bound : 0;
      ctx.report->Add({"bytes", n, "parley", "sent_per_update_fleet", per_update, "bytes",
                       "idle background subtracted"});
      ctx.report->Add({"bytes", n, "parley", "sent_per_update_per_node", per_update / n, "bytes", ""});
      ctx.report->Add({"bytes", n, "parley", "delta_size", static_cast<double>(delta), "bytes", "msgpack, no framing"});
      ctx.report->Add({"bytes", n, "parley", "lower_bound_(N-1)xdelta", bound, "bytes", ""});
      ctx.report->Add({"bytes", n, "parley", "ratio_to_lower_bound", ratio, "x",
                       ratio <= 3 ? "goal <= 3x: met" : "goal <= 3x: MISSED"});
      ctx.report->Add({"bytes", n, "parley", "idle_background_per_node", idle_rate * 1000 / n, "bytes/s", ""});
    }
  }

  // redis-server: the "every node" of a central server is N subscribers.
  {
    auto admin = RespConn::Connect(ctx.redis->address(), std::chrono::seconds(5));
    if (!admin.ok()) return admin.status();
    // Keyspace events only for this phase: they cost redis a little on
    // every write, and the throughput phase should not pay for them.
    auto on = (*admin)->Command({"CONFIG", "SET", "notify-keyspace-events", "E$"});
    if (!on.ok()) return on.status();
    std::vector<std::string> subscribers(static_cast<size_t>(n), ctx.redis->address());
    auto watcher = KeyWatcher::Start(subscribers, "__keyevent@0__:set");
    if (!watcher.ok()) return watcher.status().WithContext("subscribing to redis-server");
    std::vector<std::unique_ptr<RespConn>> writers;
    writers.push_back(std::move(*admin));
    auto times = TimeWrites(**watcher, writers, "prop:" + std::to_string(n) + ":", config);
    Status off = writers[0]->Command({"CONFIG", "SET", "notify-keyspace-events", ""}).status();
    if (!times.ok()) return times.status();
    AddLatencyRows(ctx, "redis", *times);
    PARLEY_RETURN_IF_ERROR(off);
  }
  return Status::Ok();
}

}  // namespace parley::bench
