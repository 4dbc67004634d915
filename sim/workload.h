// Workload: the writes and reads a scenario issues, and what became of them.
//
// Writes are built so that the lost-write checker (checkers.h) can judge
// each acknowledged one on its own, whatever else happened:
//   * checked ops touch keys that only one node writes: "reg/<node>/<n>"
//     (a fresh register per write), "ctr/<node>" (positive increments
//     only), "set/<node>" (fresh members, never removed) and "hash/<node>"
//     (fresh fields, never deleted). An acknowledged checked op must be
//     visible at the end; nothing may supersede it. With checked_keys = k,
//     <n>, members and fields cycle over k values instead (values stay
//     unique), so a long run's map stays bounded: an acknowledged register
//     or field write must then be visible unless a later write of the same
//     node to the same register or field superseded it.
//   * churn ops race on a few shared keys "churn/<k>" with every kind,
//     deletes and type conflicts included. They are checked by convergence
//     only (their "right" final value depends on concurrency).
// Batches mix both, so atomic batches are exercised too. Each node has its
// own random stream (DeriveSeed(seed, kWorkload, node)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/random.h"
#include "sim/scenario.h"
#include "storage/crdt_map.h"
#include "storage/status.h"

namespace parley::sim {

struct WriteRecord {
  enum class State { kPending, kAcked, kFailed };
  size_t node = 0;
  uint64_t life = 0;   // the node life that issued it (write ids restart per life)
  uint64_t disk = 0;   // the node's disk generation at the time
  uint64_t id = 0;     // NodeCore's write id
  std::vector<Op> ops;
  int durability = 1;
  uint64_t issued_us = 0;
  uint64_t done_us = 0;
  State state = State::kPending;
  std::string error;
};

class Workload {
 public:
  Workload(const WorkloadSpec& spec, uint64_t seed, size_t nodes);

  bool Writes(size_t node) const;
  // Delay until the node's next write / read (Poisson arrivals), in µs;
  // UINT64_MAX if the node never writes / reads.
  uint64_t NextWriteDelayUs(size_t node);
  uint64_t NextReadDelayUs(size_t node);
  // How many writes the node's next write event makes: 1, or 2 to 3 in a
  // write group (WorkloadSpec::group_writes; draws nothing when that is 0).
  size_t NextGroupSize(size_t node);
  // The ops of the node's next write.
  std::vector<Op> NextOps(size_t node);
  // Exercises the read path on the node's local state.
  void Read(size_t node, const CrdtMap& map);

  // Bookkeeping of what the node core said.
  void Issued(WriteRecord record);
  void Refused() { ++refused_; }
  void Done(size_t node, uint64_t life, uint64_t id, const Status& status, uint64_t now_us);

  const std::vector<WriteRecord>& writes() const { return writes_; }
  uint64_t refused() const { return refused_; }
  uint64_t reads() const { return reads_; }
  size_t acked() const { return acked_; }

 private:
  Op CheckedOp(size_t node, int kind);
  Op ChurnOp(size_t node, int kind);
  int PickKind(SimRandom& random) const;

  WorkloadSpec spec_;
  std::vector<SimRandom> random_;       // one stream per node
  std::vector<uint64_t> next_serial_;   // per node, across lives
  std::vector<bool> writer_;
  std::vector<WriteRecord> writes_;
  // (node, life, id) -> index in writes_; ids are dense per life.
  std::vector<std::vector<std::vector<size_t>>> index_;
  uint64_t refused_ = 0, reads_ = 0;
  size_t acked_ = 0;
};

// The keys checked ops use (shared with the checker).
std::string CheckedRegisterKey(size_t node, uint64_t serial);
std::string CheckedCounterKey(size_t node);
std::string CheckedSetKey(size_t node);
std::string CheckedHashKey(size_t node);
bool IsCheckedKey(const std::string& key);

}  // namespace parley::sim
