// Workload: Poisson writes of every kind, split into checked and churn ops.
#include "sim/workload.h"

#include <algorithm>
#include <cmath>

namespace parley::sim {
namespace {

enum Kind { kSet = 0, kIncr, kSAdd, kSRem, kHSet, kHDel, kDel };

uint64_t PoissonDelayUs(SimRandom& random, double per_second) {
  if (per_second <= 0) return UINT64_MAX;
  return static_cast<uint64_t>(std::llround(random.Exponential(1e6 / per_second))) + 1;
}

}  // namespace

std::string CheckedRegisterKey(size_t node, uint64_t serial) {
  return "reg/" + std::to_string(node) + "/" + std::to_string(serial);
}
std::string CheckedCounterKey(size_t node) { return "ctr/" + std::to_string(node); }
std::string CheckedSetKey(size_t node) { return "set/" + std::to_string(node); }
std::string CheckedHashKey(size_t node) { return "hash/" + std::to_string(node); }
bool IsCheckedKey(const std::string& key) { return key.rfind("churn/", 0) != 0; }

Workload::Workload(const WorkloadSpec& spec, uint64_t seed, size_t nodes)
    : spec_(spec), next_serial_(nodes, 1), writer_(nodes, spec.writers.empty()), index_(nodes) {
  for (size_t i = 0; i < nodes; ++i) random_.emplace_back(DeriveSeed(seed, Stream::kWorkload, i));
  for (int w : spec.writers) writer_[static_cast<size_t>(w)] = true;
}

bool Workload::Writes(size_t node) const { return writer_[node] && spec_.writes_per_s > 0; }

uint64_t Workload::NextWriteDelayUs(size_t node) {
  return Writes(node) ? PoissonDelayUs(random_[node], spec_.writes_per_s) : UINT64_MAX;
}

uint64_t Workload::NextReadDelayUs(size_t node) { return PoissonDelayUs(random_[node], spec_.reads_per_s); }

int Workload::PickKind(SimRandom& random) const {
  double total = 0;
  for (double w : spec_.weights) total += w;
  double x = random.Unit() * total;
  for (int i = 0; i < 7; ++i) {
    if (x < spec_.weights[i]) return i;
    x -= spec_.weights[i];
  }
  return kSet;
}

Op Workload::CheckedOp(size_t node, int kind) {
  uint64_t serial = next_serial_[node]++;
  // Values stay unique per write; keys, members and fields cycle when bounded.
  uint64_t slot = spec_.checked_keys > 0 ? serial % static_cast<uint64_t>(spec_.checked_keys) : serial;
  std::string tag = std::to_string(serial);
  switch (kind) {
    case kIncr:
      return Op::Incr(CheckedCounterKey(node), static_cast<int64_t>(1 + random_[node].Below(5)));
    case kSAdd:
      return Op::SAdd(CheckedSetKey(node), "m" + std::to_string(slot));
    case kHSet:
      return Op::HSet(CheckedHashKey(node), "f" + std::to_string(slot), "v" + tag);
    default:
      return Op::Set(CheckedRegisterKey(node, slot), "v" + tag + "@" + std::to_string(node));
  }
}

Op Workload::ChurnOp(size_t node, int kind) {
  SimRandom& r = random_[node];
  std::string key = "churn/" + std::to_string(r.Below(static_cast<uint64_t>(spec_.churn_keys)));
  std::string item = std::to_string(r.Below(6));
  switch (kind) {
    case kIncr: return Op::Incr(key, static_cast<int64_t>(r.Below(11)) - 5);
    case kSAdd: return Op::SAdd(key, "m" + item);
    case kSRem: return Op::SRem(key, "m" + item);
    case kHSet: return Op::HSet(key, "f" + item, "x" + std::to_string(r.Below(1000)));
    case kHDel: return Op::HDel(key, "f" + item);
    case kDel: return Op::Del(key);
    default: return Op::Set(key, "x" + std::to_string(r.Below(1000)) + "@" + std::to_string(node));
  }
}

size_t Workload::NextGroupSize(size_t node) {
  if (spec_.group_writes <= 0) return 1;  // no draw: runs without groups keep their streams
  SimRandom& r = random_[node];
  return r.Chance(spec_.group_writes) ? 2 + r.Below(2) : 1;
}

std::vector<Op> Workload::NextOps(size_t node) {
  SimRandom& r = random_[node];
  size_t count = 1 + r.Below(static_cast<uint64_t>(spec_.max_batch));
  std::vector<Op> ops;
  for (size_t i = 0; i < count; ++i) {
    int kind = PickKind(r);
    bool checkable = kind == kSet || kind == kIncr || kind == kSAdd || kind == kHSet;
    ops.push_back(checkable && r.Chance(0.6) ? CheckedOp(node, kind) : ChurnOp(node, kind));
  }
  return ops;
}

void Workload::Read(size_t node, const CrdtMap& map) {
  SimRandom& r = random_[node];
  std::string key = "churn/" + std::to_string(r.Below(static_cast<uint64_t>(spec_.churn_keys)));
  switch (map.TypeOf(key)) {
    case ValueType::kRegister: (void)map.GetRegister(key); break;
    case ValueType::kCounter: (void)map.GetCounter(key); break;
    case ValueType::kSet: (void)map.SetMembers(key); break;
    case ValueType::kHash: (void)map.HashAll(key); break;
    default: break;
  }
  (void)map.GetCounter(CheckedCounterKey(node));
  ++reads_;
}

void Workload::Issued(WriteRecord record) {
  auto& lives = index_[record.node];
  if (lives.size() <= record.life) lives.resize(record.life + 1);
  auto& ids = lives[record.life];
  if (ids.size() <= record.id) ids.resize(record.id + 1, SIZE_MAX);
  ids[record.id] = writes_.size();
  writes_.push_back(std::move(record));
}

void Workload::Done(size_t node, uint64_t life, uint64_t id, const Status& status, uint64_t now_us) {
  const auto& lives = index_[node];
  if (life >= lives.size() || id >= lives[life].size() || lives[life][id] == SIZE_MAX) return;
  WriteRecord& w = writes_[lives[life][id]];
  if (w.state != WriteRecord::State::kPending) return;
  w.done_us = now_us;
  if (status.ok()) {
    w.state = WriteRecord::State::kAcked;
    ++acked_;
  } else {
    w.state = WriteRecord::State::kFailed;
    w.error = status.ToString();
  }
}

}  // namespace parley::sim
