// The RESP write path without sockets: what one pipelined redis-benchmark
// command costs in parley's own code, and how many heap allocations it
// makes.
//
// A RespSession over the RuntimeBackend of an in-memory NodeRuntime (a real
// core, no peers) is fed 16 commands at a time, as `redis-benchmark -P 16`
// sends them (the same key each time: redis-benchmark without -r uses the
// literal "key:__rand_int__"); the replies go nowhere. The kernel's share of
// a real run (socket reads and writes, about 40% of the server's CPU) is
// left out, so these numbers are steadier than resp_vs_redis.sh on a noisy
// machine and show what a code change buys. BM_PipelinedSetLogged adds a
// logbook (without fsync).
#include <benchmark/benchmark.h>
#include <uv.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "node/resp/resp_session.h"
#include "node/resp/resp_writer.h"
#include "node/resp/runtime_backend.h"
#include "node/runtime/node_runtime.h"

namespace {

std::atomic<uint64_t> g_allocations{0};

}  // namespace

// Counts every allocation of the process (the benchmark reads the
// difference around its loop). GCC, once it inlines these, takes the
// malloc/free pair for a new/free mismatch; it is not one.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace parley::resp {
namespace {

constexpr int kPipeline = 16;

// A request is an array of bulk strings, which RespWriter writes.
std::string Command(std::initializer_list<std::string_view> args) {
  std::string out;
  RespWriter w(&out, 2);
  w.Array(args.size());
  for (std::string_view a : args) w.Bulk(a);
  return out;
}

// `logged`: with a logbook in a temporary directory, but no fsync (what a
// durable write costs besides the disk's own time).
void RunPipelined(benchmark::State& state, const std::string& command, bool logged = false) {
  RuntimeOptions options;
  options.config.name = "bench";
  std::string dir;
  if (logged) {
    char tmpl[] = "/tmp/parley-resp-bench.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      state.SkipWithError("mkdtemp failed");
      return;
    }
    dir = tmpl;
    options.data_dir = dir;
    options.config.sync_policy = SyncPolicy::kNone;
  }
  options.bind = Address{"127.0.0.1", 0};
  options.logger = MakeNodeLogger("bench", spdlog::level::off);
  Result<std::unique_ptr<NodeRuntime>> runtime = NodeRuntime::Create(std::move(options));
  if (!runtime.ok() || !(*runtime)->Start().ok()) {
    state.SkipWithError("no runtime");
    return;
  }
  RuntimeBackend backend(runtime->get());
  ServerState server;
  size_t reply_bytes = 0;
  SessionIo io;
  io.send = [&reply_bytes](std::string_view bytes) { reply_bytes += bytes.size(); };
  std::shared_ptr<RespSession> session = RespSession::Create(&backend, &server, std::move(io));

  std::string pipeline;
  for (int i = 0; i < kPipeline; ++i) pipeline += command;
  // The keys exist from here on, as in a long run.
  session->Feed(Command({"SET", "key:__rand_int__", "xxx"}) + pipeline);

  uint64_t allocations = g_allocations.load();
  // One turn of the loop per pipeline, as a server does per read: it runs
  // the runtime's drain of what the writes left (packets, timer).
  uv_loop_t* loop = (*runtime)->loop();
  for (auto _ : state) {
    session->Feed(pipeline);
    uv_run(loop, UV_RUN_NOWAIT);
  }
  allocations = g_allocations.load() - allocations;

  const double commands = static_cast<double>(state.iterations()) * kPipeline;
  state.counters["allocs/cmd"] = benchmark::Counter(static_cast<double>(allocations) / commands);
  state.counters["ns/cmd"] = benchmark::Counter(commands, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["reply_bytes"] = benchmark::Counter(static_cast<double>(reply_bytes));
  session.reset();
  runtime->reset();
  if (!dir.empty()) std::filesystem::remove_all(dir);
}

void BM_PipelinedSet(benchmark::State& state) { RunPipelined(state, Command({"SET", "key:__rand_int__", "xxx"})); }
void BM_PipelinedGet(benchmark::State& state) { RunPipelined(state, Command({"GET", "key:__rand_int__"})); }
void BM_PipelinedIncr(benchmark::State& state) { RunPipelined(state, Command({"INCR", "counter:__rand_int__"})); }
void BM_PipelinedSetLogged(benchmark::State& state) {
  RunPipelined(state, Command({"SET", "key:__rand_int__", "xxx"}), true);
}

BENCHMARK(BM_PipelinedSet);
BENCHMARK(BM_PipelinedGet);
BENCHMARK(BM_PipelinedIncr);
BENCHMARK(BM_PipelinedSetLogged);

}  // namespace
}  // namespace parley::resp
