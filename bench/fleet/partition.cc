// Partitions: availability of each side while cut off, and convergence
// time after healing a partition both sides wrote through.
//
// The cut is parley's admin fault switch (POST /v1/admin/faults through
// LocalFleet::Partition): the first half of the nodes drops all traffic
// to and from the second half. redis-server cannot be partitioned that
// way on one loopback, so "cut off from redis" is modelled: side A is the
// side redis-server lives on and its client talks to it normally; side B's
// client is pointed at a loopback port nothing listens on, so every
// attempt fails at once (a real cut would fail after a timeout instead;
// the fraction is the same, 0%).
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "bench/fleet/latency_stats.h"
#include "bench/fleet/phases.h"
#include "node/cli/node_api.h"

namespace parley::bench {
namespace {

using std::chrono::milliseconds;

struct Sides {
  std::vector<std::string> names[2];
  std::vector<int> index[2];
};

Sides Split(const BenchFleet& fleet) {
  Sides s;
  for (int i = 0; i < fleet.size(); ++i) {
    int side = i < fleet.size() / 2 ? 0 : 1;
    s.names[side].push_back(fleet.node(i).name);
    s.index[side].push_back(i);
  }
  return s;
}

struct Availability {
  uint64_t writes = 0, writes_ok = 0, reads = 0, reads_ok = 0;
};

// For `seconds`: SET a fresh key, then GET it back, round-robin over
// `addresses`, a few ms apart. A connection that fails is retried on the
// next attempt. A read succeeds only if it returns the value just written.
Availability Probe(const std::vector<std::string>& addresses, double seconds, const std::string& prefix) {
  Availability a;
  std::vector<std::unique_ptr<RespConn>> conns(addresses.size());
  Clock::time_point end =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (uint64_t i = 0; Clock::now() < end; ++i) {
    size_t j = i % addresses.size();
    std::string key = prefix + std::to_string(i), value = "v" + std::to_string(i);
    ++a.writes;
    ++a.reads;
    if (!conns[j]) {
      auto conn = RespConn::Connect(addresses[j], milliseconds(200));
      if (!conn.ok()) {
        std::this_thread::sleep_for(milliseconds(5));
        continue;
      }
      conns[j] = std::move(*conn);
    }
    auto set = conns[j]->Command({"SET", key, value});
    if (set.ok() && set->kind == RespReply::Kind::kStatus) ++a.writes_ok;
    auto get = conns[j]->Command({"GET", key});
    if (get.ok() && get->kind == RespReply::Kind::kString && get->text == value) ++a.reads_ok;
    if (!set.ok() || !get.ok()) conns[j].reset();
    std::this_thread::sleep_for(milliseconds(5));
  }
  return a;
}

void AddAvailabilityRows(const PhaseContext& ctx, const std::string& system, const std::string& side,
                         const Availability& a, const std::string& note) {
  int n = ctx.fleet->size();
  auto pct = [](uint64_t ok, uint64_t all) { return all == 0 ? 0.0 : 100.0 * static_cast<double>(ok) / all; };
  ctx.report->Add({"availability", n, system, "writes_ok_side_" + side, pct(a.writes_ok, a.writes), "%",
                   std::to_string(a.writes_ok) + "/" + std::to_string(a.writes) + note});
  ctx.report->Add({"availability", n, system, "reads_ok_side_" + side, pct(a.reads_ok, a.reads), "%",
                   std::to_string(a.reads_ok) + "/" + std::to_string(a.reads)});
}

// SETs `count` keys named prefix<i>, spread over `nodes`, pipelined.
Status WriteSpread(const BenchFleet& fleet, const std::vector<int>& nodes, int count, const std::string& prefix) {
  for (size_t j = 0; j < nodes.size(); ++j) {
    auto conn = RespConn::Connect(fleet.node(nodes[j]).resp, std::chrono::seconds(30));
    if (!conn.ok()) return conn.status();
    std::vector<std::vector<std::string>> batch;
    for (int i = static_cast<int>(j); i < count; i += static_cast<int>(nodes.size())) {
      batch.push_back({"SET", prefix + std::to_string(i), "v" + std::to_string(i)});
      if (batch.size() == 500 || i + static_cast<int>(nodes.size()) >= count) {
        auto replies = (*conn)->Pipeline(batch);
        if (!replies.ok()) return replies.status();
        batch.clear();
      }
    }
  }
  return Status::Ok();
}

// Until every node of each side has the same digest as the rest of its side.
Status WaitForSidesConverged(const BenchFleet& fleet, const Sides& sides, milliseconds timeout) {
  Clock::time_point start = Clock::now();
  while (true) {
    auto digests = fleet.Digests();
    if (!digests.ok()) return digests.status();
    bool converged = true;
    for (const auto& side : sides.index) {
      for (int i : side) converged = converged && (*digests)[i] == (*digests)[side.front()];
    }
    if (converged) return Status::Ok();
    if (Clock::now() - start > timeout) return Status::TimedOut("the two sides did not converge internally");
    std::this_thread::sleep_for(milliseconds(100));
  }
}

}  // namespace

Result<milliseconds> WaitForSameDigest(const BenchFleet& fleet, milliseconds timeout) {
  Clock::time_point start = Clock::now();
  while (true) {
    auto digests = fleet.Digests();
    if (!digests.ok()) return digests.status();
    if (std::all_of(digests->begin(), digests->end(), [&](const std::string& d) { return d == digests->front(); })) {
      return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    }
    if (Clock::now() - start > timeout) {
      return Status::TimedOut("digests still differ after " + std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
}

Status RunAvailability(const PhaseContext& ctx) {
  BenchFleet& fleet = *ctx.fleet;
  int n = fleet.size();
  Sides sides = Split(fleet);
  PARLEY_RETURN_IF_ERROR(fleet.fleet().Partition({sides.names[0]}));

  // The cut is real: a key written on side A does not reach side B.
  {
    auto a = RespConn::Connect(fleet.node(sides.index[0].front()).resp, std::chrono::seconds(5));
    auto b = RespConn::Connect(fleet.node(sides.index[1].back()).resp, std::chrono::seconds(5));
    if (!a.ok() || !b.ok()) return Status::Unavailable("cannot reach the nodes to check the cut");
    std::string key = "avail:isolation:" + std::to_string(n);
    (void)(*a)->Command({"SET", key, "a"});
    std::this_thread::sleep_for(milliseconds(1000));
    auto seen = (*b)->Command({"GET", key});
    bool isolated = seen.ok() && seen->kind == RespReply::Kind::kNil;
    ctx.report->Add({"availability", n, "parley", "cut_verified", isolated ? 1.0 : 0.0, "bool",
                     "side B did not see side A's write after 1 s"});
  }

  std::vector<std::string> addresses[2];
  for (int side = 0; side < 2; ++side) {
    for (int i : sides.index[side]) addresses[side].push_back(fleet.node(i).resp);
  }
  auto unreachable = FreeLoopbackPort();
  if (!unreachable.ok()) return unreachable.status();
  double secs = ctx.config->availability_seconds;
  // Both sides and both systems at once, so they see the same machine load.
  Availability results[4];
  std::vector<std::thread> threads;
  threads.emplace_back([&] { results[0] = Probe(addresses[0], secs, "avail:a:"); });
  threads.emplace_back([&] { results[1] = Probe(addresses[1], secs, "avail:b:"); });
  threads.emplace_back([&] { results[2] = Probe({ctx.redis->address()}, secs, "avail:a:"); });
  threads.emplace_back(
      [&] { results[3] = Probe({"127.0.0.1:" + std::to_string(*unreachable)}, secs, "avail:b:"); });
  for (std::thread& t : threads) t.join();
  std::string sizes =
      " (" + std::to_string(sides.index[0].size()) + " vs " + std::to_string(sides.index[1].size()) + " nodes)";
  AddAvailabilityRows(ctx, "parley", "A", results[0], sizes);
  AddAvailabilityRows(ctx, "parley", "B", results[1], sizes);
  AddAvailabilityRows(ctx, "redis", "A", results[2], ", redis-server is on side A");
  AddAvailabilityRows(ctx, "redis", "B", results[3], ", side B modelled as a closed port");

  PARLEY_RETURN_IF_ERROR(fleet.fleet().Heal());
  auto healed = WaitForSameDigest(fleet, std::chrono::seconds(120));
  if (!healed.ok()) return healed.status().WithContext("after healing");
  return Status::Ok();
}

Status RunConvergence(const PhaseContext& ctx) {
  BenchFleet& fleet = *ctx.fleet;
  int n = fleet.size();
  Sides sides = Split(fleet);
  int per_side = ctx.config->divergent_writes / 2;
  PARLEY_RETURN_IF_ERROR(fleet.fleet().Partition({sides.names[0]}));
  Clock::time_point cut = Clock::now();
  // Each side writes keys the other side lacks, spread over its nodes.
  std::string prefix = "conv:" + std::to_string(n) + ":";
  PARLEY_RETURN_IF_ERROR(WriteSpread(fleet, sides.index[0], per_side, prefix + "a:"));
  PARLEY_RETURN_IF_ERROR(WriteSpread(fleet, sides.index[1], per_side, prefix + "b:"));
  // Measure only the healing: each side must first agree within itself.
  PARLEY_RETURN_IF_ERROR(WaitForSidesConverged(fleet, sides, std::chrono::seconds(120)));
  double cut_ms = MillisBetween(cut, Clock::now());

  // Pollers: a few threads, each asking its share of the nodes for their
  // digest in turn and keeping every change with its time. When all
  // nodes' latest digests agree, each node's convergence time is when it
  // first reported that final digest.
  const int pollers = std::min(4, n);
  std::vector<std::vector<std::pair<Clock::time_point, std::string>>> history(static_cast<size_t>(n));
  std::vector<std::string> latest(static_cast<size_t>(n));
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::vector<uint64_t> polls(static_cast<size_t>(pollers));
  Clock::time_point heal_start = Clock::now();
  PARLEY_RETURN_IF_ERROR(fleet.fleet().Heal());
  Clock::time_point heal_done = Clock::now();
  std::vector<std::thread> threads;
  for (int p = 0; p < pollers; ++p) {
    threads.emplace_back([&, p] {
      std::vector<std::pair<int, std::unique_ptr<cli::NodeApi>>> apis;
      for (int i = p; i < n; i += pollers) apis.emplace_back(i, std::make_unique<cli::NodeApi>(fleet.node(i).http));
      while (!stop) {
        for (auto& [i, api] : apis) {
          auto status = api->GetStatus();
          Clock::time_point at = Clock::now();
          ++polls[static_cast<size_t>(p)];
          if (!status.ok()) continue;
          std::string digest = cli::JsonText(*status, "digest");
          std::lock_guard<std::mutex> lock(mu);
          if (latest[static_cast<size_t>(i)] != digest) {
            latest[static_cast<size_t>(i)] = digest;
            history[static_cast<size_t>(i)].emplace_back(at, digest);
          }
        }
        std::this_thread::sleep_for(milliseconds(2));
      }
    });
  }
  bool converged = false;
  while (!converged && Clock::now() - heal_start < std::chrono::seconds(120)) {
    std::this_thread::sleep_for(milliseconds(10));
    std::lock_guard<std::mutex> lock(mu);
    converged = !latest[0].empty() &&
                std::all_of(latest.begin(), latest.end(), [&](const std::string& d) { return d == latest[0]; });
  }
  Clock::time_point poll_end = Clock::now();
  stop = true;
  for (std::thread& t : threads) t.join();
  if (!converged) return Status::TimedOut("digests still differ 120 s after healing");

  std::vector<double> per_node;
  for (const auto& h : history) {
    for (const auto& [at, digest] : h) {
      if (digest == latest[0]) {
        per_node.push_back(MillisBetween(heal_start, at));
        break;
      }
    }
  }
  LatencySummary s = Summarize(per_node);
  uint64_t total_polls = 0;
  for (uint64_t c : polls) total_polls += c;
  double poll_period =
      total_polls == 0 ? 0 : MillisBetween(heal_start, poll_end) * n / static_cast<double>(total_polls);
  std::string goal;
  if (n == 64) goal = s.max <= 2000 ? "goal <= 2 s at 64 nodes: met" : "goal <= 2 s at 64 nodes: MISSED";
  ctx.report->Add({"convergence", n, "parley", "all_digests_equal", s.max, "ms", goal});
  ctx.report->Add({"convergence", n, "parley", "median_node", s.p50, "ms", ""});
  ctx.report->Add({"convergence", n, "parley", "heal_requests", MillisBetween(heal_start, heal_done), "ms",
                   "time to send DELETE /v1/admin/faults to every node (included above)"});
  ctx.report->Add(
      {"convergence", n, "parley", "poll_period_per_node", poll_period, "ms", "resolution of the times above"});
  ctx.report->Add({"convergence", n, "parley", "divergent_writes", static_cast<double>(2 * per_side), "writes",
                   "distinct keys, half per side; partitioned for " + FormatNumber(cut_ms / 1000, 1) + " s"});
  return Status::Ok();
}

}  // namespace parley::bench
