// CRDT map micro-benchmarks: local mutation rate per type, join of a 1 k-key
// delta into a 1 M-key state, range-cut diff computation, and the causal
// context operations (copy, join, Missing) at simulator scale.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "storage/crdt_map.h"

namespace parley {
namespace {

std::string Key(uint64_t i) { return "key:" + std::to_string(i); }

// Writes prepared up front: this measures the map, not string formatting.
void BM_RegisterWrite(benchmark::State& state) {
  CrdtMap map(1);
  std::vector<Op> ops;
  for (uint64_t k = 0; k < static_cast<uint64_t>(state.range(0)); ++k) {
    ops.push_back(Op::Set(Key(k), std::string(32, 'v')));
  }
  uint64_t i = 0;
  for (auto _ : state) {
    auto d = map.Apply(ops[i % ops.size()], MakeTimestamp(i, 0));
    benchmark::DoNotOptimize(d);
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_RegisterWrite)->Arg(1000)->Arg(100000);

// A SET on a key that `writers` replicas have written before (a shared,
// hot key): a write's delta carries only its change, so its size stays flat
// however many replicas the slot's clock names. Reports the delta's size.
void BM_SharedKeyWrite(benchmark::State& state) {
  CrdtMap map(1);
  for (ReplicaId r = 2; r < 2 + static_cast<ReplicaId>(state.range(0)); ++r) {
    CrdtMap other(r);
    auto d = other.Apply(Op::Set("shared", "v"), MakeTimestamp(1, 0));
    (void)map.Join(*d);
    (void)map.Apply(Op::Set("shared", "mine"), MakeTimestamp(2, 0));  // replaces it
  }
  Op op = Op::Set("shared", std::string(32, 'v'));
  uint64_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    auto d = map.Apply(op, MakeTimestamp(10 + i, 0));
    bytes = d->ApproximateBytes();
    benchmark::DoNotOptimize(d);
    ++i;
  }
  state.counters["delta_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_SharedKeyWrite)->Arg(1)->Arg(100)->Arg(1000);

// Joining one write's change into a key that `writers` replicas share, as
// every node of a fleet does for every write: Arg 0 an INCR of a counter
// whose slot holds a total per writer, Arg 1 a SET of a register whose slot
// clock names every writer. Writes go round 8 such keys (the simulator's
// churn keys), so each join meets a slot other than the last one's. The
// cost should not grow with `writers`.
void BM_JoinChangeIntoSharedKey(benchmark::State& state) {
  const bool counter = state.range(0) == 0;
  const auto writers = static_cast<ReplicaId>(state.range(1));
  auto op = [&](int64_t i) {
    std::string key = "shared/" + std::to_string(i % 8);
    return counter ? Op::Incr(key, 1) : Op::Set(key, "v" + std::to_string(i));
  };
  CrdtMap map(1);
  CrdtMap writer(2);
  for (ReplicaId r = 3; r < 3 + writers; ++r) {
    CrdtMap other(r);
    for (int64_t k = 0; k < 8; ++k) {
      auto d = other.Apply(op(k), MakeTimestamp(1, 0));
      (void)map.Join(*d);
      (void)writer.Join(*d);
    }
  }
  std::vector<Delta> changes;
  for (int64_t i = 0; i < 20000; ++i) changes.push_back(*writer.Apply(op(i), MakeTimestamp(10 + i, 0)));
  size_t i = 0;
  for (auto _ : state) {
    if (!map.Join(changes[i++]).ok()) state.SkipWithError("join failed");
  }
  if (map.StateDigest() != writer.StateDigest()) state.SkipWithError("the maps differ after the joins");
  state.counters["slot_clock"] = static_cast<double>(writers + 1);
  state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_JoinChangeIntoSharedKey)
    ->ArgsProduct({{0, 1}, {10, 1000}})
    ->Iterations(20000)
    ->Unit(benchmark::kMicrosecond);

// A snapshot's encoding (CrdtMap::EncodeState) of a node's map in the
// 1000-node simulator's shape: 64 counter and 64 register keys that
// `writers` replicas share, so every slot clock (and every counter slot's
// entries) names them all, plus 5,000 keys of one writer each. Reports the
// encoded size.
void BM_EncodeStateOfSharedKeys(benchmark::State& state) {
  const auto writers = static_cast<ReplicaId>(state.range(0));
  std::mt19937_64 rng(7);
  CrdtMap map(1);
  for (ReplicaId w = 0; w < writers; ++w) {
    CrdtMap other(rng() | 1);
    for (int k = 0; k < 64; ++k) {
      (void)map.Join(*other.Apply(Op::Incr("ctr/" + std::to_string(k), 1), MakeTimestamp(1, 0)));
      (void)map.Join(*other.Apply(Op::Set("reg/" + std::to_string(k), "v"), MakeTimestamp(2, 0)));
    }
  }
  for (int k = 0; k < 5000; ++k) (void)map.Apply(Op::Set(Key(static_cast<uint64_t>(k)), "value"), MakeTimestamp(3, 0));
  std::string out;
  for (auto _ : state) {
    out.clear();
    map.EncodeState(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_EncodeStateOfSharedKeys)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_CounterIncrement(benchmark::State& state) {
  CrdtMap map(1);
  uint64_t i = 0;
  for (auto _ : state) {
    auto d = map.Apply(Op::Incr(Key(i % 1000), 1), MakeTimestamp(i, 0));
    benchmark::DoNotOptimize(d);
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_CounterIncrement);

void BM_SetAdd(benchmark::State& state) {
  CrdtMap map(1);
  uint64_t i = 0;
  for (auto _ : state) {
    auto d = map.Apply(Op::SAdd(Key(i % 100), "member:" + std::to_string(i % 1000)), MakeTimestamp(i, 0));
    benchmark::DoNotOptimize(d);
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_SetAdd);

void BM_HashSet(benchmark::State& state) {
  CrdtMap map(1);
  uint64_t i = 0;
  for (auto _ : state) {
    auto d = map.Apply(Op::HSet(Key(i % 1000), "field:" + std::to_string(i % 16), "value"),
                       MakeTimestamp(i, 0));
    benchmark::DoNotOptimize(d);
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_HashSet);

// A 1 M-key state built once and shared by the join and diff benchmarks.
CrdtMap& BigState() {
  static CrdtMap* map = [] {
    auto* m = new CrdtMap(1);
    std::vector<Op> batch;
    for (uint64_t i = 0; i < 1000000; ++i) {
      batch.push_back(Op::Set(Key(i), "value-" + std::to_string(i)));
      if (batch.size() == 1000) {
        (void)m->Apply(batch, MakeTimestamp(i, 0));
        batch.clear();
      }
    }
    return m;
  }();
  return *map;
}

void BM_Join1kDeltaInto1MState(benchmark::State& state) {
  CrdtMap& big = BigState();
  CrdtMap writer(2);
  uint64_t round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Op> ops;
    for (uint64_t i = 0; i < 1000; ++i) ops.push_back(Op::Set(Key((round * 1000 + i) * 7 % 1000000), "new"));
    Delta d = std::move(writer.Apply(ops, MakeTimestamp(2000000 + round, 0))).value();
    ++round;
    state.ResumeTiming();
    benchmark::DoNotOptimize(big.Join(d));
  }
  state.SetItemsProcessed(static_cast<int64_t>(round) * 1000);
}
BENCHMARK(BM_Join1kDeltaInto1MState)->Unit(benchmark::kMicrosecond);

// A peer that lacks the newest `range(0)` batches of a 1 M-key state.
void BM_DiffMissingBatches(benchmark::State& state) {
  CrdtMap& big = BigState();
  // Everything but the newest batches of replica 1.
  CausalContext peer = big.context();
  CausalContext newest;
  newest.InsertRange({1, 1, big.context().MaxCounter(1) - static_cast<uint64_t>(state.range(0))});
  for (const DotRange& r : peer.ranges()) {
    if (r.replica != 1) newest.InsertRange(r);
  }
  peer = newest;
  size_t slots = 0;
  for (auto _ : state) {
    auto chunks = big.Diff(peer);
    slots = 0;
    for (const Delta& c : chunks) slots += c.slots.size();
    benchmark::DoNotOptimize(chunks);
  }
  state.counters["slots"] = static_cast<double>(slots);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * slots));
}
BENCHMARK(BM_DiffMissingBatches)->Arg(1)->Arg(10)->Unit(benchmark::kMicrosecond);

void BM_StateDigest1M(benchmark::State& state) {
  CrdtMap& big = BigState();
  for (auto _ : state) benchmark::DoNotOptimize(big.StateDigest());
}
BENCHMARK(BM_StateDigest1M)->Unit(benchmark::kMillisecond);

// ---- CausalContext at simulator scale -------------------------------------------
// The simulator runs 1000 replicas, so every node's context names 1000 of
// them; copies, joins and Missing of such contexts showed up in its profiles.

// 1000 random replica ids (fixed seed), in no particular order.
const std::vector<ReplicaId>& Replicas1k() {
  static const std::vector<ReplicaId> ids = [] {
    std::mt19937_64 rng(42);
    std::vector<ReplicaId> v;
    for (int i = 0; i < 1000; ++i) v.push_back(rng() | 1);
    return v;
  }();
  return ids;
}

// A context of 1000 replicas: replica i has seen [1, 1000 + i]; every tenth
// one also holds a small cloud above a gap. `ahead` shifts a hundredth of the
// replicas forward so two contexts differ the way gossiping peers do.
CausalContext Context1k(bool ahead) {
  CausalContext c;
  const auto& ids = Replicas1k();
  for (uint64_t i = 0; i < ids.size(); ++i) {
    uint64_t top = 1000 + i + (ahead && i % 100 == 0 ? 15 : 0);
    c.InsertRange({ids[i], 1, top});
    if (i % 10 == 0) c.InsertRange({ids[i], 1020 + i, 1030 + i});
  }
  return c;
}

void BM_Context1kCopy(benchmark::State& state) {
  CausalContext c = Context1k(false);
  for (auto _ : state) {
    CausalContext copy = c;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_Context1kCopy);

// Copy of a 1000-replica context joined with another one (large + large),
// as when a node merges a peer's full context. The copy is BM_Context1kCopy.
void BM_Context1kCopyJoin1k(benchmark::State& state) {
  CausalContext a = Context1k(false);
  CausalContext b = Context1k(true);
  for (auto _ : state) {
    CausalContext joined = a;
    joined.Join(b);
    benchmark::DoNotOptimize(joined);
  }
}
BENCHMARK(BM_Context1kCopyJoin1k);

// The write path: a delta's one-dot context is built and joined into a
// 1000-replica context (large + small), extending one replica's vector.
void BM_Context1kJoinWriteDelta(benchmark::State& state) {
  CausalContext c = Context1k(false);
  const auto& ids = Replicas1k();
  ReplicaId me = ids[500];
  uint64_t next = c.MaxCounter(me) + 1;
  for (auto _ : state) {
    CausalContext delta;
    delta.Insert({me, next++});
    c.Join(delta);
  }
  benchmark::DoNotOptimize(c);
}
BENCHMARK(BM_Context1kJoinWriteDelta);

// Missing between two 1000-replica contexts: `range(0)` = 1 when the peer
// lacks dots on a hundredth of the replicas, 0 when it lacks nothing (the
// "does this delta add anything?" test).
void BM_Context1kMissing(benchmark::State& state) {
  CausalContext mine = Context1k(state.range(0) == 1);
  CausalContext peer = Context1k(false);
  if (state.range(0) == 0) peer = mine;
  size_t ranges = 0;
  for (auto _ : state) {
    auto missing = mine.Missing(peer);
    ranges = missing.size();
    benchmark::DoNotOptimize(missing);
  }
  state.counters["ranges"] = static_cast<double>(ranges);
}
BENCHMARK(BM_Context1kMissing)->Arg(0)->Arg(1);

// The receive path's test "does this delta add anything?": a delta's one-dot
// context against a node's 1000-replica context. `range(0)` = 1 when the dot
// is new, 0 when it is already known.
void BM_Context1kDeltaMissing(benchmark::State& state) {
  CausalContext mine = Context1k(false);
  ReplicaId writer = Replicas1k()[500];
  CausalContext delta;
  delta.Insert({writer, mine.MaxCounter(writer) + static_cast<uint64_t>(state.range(0))});
  for (auto _ : state) {
    auto missing = delta.Missing(mine);
    benchmark::DoNotOptimize(missing);
  }
}
BENCHMARK(BM_Context1kDeltaMissing)->Arg(0)->Arg(1);

// Includes, the allocation-free replacement for "Missing(...).empty()":
// `range(0)` = 0 for two equal 1000-replica contexts (a full walk), 1 for a
// one-dot delta context that is already known (the receive path).
void BM_Context1kIncludes(benchmark::State& state) {
  CausalContext mine = Context1k(false);
  CausalContext other = mine;
  if (state.range(0) == 1) {
    other = CausalContext();
    other.Insert({Replicas1k()[500], 7});
  }
  for (auto _ : state) benchmark::DoNotOptimize(mine.Includes(other));
}
BENCHMARK(BM_Context1kIncludes)->Arg(0)->Arg(1);

}  // namespace
}  // namespace parley
