// Simulator: the event loop glue between node cores and the simulated world.
#include "sim/simulator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

namespace parley::sim {
namespace {

std::string NodeName(size_t i) {
  // Appending (not "n" + to_string) sidesteps GCC 12's false -Wrestrict at -O3.
  std::string name = "n";
  name += std::to_string(i);
  return name;
}

Address NodeAddress(size_t i) {
  return Address{"10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
                     std::to_string(i & 255),
                 7946};
}

}  // namespace

Result<std::unique_ptr<Simulator>> Simulator::Create(const Scenario& scenario, uint64_t seed, std::string reproduce) {
  PARLEY_RETURN_IF_ERROR(Validate(scenario));
  std::unique_ptr<Simulator> sim(new Simulator(scenario, seed));
  sim->reproduce_ = std::move(reproduce);
  return sim;
}

Simulator::Simulator(const Scenario& scenario, uint64_t seed)
    : scenario_(scenario),
      seed_(seed),
      network_(seed, static_cast<size_t>(scenario.nodes.count), scenario.network),
      disk_(seed, static_cast<size_t>(scenario.nodes.count), scenario.nodes.disk_sync_ms,
            scenario.nodes.disk_jitter_ms),
      workload_(scenario.workload, seed, static_cast<size_t>(scenario.nodes.count)),
      membership_(
          static_cast<size_t>(scenario.nodes.count),
          15 * 1000 * (scenario.nodes.timing == "lan" ? Timing::Lan() : Timing::LocalFleet()).probe_interval_ms) {
  const NodesSpec& spec = scenario.nodes;
  auto n = static_cast<size_t>(spec.count);
  std::vector<Address> seeds;
  for (int s : spec.seeds) seeds.push_back(NodeAddress(static_cast<size_t>(s)));
  for (size_t i = 0; i < n; ++i) {
    NodeConfig config;
    config.name = NodeName(i);
    config.advertise = NodeAddress(i);
    config.seeds = seeds;
    config.timing = spec.timing == "lan" ? Timing::Lan() : Timing::LocalFleet();
    config.sync_policy = spec.sync_policy;
    config.batch_interval_ms = spec.batch_interval_ms;
    if (spec.snapshot_every_records != 0) {
      config.snapshot_every_records = spec.snapshot_every_records;
      // And by log size: at 1000 nodes, repairs of slots that every node
      // wrote carry clocks of ~1000 entries, and 2000 such records per
      // logbook took the 1000 x 600 s run to 20 GB.
      config.snapshot_min_log_bytes = 1 << 20;
    }
    if (spec.chunk_bytes != 0) config.sync.chunk_bytes = spec.chunk_bytes;
    if (spec.direct_push_max_members != 0) config.sync.direct_push_max_members = spec.direct_push_max_members;
    config.relay = scenario.relay.enabled();
    SimRandom clock_random(DeriveSeed(seed, Stream::kClock, i));
    auto offset = static_cast<int64_t>(std::llround((clock_random.Unit() * 2 - 1) * spec.clock_offset_ms));
    double drift = (clock_random.Unit() * 2 - 1) * spec.clock_drift_ppm;
    nodes_.push_back(std::make_unique<SimNode>(i, std::move(config), ClockModel(offset, drift), seed));
    by_host_[NodeAddress(i).host] = i;
    by_name_[NodeName(i)] = i;
  }
  durability_ = Durability::Quorum(scenario.workload.durability_nodes, scenario.workload.quorum_timeout_ms);
  if (scenario.inject_bug == "widen-diff-chunks") injector_ = std::make_unique<FaultInjector>("parley");
  disk_history_.sync_policy = spec.sync_policy;
  down_since_.assign(n, 0);
  cut_since_.assign(n, UINT64_MAX);
}

// ---- node interaction ---------------------------------------------------------

void Simulator::Collect(SimNode& node) {
  if (!node.up()) return;
  NodeOutputs out = node.core().TakeOutputs();
  uint64_t now = scheduler_.now_us();
  size_t from = node.index();
  if (injector_ != nullptr) injector_->Mutate(node.name(), &out.packets);
  for (OutgoingPacket& p : out.packets) {
    ++node.packets_sent;
    node.bytes_sent += p.bytes.size();
    if (p.to == kRelayAddress) {
      SendThroughRelay(from, std::move(p.bytes));
      continue;
    }
    auto it = by_host_.find(p.to.host);
    if (it == by_host_.end()) continue;
    size_t to = it->second;
    NetworkModel::Route route = network_.Send(from, to, p.transport, now);
    for (int d = 0; d < route.count; ++d) {
      std::string bytes = d + 1 == route.count ? std::move(p.bytes) : p.bytes;
      Transport transport = p.transport;
      uint64_t connection = route.deliveries[d].connection;
      scheduler_.At(route.deliveries[d].at_us, [this, from, to, transport, connection, bytes = std::move(bytes)] {
        Deliver(from, to, transport, connection, bytes);
      });
    }
  }
  for (const WriteDone& w : out.writes) {
    workload_.Done(from, node.life(), w.write, w.status, now);
    trace_.Mix(now);
    trace_.Mix((from << 32) ^ w.write);
    trace_.Mix(static_cast<uint64_t>(w.status.code()));
  }
  for (const MemberChange& c : out.members) {
    auto it = by_name_.find(c.name);
    if (it == by_name_.end() || it->second == from) continue;
    membership_.OnChange(from, it->second, c.state, Reachable(from, it->second), now);
  }
  if (out.sync_wanted && !node.sync_in_flight) {
    // One fsync at a time; requests while it runs are covered by it, since
    // Logbook::Sync() at completion makes everything appended so far durable.
    node.sync_in_flight = true;
    uint64_t life = node.life();
    scheduler_.At(now + disk_.SyncLatencyUs(from), [this, from, life] { OnSyncDone(from, life); });
  }
  ArmTimer(node);
}

void Simulator::ArmTimer(SimNode& node) {
  if (!node.up()) return;
  uint64_t deadline = node.core().NextDeadline();
  if (deadline == UINT64_MAX) return;
  uint64_t now = scheduler_.now_us();
  uint64_t at = std::max(now, node.clock().TrueUsAt(deadline));
  // A core whose deadline stays in the past after a Tick would spin at one
  // instant; give it a millisecond (the runtime's timer granularity).
  if (at == now && node.last_tick_us == now) at = now + 1000;
  if (node.armed_at <= at) return;  // an earlier wake-up is pending; it re-arms
  node.armed_at = at;
  node.armed_token = next_token_++;
  size_t index = node.index();
  uint64_t token = node.armed_token;
  scheduler_.At(at, [this, index, token] { OnTimer(index, token); });
}

void Simulator::OnTimer(size_t index, uint64_t token) {
  SimNode& node = *nodes_[index];
  if (!node.up() || token != node.armed_token) return;  // stale: re-armed or restarted since
  node.armed_at = UINT64_MAX;
  uint64_t local = node.LocalMs(scheduler_.now_us());
  if (local >= node.core().NextDeadline()) {
    node.last_tick_us = scheduler_.now_us();
    node.core().Tick(local);
    Collect(node);
  } else {
    ArmTimer(node);
  }
}

void Simulator::Deliver(size_t from, size_t to, Transport transport, uint64_t connection, const std::string& bytes) {
  SimNode& node = *nodes_[to];
  if (!node.up()) return;
  if (transport == Transport::kFrame && !network_.StillConnected(from, to, connection)) return;
  HandIn(node, (static_cast<uint64_t>(from) << 32) ^ to, nodes_[from]->address(), transport, bytes);
}

void Simulator::HandIn(SimNode& node, uint64_t route, const Address& from, Transport transport,
                       std::string_view bytes) {
  uint64_t now = scheduler_.now_us();
  trace_.Mix(now);
  trace_.Mix(route);
  trace_.MixBytes(bytes);
  ++node.packets_received;
  // Frames travel with their length prefix and are handed in without it, as
  // FrameReader yields them from a stream.
  if (transport == Transport::kFrame) bytes.remove_prefix(std::min<size_t>(4, bytes.size()));
  node.core().Receive(from, transport, bytes, node.LocalMs(now));
  Collect(node);
}

void Simulator::SendThroughRelay(size_t from, std::string bytes) {
  if (!scenario_.relay.enabled()) return;
  // One copy of the entry, read by every other node.
  auto entry = std::make_shared<const std::string>(std::move(bytes));
  const uint64_t at = scheduler_.now_us() + static_cast<uint64_t>(std::llround(scenario_.relay.latency_ms * 1000));
  for (size_t to = 0; to < nodes_.size(); ++to) {
    if (to == from) continue;
    scheduler_.At(at, [this, from, to, entry] {
      SimNode& node = *nodes_[to];
      if (!node.up()) return;  // a node that is down misses the entry
      ++result_.relay_deliveries;
      HandIn(node, (static_cast<uint64_t>(from) << 32) ^ to ^ (uint64_t{1} << 63), kRelayAddress, Transport::kFrame,
             *entry);
    });
  }
}

void Simulator::OnSyncDone(size_t index, uint64_t life) {
  SimNode& node = *nodes_[index];
  if (!node.up() || node.life() != life) return;  // the machine crashed meanwhile
  node.sync_in_flight = false;
  Status status = node.logbook().Sync();
  node.core().OnSynced(node.logbook().durable_sequence(), status, node.LocalMs(scheduler_.now_us()));
  Collect(node);
}

void Simulator::Boot(SimNode& node) {
  if (node.up()) return;
  uint64_t now = scheduler_.now_us();
  Status s = node.Boot(now);
  if (!s.ok()) {
    result_.violations.push_back("start failed: " + node.name() + " at " + std::to_string(now / 1000) +
                                 " ms: " + s.ToString());
    return;
  }
  size_t i = node.index();
  network_.BreakConnections(i);  // a new process has no old connections
  // Booted again, it missed the relay's entries meanwhile: as the bridge of
  // a node that fell behind the stream, it asks for anti-entropy there.
  if (scenario_.relay.enabled() && node.life() > 1) node.core().SyncThroughRelay(node.LocalMs(now));
  membership_.OnBoot(i, now);
  if (down_since_[i] != UINT64_MAX) {
    if (now / 1000 > down_since_[i]) result_.spans.push_back({i, NodeSpan::Kind::kDown, down_since_[i], now / 1000});
    down_since_[i] = UINT64_MAX;
  }
  Collect(node);
}

void Simulator::CrashNode(SimNode& node, bool wipe) {
  size_t i = node.index();
  uint64_t now = scheduler_.now_us();
  if (wipe) {
    disk_history_.wipes.push_back({i, now});
  }
  if (node.up()) {
    disk_history_.crashes.push_back({i, now});
    membership_.OnCrash(i, now);
    down_since_[i] = now / 1000;
  }
  if (wipe) {
    node.Wipe();
  } else {
    node.Crash();
  }
  node.leaving = false;
  network_.BreakConnections(i);
}

// ---- workload -----------------------------------------------------------------

void Simulator::ScheduleWrite(size_t i) {
  uint64_t delay = workload_.NextWriteDelayUs(i);
  if (delay == UINT64_MAX) return;
  uint64_t at = std::max(scheduler_.now_us(), scenario_.workload.start_ms * 1000) + delay;
  if (at >= write_stop_us_) return;
  scheduler_.At(at, [this, i] { DoWrite(i); });
}

void Simulator::ScheduleRead(size_t i) {
  uint64_t delay = workload_.NextReadDelayUs(i);
  if (delay == UINT64_MAX) return;
  uint64_t at = std::max(scheduler_.now_us(), scenario_.workload.start_ms * 1000) + delay;
  if (at >= write_stop_us_) return;
  scheduler_.At(at, [this, i] {
    if (!writing_) return;
    if (nodes_[i]->up()) workload_.Read(i, nodes_[i]->core().map());
    ScheduleRead(i);
  });
}

void Simulator::DoWrite(size_t i) {
  if (!writing_) return;
  SimNode& node = *nodes_[i];
  // Drawn even when down: streams stay aligned.
  std::vector<std::vector<Op>> writes(workload_.NextGroupSize(i));
  for (std::vector<Op>& ops : writes) ops = workload_.NextOps(i);
  if (node.up() && !node.leaving) {
    uint64_t now = scheduler_.now_us();
    const bool group = writes.size() > 1;
    if (group) node.core().BeginWriteGroup();
    for (std::vector<Op>& ops : writes) {
      Result<uint64_t> id = node.core().Write(ops, durability_, node.LocalMs(now));
      if (!id.ok()) {
        workload_.Refused();  // e.g. WrongType on a churn key: nothing changed
        continue;
      }
      WriteRecord record;
      record.node = i;
      record.life = node.life();
      record.disk = node.disks();
      record.id = *id;
      record.ops = std::move(ops);
      record.durability = durability_.nodes;
      record.issued_us = now;
      workload_.Issued(std::move(record));
    }
    if (group) node.core().EndWriteGroup(node.LocalMs(now));
    Collect(node);
  }
  ScheduleWrite(i);
}

// ---- faults -------------------------------------------------------------------

void Simulator::Event(const std::string& label, int node) {
  result_.timeline.push_back(TimelineEvent{now_ms(), label, node});
}

bool Simulator::Reachable(size_t a, size_t b) const {
  return nodes_[b]->up() && !network_.Blocked(a, b) && !network_.Blocked(b, a);
}

void Simulator::Cut(size_t a, size_t b) {
  network_.SetBlocked(a, b, true);
  network_.SetBlocked(b, a, true);
}

void Simulator::Apply(const FaultEvent& f) {
  membership_.OnFault(scheduler_.now_us());
  auto n = nodes_.size();
  auto node = static_cast<size_t>(std::max(f.node, 0));
  std::string label = FaultKindName(f.kind);
  switch (f.kind) {
    case FaultKind::kSplit:
    case FaultKind::kBridge: {
      // Nodes no group lists form one more group.
      std::vector<int> group(n, -1);
      for (size_t g = 0; g < f.groups.size(); ++g) {
        for (int member : f.groups[g]) group[static_cast<size_t>(member)] = static_cast<int>(g);
      }
      for (size_t a = 0; a < n; ++a) {
        for (size_t b = a + 1; b < n; ++b) {
          bool bridge = f.kind == FaultKind::kBridge && (a == node || b == node);
          if (group[a] != group[b] && !bridge) Cut(a, b);
        }
      }
      label += " into " + std::to_string(f.groups.size()) + " groups";
      if (f.kind == FaultKind::kBridge) label += " bridged by n" + std::to_string(node);
      Event(label);
      break;
    }
    case FaultKind::kIsolate:
      for (size_t b = 0; b < n; ++b) {
        if (b != node) Cut(node, b);
      }
      Event(label + " n" + std::to_string(node), f.node);
      break;
    case FaultKind::kOneWay:
      if (f.loss >= 1) {
        network_.SetBlocked(static_cast<size_t>(f.from), static_cast<size_t>(f.to), true);
      } else {
        network_.SetDirectionalLoss(static_cast<size_t>(f.from), static_cast<size_t>(f.to), f.loss);
      }
      Event(label + " n" + std::to_string(f.from) + "->n" + std::to_string(f.to), f.from);
      break;
    case FaultKind::kHeal:
      network_.HealAll();
      Event(label);
      break;
    case FaultKind::kCrash:
    case FaultKind::kWipe:
      CrashNode(*nodes_[node], f.kind == FaultKind::kWipe);
      Event(label + " n" + std::to_string(node), f.node);
      break;
    case FaultKind::kRestart:
    case FaultKind::kStart:
      Boot(*nodes_[node]);
      Event(label + " n" + std::to_string(node), f.node);
      break;
    case FaultKind::kLeave: {
      SimNode& leaver = *nodes_[node];
      if (!leaver.up() || leaver.leaving) break;
      leaver.leaving = true;
      leaver.core().Leave(leaver.LocalMs(scheduler_.now_us()));
      Collect(leaver);
      Event(label + " n" + std::to_string(node), f.node);
      uint64_t life = leaver.life();
      // Give the leave message a moment to get out, then stop the process.
      scheduler_.After(1'000'000, [this, node, life] {
        SimNode& s = *nodes_[node];
        if (!s.up() || s.life() != life) return;
        s.Stop();
        s.leaving = false;
        network_.BreakConnections(node);
        down_since_[node] = now_ms();
      });
      break;
    }
    case FaultKind::kLink:
      network_.SetLinkParams(static_cast<size_t>(f.from), static_cast<size_t>(f.to), f.link);
      Event(label + " n" + std::to_string(f.from) + "->n" + std::to_string(f.to), f.from);
      break;
    case FaultKind::kFlap: {
      auto a = static_cast<size_t>(f.from), b = static_cast<size_t>(f.to);
      for (uint64_t t = f.at_ms; t < f.until_ms; t += f.period_ms) {
        scheduler_.At(t * 1000, [this, a, b] {
          Cut(a, b);
          RecordConnectivity();
        });
        uint64_t up = std::min(t + f.period_ms / 2, f.until_ms);
        scheduler_.At(up * 1000, [this, a, b] {
          network_.SetBlocked(a, b, false);
          network_.SetBlocked(b, a, false);
          RecordConnectivity();
        });
      }
      Event(label + " n" + std::to_string(a) + "<->n" + std::to_string(b), f.from);
      break;
    }
    case FaultKind::kClockJump:
      nodes_[node]->clock().Jump(f.jump_ms);
      if (nodes_[node]->up()) ArmTimer(*nodes_[node]);
      Event(label + " n" + std::to_string(node) + " " + std::to_string(f.jump_ms) + "ms", f.node);
      break;
  }
  RecordConnectivity();
}

void Simulator::RecordConnectivity() {
  if (!network_.AnyCut()) {
    for (size_t a = 0; a < nodes_.size(); ++a) {
      if (cut_since_[a] != UINT64_MAX) {
        result_.spans.push_back({a, NodeSpan::Kind::kCut, cut_since_[a], now_ms()});
        cut_since_[a] = UINT64_MAX;
      }
    }
    return;
  }
  for (size_t a = 0; a < nodes_.size(); ++a) {
    bool cut = false;
    for (size_t b = 0; b < nodes_.size() && !cut; ++b) {
      cut = b != a && (network_.Blocked(a, b) || network_.Blocked(b, a));
    }
    if (cut && cut_since_[a] == UINT64_MAX) cut_since_[a] = now_ms();
    if (!cut && cut_since_[a] != UINT64_MAX) {
      result_.spans.push_back({a, NodeSpan::Kind::kCut, cut_since_[a], now_ms()});
      cut_since_[a] = UINT64_MAX;
    }
  }
}

// ---- phases ---------------------------------------------------------------------

std::vector<const NodeCore*> Simulator::LiveCores() const {
  std::vector<const NodeCore*> cores;
  for (const auto& node : nodes_) {
    if (node->up()) cores.push_back(&node->core());
  }
  return cores;
}

void Simulator::SampleDivergence() {
  std::vector<const NodeCore*> live = LiveCores();
  int distinct = DistinctStates(live);
  result_.samples.push_back(DivergenceSample{now_ms(), static_cast<int>(live.size()), distinct});
  result_.max_divergence = std::max(result_.max_divergence, distinct);
}

void Simulator::StartLiveness() {
  writing_ = false;
  network_.HealAll();
  RecordConnectivity();
  membership_.OnFault(scheduler_.now_us());
  result_.heal_ms = now_ms();
  Event("liveness: heal all, restart all, stop writing");
  for (auto& node : nodes_) {
    if (node->leaving) {  // finish the leave now, then come back
      node->Stop();
      node->leaving = false;
      network_.BreakConnections(node->index());
      down_since_[node->index()] = now_ms();
    }
    Boot(*node);
  }
}

bool Simulator::Converged() {
  for (const auto& node : nodes_) {
    if (!node->up()) return false;
  }
  return DistinctStates(LiveCores()) == 1;
}

SimResult Simulator::Run() {
  auto wall_start = std::chrono::steady_clock::now();  // for the report only
  result_.scenario = scenario_.name;
  result_.seed = seed_;
  result_.nodes = nodes_.size();
  result_.reproduce = reproduce_;
  const uint64_t safety_end = scenario_.duration_ms * 1000;
  const uint64_t sample_us = scenario_.checks.sample_ms * 1000;
  write_stop_us_ = std::min(safety_end, scenario_.workload.stop_ms ? scenario_.workload.stop_ms * 1000 : safety_end);

  std::vector<bool> start_down(nodes_.size(), false);
  for (int i : scenario_.nodes.start_down) start_down[static_cast<size_t>(i)] = true;
  for (auto& node : nodes_) {
    if (!start_down[node->index()]) Boot(*node);
  }
  for (const FaultEvent& fault : scenario_.faults) {
    scheduler_.At(fault.at_ms * 1000, [this, &fault] { Apply(fault); });
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    ScheduleWrite(i);
    ScheduleRead(i);
  }

  // Safety phase, sampled.
  for (uint64_t t = sample_us; t <= safety_end; t += sample_us) {
    scheduler_.RunUntil(t);
    SampleDivergence();
  }
  scheduler_.RunUntil(safety_end);

  // Liveness phase: must converge within the bound.
  StartLiveness();
  const uint64_t deadline = scheduler_.now_us() + scenario_.checks.liveness_ms * 1000;
  while (scheduler_.now_us() < deadline) {
    scheduler_.RunUntil(std::min(deadline, scheduler_.now_us() + sample_us));
    SampleDivergence();
    if (Converged()) {
      result_.converged = true;
      result_.converged_ms = now_ms();
      Event("converged");
      break;
    }
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (cut_since_[i] != UINT64_MAX) result_.spans.push_back({i, NodeSpan::Kind::kCut, cut_since_[i], now_ms()});
    if (down_since_[i] != UINT64_MAX) result_.spans.push_back({i, NodeSpan::Kind::kDown, down_since_[i], now_ms()});
  }
  Check(&result_);
  result_.events = scheduler_.events_run();
  result_.virtual_ms = now_ms();
  result_.trace_hash = trace_.ToHex();
  result_.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result_;
}

void Simulator::Check(SimResult* r) {
  std::vector<const NodeCore*> live = LiveCores();
  if (!r->converged) {
    std::map<std::string, std::vector<std::string>> holders;
    for (const auto& node : nodes_) {
      holders[node->up() ? node->core().StateDigest().ToHex().substr(0, 12) : "(down)"].push_back(node->name());
    }
    std::string detail;
    for (const auto& [digest, names] : holders) {
      detail += " " + digest + ":";
      for (size_t k = 0; k < names.size() && k < 6; ++k) detail += (k ? "," : "") + names[k];
      if (names.size() > 6) detail += ",+" + std::to_string(names.size() - 6);
    }
    r->violations.push_back("I1 convergence: " + std::to_string(DistinctStates(live)) + " distinct states among " +
                            std::to_string(live.size()) + " live nodes " +
                            std::to_string(scenario_.checks.liveness_ms) + " ms after the heal;" + detail);
    // How the first two states differ, to start the hunt from.
    for (const NodeCore* other : live) {
      if (other->StateDigest() == live.front()->StateDigest()) continue;
      r->violations.push_back("I1 detail, " + live.front()->config().name + " vs " + other->config().name + ": " +
                              DescribeDifference(live.front()->map(), other->map(), 3));
      break;
    }
  }
  // I2: one converged state stands for all; otherwise judge each node.
  size_t judged = 0;
  for (const auto& node : nodes_) {
    if (!node->up()) continue;
    r->writes_checked = CheckAcknowledgedWrites(workload_.writes(), disk_history_, node->core().map(), node->name(),
                                                r->converged ? 10 : 3, &r->violations);
    if (r->converged || ++judged >= 8) break;
  }

  r->membership = membership_.figures();
  const ChecksSpec& c = scenario_.checks;
  if (c.max_false_deaths >= 0 && r->membership.false_deaths > static_cast<uint64_t>(c.max_false_deaths)) {
    r->violations.push_back("membership: " + std::to_string(r->membership.false_deaths) +
                            " live, reachable nodes were declared dead (allowed " +
                            std::to_string(c.max_false_deaths) + ")");
  }
  if (c.detect_crash_within_ms > 0) {
    if (r->membership.crashes_detected < r->membership.crashes) {
      r->violations.push_back("membership: " + std::to_string(r->membership.crashes - r->membership.crashes_detected) +
                              " of " + std::to_string(r->membership.crashes) + " crashes were never detected");
    } else if (r->membership.max_detect_ms > static_cast<double>(c.detect_crash_within_ms)) {
      r->violations.push_back("membership: a crash took " + std::to_string(r->membership.max_detect_ms) +
                              " ms to detect (bound " + std::to_string(c.detect_crash_within_ms) + " ms)");
    }
  }

  for (const WriteRecord& w : workload_.writes()) {
    ++r->writes_issued;
    if (w.state == WriteRecord::State::kAcked) ++r->writes_acked;
    if (w.state == WriteRecord::State::kFailed) ++r->writes_failed;
  }
  r->writes_refused = workload_.refused();
  r->reads = workload_.reads();
  for (const auto& node : nodes_) {
    r->packets += node->packets_sent;
    r->bytes += node->bytes_sent;
    r->max_packets_node = std::max(r->max_packets_node, node->packets_sent);
    r->max_bytes_node = std::max(r->max_bytes_node, node->bytes_sent);
    if (!node->up()) continue;
    const NodeStats& s = node->core().stats();
    r->deltas_pushed += s.deltas_pushed;
    r->deltas_held += s.deltas_held;
    r->deltas_held_dropped += s.deltas_held_dropped;
    r->slot_requests += s.slot_requests;
    r->chunks_received += s.chunks_received;
    r->unclaimed_slots_sent += s.unclaimed_slots_sent;
    r->snapshots += s.snapshots;
    r->clock_ahead_max_ms = std::max(r->clock_ahead_max_ms, s.clock_ahead_max_ms);
  }
  r->packets_per_node = static_cast<double>(r->packets) / static_cast<double>(nodes_.size());
  r->bytes_per_node = static_cast<double>(r->bytes) / static_cast<double>(nodes_.size());
  r->dropped = network_.dropped();
  r->duplicated = network_.duplicated();
  if (injector_ != nullptr) {
    Event("injected bug: " + std::to_string(injector_->chunks_widened()) + " diff chunks widened");
  }
}

Result<SimResult> RunScenario(const Scenario& scenario, uint64_t seed, const std::string& reproduce) {
  Result<std::unique_ptr<Simulator>> sim = Simulator::Create(scenario, seed, reproduce);
  if (!sim.ok()) return sim.status();
  return (*sim)->Run();
}

}  // namespace parley::sim
