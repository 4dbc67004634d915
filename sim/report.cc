// Report: a fixed-width table of a run's figures.
#include "sim/report.h"

#include <cstdio>

namespace parley::sim {
namespace {

void Row(std::string* out, const char* name, const std::string& value) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-30s %s\n", name, value.c_str());
  *out += buf;
}

std::string Fixed(double d, int digits = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, d);
  return buf;
}

std::string U(uint64_t v) { return std::to_string(v); }

}  // namespace

std::string FormatOneLine(const SimResult& r) {
  std::string line = (r.ok() ? "ok    " : "FAIL  ") + r.scenario + " seed=" + U(r.seed) + " hash=" + r.trace_hash;
  if (r.converged) {
    line += " converged " + U(r.converged_ms - r.heal_ms) + " ms after heal";
  } else {
    line += " did not converge";
  }
  return line;
}

std::string FormatReport(const SimResult& r) {
  std::string out;
  out += "scenario " + r.scenario + "  seed " + U(r.seed) + "  trace hash " + r.trace_hash + "\n";
  Row(&out, "nodes", U(r.nodes));
  Row(&out, "virtual time", U(r.virtual_ms) + " ms (safety " + U(r.heal_ms) + " ms + liveness)");
  Row(&out, "events / wall time",
      U(r.events) + " events in " + Fixed(r.wall_seconds, 2) + " s (" +
          Fixed(r.wall_seconds > 0 ? static_cast<double>(r.events) / r.wall_seconds : 0, 0) + " events/s)");
  Row(&out, "convergence (I1)",
      r.converged ? "yes, " + U(r.converged_ms - r.heal_ms) + " ms after the heal" : "NO");
  Row(&out, "max divergence", U(static_cast<uint64_t>(r.max_divergence)) + " distinct states at once");
  Row(&out, "writes issued/acked/failed", U(r.writes_issued) + " / " + U(r.writes_acked) + " / " + U(r.writes_failed));
  Row(&out, "writes refused (wrong type)", U(r.writes_refused));
  Row(&out, "acked writes checked (I2)", U(r.writes_checked));
  Row(&out, "reads", U(r.reads));
  Row(&out, "packets (total, per node, max)",
      U(r.packets) + ", " + Fixed(r.packets_per_node) + ", " + U(r.max_packets_node));
  Row(&out, "bytes (total, per node, max)",
      U(r.bytes) + ", " + Fixed(r.bytes_per_node, 0) + ", " + U(r.max_bytes_node));
  Row(&out, "network dropped / duplicated", U(r.dropped) + " / " + U(r.duplicated));
  Row(&out, "deltas pushed/held/dropped", U(r.deltas_pushed) + " / " + U(r.deltas_held) + " / " +
                                            U(r.deltas_held_dropped));
  Row(&out, "slot requests sent", U(r.slot_requests));
  Row(&out, "anti-entropy chunks received", U(r.chunks_received));
  Row(&out, "unclaimed slots sent", U(r.unclaimed_slots_sent));
  if (r.relay_deliveries > 0) Row(&out, "relay entries delivered", U(r.relay_deliveries));
  Row(&out, "logbook snapshots written", U(r.snapshots));
  Row(&out, "timestamps ahead of clock, max", U(r.clock_ahead_max_ms) + " ms");
  const MembershipFigures& m = r.membership;
  Row(&out, "member changes", U(m.changes));
  Row(&out, "false suspicions / deaths", U(m.false_suspicions) + " / " + U(m.false_deaths));
  Row(&out, "crashes detected", U(m.crashes_detected) + " of " + U(m.crashes) +
                                    (m.crashes_detected ? ", mean " + Fixed(m.mean_detect_ms) + " ms, max " +
                                                              Fixed(m.max_detect_ms) + " ms"
                                                        : std::string()));
  if (r.ok()) {
    out += "result: ok (every invariant held)\n";
  } else {
    out += "result: FAILED, " + U(r.violations.size()) + " violation(s):\n";
    for (const std::string& v : r.violations) out += "  - " + v + "\n";
    if (!r.reproduce.empty()) out += "reproduce with: " + r.reproduce + "\n";
  }
  return out;
}

}  // namespace parley::sim
