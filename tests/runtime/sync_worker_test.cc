// SyncWorker: fsyncs run on the loop thread while they are quick, move to
// libuv's thread pool after a slow one, and come back; writes that keep
// arriving are gathered into one fsync.
#include "node/runtime/sync_worker.h"

#include <uv.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "storage/mem_env.h"

namespace parley {
namespace {

// A MemEnv whose files' Sync() takes `sync_delay_ms` and notes its thread.
class SlowSyncEnv final : public EnvWrapper {
 public:
  SlowSyncEnv() : EnvWrapper(&mem_) {}

  std::atomic<int> sync_delay_ms{0};
  std::atomic<std::thread::id> last_sync_thread{};

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    auto file = target()->NewWritableFile(path);
    if (!file.ok()) return file.status();
    return std::unique_ptr<WritableFile>(new SlowFile(this, std::move(file).value()));
  }

 private:
  class SlowFile final : public WritableFileWrapper {
   public:
    SlowFile(SlowSyncEnv* env, std::unique_ptr<WritableFile> base) : WritableFileWrapper(std::move(base)), env_(env) {}
    Status Sync() override {
      std::this_thread::sleep_for(std::chrono::milliseconds(env_->sync_delay_ms.load()));
      env_->last_sync_thread = std::this_thread::get_id();
      return WritableFileWrapper::Sync();
    }

   private:
    SlowSyncEnv* env_;
  };

  MemEnv mem_;
};

std::unique_ptr<Logbook> OpenLogbook(Env* env) {
  LogbookOptions options;
  options.new_replica_id = 5;
  auto logbook = Logbook::Open(env, "/data", options);
  EXPECT_TRUE(logbook.ok()) << logbook.status().ToString();
  return logbook.ok() ? std::move(logbook).value() : nullptr;
}

TEST(SyncWorker, SyncsOnTheLoopThreadUntilOneIsSlowAndAgainOnceOneIsQuick) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  SlowSyncEnv env;
  std::unique_ptr<Logbook> logbook = OpenLogbook(&env);
  ASSERT_NE(logbook, nullptr);
  std::vector<uint64_t> durable;
  // Far above a MemEnv sync, even on a sanitizer build; far below the delay.
  constexpr uint64_t kLimitNs = 50'000'000;
  auto worker = std::make_unique<SyncWorker>(
      &loop, logbook.get(),
      [&](uint64_t sequence, const Status& status) {
        EXPECT_TRUE(status.ok()) << status.ToString();
        durable.push_back(sequence);
      },
      kLimitNs);
  // Appends `records` records, asks for a sync, runs the loop until it is
  // done, and says on which thread the fsync ran.
  auto sync_one = [&](uint64_t records = 1) {
    for (uint64_t i = 0; i < records; ++i) EXPECT_TRUE(logbook->Append(Delta{}).ok());
    worker->Request();
    while (worker->busy()) uv_run(&loop, UV_RUN_ONCE);
    return env.last_sync_thread.load();
  };
  const std::thread::id loop_thread = std::this_thread::get_id();

  EXPECT_EQ(sync_one(), loop_thread);
  env.sync_delay_ms = 100;
  EXPECT_EQ(sync_one(), loop_thread) << "nothing showed yet that the disk is slow";
  EXPECT_FALSE(worker->runs_inline());
  EXPECT_NE(sync_one(), loop_thread) << "after a slow sync, the pool";
  env.sync_delay_ms = 0;
  EXPECT_NE(sync_one(), loop_thread);
  EXPECT_TRUE(worker->runs_inline()) << "a quick sync on the pool brings them back";
  EXPECT_EQ(sync_one(), loop_thread);
  EXPECT_EQ(durable, (std::vector<uint64_t>{1, 2, 3, 4, 5}));

  // A big batch (pipelining clients) stays on the loop thread too.
  EXPECT_EQ(sync_one(1000), loop_thread);
  EXPECT_TRUE(worker->runs_inline());
  EXPECT_EQ(durable.back(), 5u + 1000);
  EXPECT_EQ(worker->syncs(), 6u);

  worker->Close();
  uv_run(&loop, UV_RUN_DEFAULT);  // lets the idle handle close
  worker.reset();
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

// Writes that keep arriving poll after poll share one inline fsync, up to
// kMaxGatherPolls polls; a write that comes alone is synced at once.
TEST(SyncWorker, GathersWritesThatArriveInTheNextPollsIntoOneSync) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  MemEnv env;
  std::unique_ptr<Logbook> logbook = OpenLogbook(&env);
  ASSERT_NE(logbook, nullptr);
  std::vector<uint64_t> durable;
  SyncWorker worker(&loop, logbook.get(), [&](uint64_t sequence, const Status&) { durable.push_back(sequence); });
  auto write = [&] {
    EXPECT_TRUE(logbook->Append(Delta{}).ok());
    worker.Request();
  };

  // A lone write: synced in the loop's next iteration, nothing waited for.
  write();
  uv_run(&loop, UV_RUN_ONCE);
  EXPECT_EQ(durable, std::vector<uint64_t>{1});

  // Stands in for the sockets: a check handle runs after each poll, as the
  // read callbacks do, and writes once per iteration while `polls_left`.
  struct Arrivals {
    int polls_left = 0;
    std::function<void()> write;
  } arrivals{0, write};
  uv_check_t check;
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  check.data = &arrivals;
  ASSERT_EQ(uv_check_start(&check,
                           [](uv_check_t* h) {
                             auto* a = static_cast<Arrivals*>(h->data);
                             if (a->polls_left > 0) {
                               --a->polls_left;
                               a->write();
                             }
                           }),
            0);
  auto run_until_synced = [&] {
    while (worker.busy()) uv_run(&loop, UV_RUN_ONCE);
  };

  // Two writes in one poll, then one in each of the next two polls: one sync.
  write();
  write();
  arrivals.polls_left = 2;
  run_until_synced();
  EXPECT_EQ(durable, (std::vector<uint64_t>{1, 5}));
  EXPECT_EQ(worker.syncs(), 2u);

  // Writes in every poll: the sync waits kMaxGatherPolls polls, no more.
  write();
  write();
  arrivals.polls_left = 100;
  run_until_synced();  // and the syncs after it, for the writes that go on
  ASSERT_GE(durable.size(), 3u);
  EXPECT_EQ(durable[2], 5u + 2 + SyncWorker::kMaxGatherPolls);
  EXPECT_EQ(durable.back(), 5u + 2 + 100);

  uv_close(reinterpret_cast<uv_handle_t*>(&check), nullptr);
  worker.Close();
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace parley
