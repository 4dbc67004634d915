// Metrics: Prometheus text and the status page's stats object.
#include "node/http/metrics.h"

#include <utility>
#include <vector>

namespace parley {
namespace {

std::vector<std::pair<const char*, uint64_t>> Counters(const NodeStats& s) {
  return {
      {"packets_sent", s.packets_sent},       {"bytes_sent", s.bytes_sent},
      {"packets_received", s.packets_received}, {"bytes_received", s.bytes_received},
      {"packets_dropped", s.packets_dropped}, {"writes", s.writes},
      {"write_errors", s.write_errors},       {"quorum_timeouts", s.quorum_timeouts},
      {"deltas_pushed", s.deltas_pushed},     {"deltas_forwarded", s.deltas_forwarded},
      {"deltas_received", s.deltas_received}, {"deltas_new", s.deltas_new},
      {"deltas_held", s.deltas_held},         {"deltas_held_dropped", s.deltas_held_dropped},
      {"slot_requests", s.slot_requests},
      {"diff_rounds", s.diff_rounds},         {"chunks_sent", s.chunks_sent},
      {"chunks_received", s.chunks_received}, {"unclaimed_slots_sent", s.unclaimed_slots_sent},
      {"snapshots", s.snapshots},
  };
}

void Metric(std::string* out, const std::string& name, const char* type, const char* help) {
  *out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

nlohmann::json StatsJson(const NodeStats& stats) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : Counters(stats)) out[name] = value;
  out["clock_ahead_max_ms"] = stats.clock_ahead_max_ms;
  out["clock_ahead_recent_ms"] = stats.clock_ahead_recent_ms;
  return out;
}

std::string RenderMetrics(const NodeRuntime& rt) {
  const NodeCore& core = rt.core();
  std::string out;
  for (const auto& [name, value] : Counters(core.stats())) {
    std::string metric = std::string("parley_") + name + "_total";
    Metric(&out, metric, "counter", name);
    out += metric + " " + std::to_string(value) + "\n";
  }
  const ProtocolStats& wire = core.wire_stats();
  Metric(&out, "parley_wire_packets_accepted_total", "counter", "packets that decoded");
  out += "parley_wire_packets_accepted_total " + std::to_string(wire.packets_accepted) + "\n";
  Metric(&out, "parley_wire_messages_accepted_total", "counter", "messages that decoded");
  out += "parley_wire_messages_accepted_total " + std::to_string(wire.messages_accepted) + "\n";
  Metric(&out, "parley_wire_messages_skipped_total", "counter", "messages of unknown kinds");
  out += "parley_wire_messages_skipped_total " + std::to_string(wire.messages_skipped) + "\n";
  Metric(&out, "parley_wire_dropped_total", "counter", "packets dropped by the wire codec, by reason");
  for (size_t i = 0; i < static_cast<size_t>(DropReason::kCount); ++i) {
    out += std::string("parley_wire_dropped_total{reason=\"") + DropReasonName(static_cast<DropReason>(i)) + "\"} " +
           std::to_string(wire.dropped[i]) + "\n";
  }
  Metric(&out, "parley_fault_dropped_total", "counter", "packets discarded by fault injection");
  out += "parley_fault_dropped_total{direction=\"out\"} " + std::to_string(rt.faults().dropped_outgoing()) + "\n";
  out += "parley_fault_dropped_total{direction=\"in\"} " + std::to_string(rt.faults().dropped_incoming()) + "\n";

  Metric(&out, "parley_keys", "gauge", "live keys in the map");
  out += "parley_keys " + std::to_string(core.map().KeyCount()) + "\n";
  uint64_t by_state[4] = {0, 0, 0, 0};
  for (const auto& [name, m] : core.membership().members()) ++by_state[static_cast<size_t>(m.state)];
  Metric(&out, "parley_members", "gauge", "members by state, this node included");
  for (size_t i = 0; i < 4; ++i) {
    out += std::string("parley_members{state=\"") + MemberStateName(static_cast<MemberState>(i)) + "\"} " +
           std::to_string(by_state[i]) + "\n";
  }
  Metric(&out, "parley_local_health", "gauge", "Lifeguard local health score (0 is healthy)");
  out += "parley_local_health " + std::to_string(core.membership().local_health()) + "\n";
  Metric(&out, "parley_clock_ahead_max_ms", "gauge",
         "furthest a received write's timestamp ran ahead of this node's clock (ms)");
  out += "parley_clock_ahead_max_ms " + std::to_string(core.stats().clock_ahead_max_ms) + "\n";
  Metric(&out, "parley_clock_ahead_recent_ms", "gauge",
         "the same over the last one to two minutes: back to 0 once the clocks agree again (ms)");
  out += "parley_clock_ahead_recent_ms " + std::to_string(core.stats().clock_ahead_recent_ms) + "\n";
  Metric(&out, "parley_durable_sequence", "gauge", "highest logbook record known durable");
  out += "parley_durable_sequence " + std::to_string(core.durable_sequence()) + "\n";
  for (const NodeRuntime::MetricsSource& source : rt.metrics_sources()) out += source();
  return out;
}

}  // namespace parley
