// Logbook benchmarks: acknowledged-write throughput and latency per sync
// policy on the real disk (a temp dir under /tmp), plus raw append speed.
//
// A "write" is a register SET of a 32-byte value, the size of a typical small
// delta. Each iteration writes a batch through a GroupCommitter and waits for
// every acknowledgement, so items/s counts durable (under the policy) writes.
// Latency counters are from Write() to the acknowledgement callback.
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/compact_delta.h"
#include "storage/crdt_map.h"
#include "storage/delta_archive.h"
#include "storage/env.h"
#include "storage/group_commit.h"
#include "storage/logbook.h"

namespace parley {
namespace {

using Clock = std::chrono::steady_clock;

class BenchDir {
 public:
  BenchDir() {
    std::string pattern = "/tmp/parley-logbook-bench-XXXXXX";
    path_ = ::mkdtemp(pattern.data());
  }
  ~BenchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Deltas made up front so the benchmark measures the logbook, not the map.
const std::vector<Delta>& Deltas() {
  static const std::vector<Delta> deltas = [] {
    std::vector<Delta> out;
    // Replica ids are random 64-bit numbers; a small one would flatter
    // the varints of the compact encoding.
    CrdtMap map(0x9e3779b97f4a7c15);
    for (uint64_t i = 0; i < 20000; ++i) {
      out.push_back(*map.Apply(Op::Set("key:" + std::to_string(i), std::string(32, 'v')), MakeTimestamp(i + 1, 0)));
    }
    return out;
  }();
  return deltas;
}

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  size_t index = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  std::nth_element(values.begin(), values.begin() + index, values.end());
  return values[index];
}

void BM_AcknowledgedWrites(benchmark::State& state) {
  const auto policy = static_cast<SyncPolicy>(state.range(0));
  const int batch = static_cast<int>(state.range(1));
  BenchDir dir;
  LogbookOptions options;
  options.new_replica_id = 1;
  auto logbook = Logbook::Open(Env::Default(), dir.path(), options);
  if (!logbook.ok()) {
    state.SkipWithError(logbook.status().ToString().c_str());
    return;
  }
  const std::vector<Delta>& deltas = Deltas();
  std::vector<double> latencies_us;
  latencies_us.reserve(1 << 20);
  size_t next = 0;
  uint64_t syncs = 0;
  {
    GroupCommitter committer(logbook->get(), policy, std::chrono::microseconds(1000));
    for (auto _ : state) {
      for (int i = 0; i < batch; ++i) {
        const auto start = Clock::now();
        auto written = committer.Write(deltas[next++ % deltas.size()], [start, &latencies_us](Status s) {
          if (s.ok()) latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        });
        if (!written.ok()) {
          state.SkipWithError(written.status().ToString().c_str());
          return;
        }
      }
      // Under `none` the acks have already fired; wait only for the others.
      if (policy != SyncPolicy::kNone) {
        Status flushed = committer.Flush();
        if (!flushed.ok()) state.SkipWithError(flushed.ToString().c_str());
      }
    }
    syncs = committer.sync_count();
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["p50_us"] = Percentile(latencies_us, 0.50);
  state.counters["p99_us"] = Percentile(latencies_us, 0.99);
  state.counters["writes_per_fsync"] =
      syncs == 0 ? 0 : static_cast<double>(state.iterations() * batch) / static_cast<double>(syncs);
  state.SetLabel(SyncPolicyName(policy));
}
BENCHMARK(BM_AcknowledgedWrites)
    ->Args({static_cast<int>(SyncPolicy::kAlways), 200})
    ->Args({static_cast<int>(SyncPolicy::kBatch), 20000})
    ->Args({static_cast<int>(SyncPolicy::kNone), 20000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Logbook::Append alone: encoding, checksums and buffered writes, no sync.
void BM_RawAppend(benchmark::State& state) {
  BenchDir dir;
  LogbookOptions options;
  options.new_replica_id = 1;
  auto logbook = Logbook::Open(Env::Default(), dir.path(), options);
  if (!logbook.ok()) {
    state.SkipWithError(logbook.status().ToString().c_str());
    return;
  }
  const std::vector<Delta>& deltas = Deltas();
  size_t next = 0;
  for (auto _ : state) {
    auto sequence = (*logbook)->Append(deltas[next++ % deltas.size()]);
    benchmark::DoNotOptimize(sequence);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawAppend);

// A log record's payload alone: a small write delta into a reused buffer,
// in the compact encoding (argument 1) or the version-1 fixed-width one (0).
void BM_EncodeDelta(benchmark::State& state) {
  const bool compact = state.range(0) != 0;
  const std::vector<Delta>& deltas = Deltas();
  std::string out;
  size_t next = 0, bytes = 0;
  for (auto _ : state) {
    out.clear();
    const Delta& delta = deltas[next++ % deltas.size()];
    if (compact) {
      EncodeCompactDelta(delta, &out);
    } else {
      EncodeDeltaArchive(delta, &out);
    }
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes_per_record"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_EncodeDelta)->ArgName("compact")->Arg(0)->Arg(1);

// Replaying a record: decoding a small write delta, in either encoding.
void BM_DecodeDelta(benchmark::State& state) {
  const bool compact = state.range(0) != 0;
  std::vector<std::string> records;
  for (const Delta& delta : Deltas()) {
    std::string& out = records.emplace_back();
    compact ? EncodeCompactDelta(delta, &out) : EncodeDeltaArchive(delta, &out);
  }
  size_t next = 0;
  for (auto _ : state) {
    const std::string& record = records[next++ % records.size()];
    auto delta = compact ? DecodeCompactDelta(record) : DecodeDeltaArchive(record);
    benchmark::DoNotOptimize(delta);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeDelta)->ArgName("compact")->Arg(0)->Arg(1);

// One fsync of a log with a few fresh records: the floor for `always`.
void BM_SyncLatency(benchmark::State& state) {
  BenchDir dir;
  LogbookOptions options;
  options.new_replica_id = 1;
  auto logbook = Logbook::Open(Env::Default(), dir.path(), options);
  if (!logbook.ok()) {
    state.SkipWithError(logbook.status().ToString().c_str());
    return;
  }
  const std::vector<Delta>& deltas = Deltas();
  size_t next = 0;
  for (auto _ : state) {
    (*logbook)->Append(deltas[next++ % deltas.size()]);
    benchmark::DoNotOptimize((*logbook)->Sync());
  }
}
BENCHMARK(BM_SyncLatency)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace parley
