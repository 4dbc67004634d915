// Checkers: convergence, acknowledged writes, membership accuracy.
#include "sim/checkers.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace parley::sim {
namespace {

bool Required(const WriteRecord& w, const DiskHistory& history) {
  if (w.state != WriteRecord::State::kAcked) return false;
  if (history.sync_policy == SyncPolicy::kNone) {
    for (const auto& [node, at] : history.crashes) {
      if (at > w.done_us) return false;  // `none` promises nothing across a crash
    }
  }
  bool origin_wiped = false;
  int wipes_after = 0;
  for (const auto& [node, at] : history.wipes) {
    if (at <= w.done_us) continue;
    ++wipes_after;
    if (node == w.node) origin_wiped = true;
  }
  if (!origin_wiped) return true;  // the origin's logbook still has it
  // quorum(k): k disks had it when it was acknowledged; fewer than k wipes
  // cannot have taken them all.
  return w.durability > 1 && wipes_after < w.durability;
}

}  // namespace

int DistinctStates(const std::vector<const NodeCore*>& cores) {
  std::set<std::pair<uint64_t, uint64_t>> digests;
  for (const NodeCore* core : cores) {
    Digest d = core->StateDigest();
    digests.insert({d.high, d.low});
  }
  return static_cast<int>(digests.size());
}

namespace {

std::string Describe(const Slot& slot) {
  std::string out = "clock{";
  for (const auto& [replica, counter] : slot.clock.entries()) {
    out += (out.back() == '{' ? "" : " ") + Dot{replica, counter}.ToString();
  }
  out += "} entries{";
  for (const Entry& e : slot.entries) {
    out += (out.back() == '{' ? "" : " ") + e.dot.ToString();
    if (!e.value.empty()) out += "=" + e.value.substr(0, 16);
    if (e.increments != 0 || e.decrements != 0) {
      out += "+" + std::to_string(e.increments) + "-" + std::to_string(e.decrements);
    }
  }
  return out + "}";
}

}  // namespace

std::string DescribeDifference(const CrdtMap& a, const CrdtMap& b, size_t max_slots) {
  const Delta sa = a.ExportState();
  const Delta sb = b.ExportState();
  std::string out = sa.context == sb.context ? "contexts equal" : "contexts differ";
  auto name = [](const SlotState& s) { return std::tie(s.key, s.slot); };  // a Delta's slot order
  size_t i = 0, j = 0, shown = 0;
  while ((i < sa.slots.size() || j < sb.slots.size()) && shown < max_slots) {
    const SlotState* x = i < sa.slots.size() ? &sa.slots[i] : nullptr;
    const SlotState* y = j < sb.slots.size() ? &sb.slots[j] : nullptr;
    if (x && y && name(*x) > name(*y)) x = nullptr;
    if (x && y && name(*y) > name(*x)) y = nullptr;
    if (x) ++i;
    if (y) ++j;
    if (x && y && x->state == y->state) continue;
    const SlotState& s = x ? *x : *y;
    out += "; " + s.key + "/" + std::string(ValueTypeName(s.slot.type)) +
           (s.slot.member.empty() ? "" : "/" + s.slot.member) + ": " + (x ? Describe(x->state) : "-") + " vs " +
           (y ? Describe(y->state) : "-");
    ++shown;
  }
  return out;
}

uint64_t CheckAcknowledgedWrites(const std::vector<WriteRecord>& writes, const DiskHistory& history,
                                 const CrdtMap& map, const std::string& node_name, size_t max_reports,
                                 std::vector<std::string>* violations) {
  uint64_t required = 0;
  size_t reported = 0;
  auto report = [&](const WriteRecord& w, const std::string& what) {
    if (reported++ >= max_reports) return;
    violations->push_back("I2 lost write: n" + std::to_string(w.node) + " write " + std::to_string(w.id) +
                          " (life " + std::to_string(w.life) + ", acknowledged at " +
                          std::to_string(w.done_us / 1000) + " ms, durability " +
                          (w.durability == 1 ? std::string("local") : "quorum:" + std::to_string(w.durability)) +
                          "): " + what + " is missing on " + node_name);
  };
  // Counters: per writer, the acknowledged (required) increments are a lower
  // bound and every accepted increment an upper bound of the final value.
  std::map<std::string, std::pair<int64_t, int64_t>> counter_bounds;
  // Registers and hash fields: the last required write to each must be
  // visible, or a write to the same one issued after it (the node that
  // owns a checked key is its only writer, and its writes to it are
  // ordered). With fresh keys (checked_keys = 0) each has one write, so
  // every required write must be visible.
  struct Target {
    const WriteRecord* last_required = nullptr;
    std::string what;                // for the report
    std::set<std::string> accepted;  // the required value and every later one
  };
  std::map<std::pair<std::string, std::string>, Target> targets;  // (key, field or "")
  for (const WriteRecord& w : writes) {
    bool required_here = Required(w, history);
    if (required_here) ++required;
    for (const Op& op : w.ops) {
      if (!IsCheckedKey(op.key)) continue;
      switch (op.kind) {
        case Op::Kind::kIncr: {
          auto& bounds = counter_bounds[op.key];
          bounds.second += op.amount;
          if (required_here) bounds.first += op.amount;
          break;
        }
        case Op::Kind::kSAdd:  // members are never removed: any required add must show
          if (required_here && !map.SetContains(op.key, op.member)) {
            report(w, "set member " + op.key + "{" + op.member + "}");
          }
          break;
        case Op::Kind::kSet:
        case Op::Kind::kHSet: {
          bool field = op.kind == Op::Kind::kHSet;
          Target& t = targets[{op.key, field ? op.member : std::string()}];
          if (required_here) {
            // Two ops of one batch on one target: either may be the one kept.
            if (t.last_required != &w) t.accepted.clear();
            t.last_required = &w;
            t.what = field ? "hash field " + op.key + "[" + op.member + "]=" + op.value
                           : "register " + op.key + "=" + op.value;
          }
          if (t.last_required != nullptr) t.accepted.insert(op.value);
          break;
        }
        default:
          break;
      }
    }
  }
  for (const auto& [target, t] : targets) {
    if (t.last_required == nullptr) continue;
    std::optional<std::string> value =
        target.second.empty() ? map.GetRegister(target.first) : map.HashGet(target.first, target.second);
    if (!value || t.accepted.count(*value) == 0) report(*t.last_required, t.what);
  }
  for (const auto& [key, bounds] : counter_bounds) {
    int64_t value = map.GetCounter(key).value_or(0);
    if (value < bounds.first || value > bounds.second) {
      if (reported++ < max_reports) {
        violations->push_back("I2 lost write: counter " + key + " = " + std::to_string(value) + " on " + node_name +
                              ", but acknowledged increments sum to " + std::to_string(bounds.first) +
                              " and all accepted ones to " + std::to_string(bounds.second));
      }
    }
  }
  if (reported > max_reports) {
    violations->push_back("I2: " + std::to_string(reported - max_reports) + " more lost writes on " + node_name);
  }
  return required;
}

void MembershipMonitor::OnCrash(size_t node, uint64_t now_us) {
  ++figures_.crashes;
  crashed_at_[node] = now_us;
  last_fault_us_ = now_us;
}

void MembershipMonitor::OnBoot(size_t node, uint64_t now_us) {
  crashed_at_[node] = UINT64_MAX;
  last_fault_us_ = now_us;
}

void MembershipMonitor::OnChange(size_t /*observer*/, size_t subject, MemberState state, bool reachable,
                                 uint64_t now_us) {
  ++figures_.changes;
  bool accusation = state == MemberState::kSuspect || state == MemberState::kDead;
  if (accusation && reachable && now_us >= last_fault_us_ + settle_us_) {
    ++figures_.false_suspicions;
    if (state == MemberState::kDead) ++figures_.false_deaths;
  }
  if (state == MemberState::kDead && crashed_at_[subject] != UINT64_MAX) {
    double ms = static_cast<double>(now_us - crashed_at_[subject]) / 1000.0;
    crashed_at_[subject] = UINT64_MAX;  // the first verdict counts
    ++figures_.crashes_detected;
    detect_ms_.push_back(ms);
    double sum = 0;
    for (double d : detect_ms_) sum += d;
    figures_.mean_detect_ms = sum / static_cast<double>(detect_ms_.size());
    figures_.max_detect_ms = std::max(figures_.max_detect_ms, ms);
  }
}

}  // namespace parley::sim
