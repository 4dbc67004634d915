// Kills a real writer process with SIGKILL and checks no acknowledged write
// is lost (invariant I2), for the `always` and `batch` sync policies, and
// (under `batch`) that a write group survives whole or not at all.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "storage/logbook.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::OpenInto;
using testing::SeedTrace;
using testing::TestSeed;

struct ChildRun {
  std::set<uint64_t> acknowledged;
  int exit_status = 0;
};

// Runs the child and SIGKILLs it `run_for` after its first acknowledgement
// (or after spawning it, if `from_spawn`: a kill during recovery); collects
// every index it reported as acknowledged. Counting from the first ack keeps
// the test meaningful on a slow (e.g. sanitizer) build.
ChildRun RunAndKill(const std::string& dir, const char* policy, uint64_t first_index,
                    std::chrono::milliseconds run_for, bool from_spawn) {
  ChildRun run;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe failed";
    return run;
  }
  const std::string first = std::to_string(first_index);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::execl(PARLEY_LOGBOOK_CHILD, PARLEY_LOGBOOK_CHILD, dir.c_str(), policy, first.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string pending;
  auto drain = [&](int timeout_ms) {
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char buf[65536];
    ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n <= 0) return false;  // EOF: the child is gone
    pending.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      run.acknowledged.insert(std::stoull(pending.substr(start, nl - start)));
    }
    pending.erase(0, start);
    return true;
  };
  // Read while it runs (so it never blocks on a full pipe), then kill it.
  const auto spawned = std::chrono::steady_clock::now();
  while (!from_spawn && run.acknowledged.empty() &&
         std::chrono::steady_clock::now() < spawned + std::chrono::seconds(10)) {
    if (!drain(1)) break;
  }
  const auto deadline = std::chrono::steady_clock::now() + run_for;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!drain(1)) break;
  }
  ::kill(pid, SIGKILL);
  while (drain(1000)) {
  }
  ::close(fds[0]);
  ::waitpid(pid, &run.exit_status, 0);
  return run;
}

class LogbookCrash : public ::testing::TestWithParam<const char*> {};

TEST_P(LogbookCrash, EveryAcknowledgedWriteSurvivesSigkill) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  testing::TempDir tmp;
  const std::string dir = tmp.path() + "/data";
  std::set<uint64_t> all_acknowledged;
  uint64_t killed_while_writing = 0;
  const int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // One round in four kills at a random moment after spawning, which may
    // fall in recovery; the others kill at a random moment of writing.
    const bool from_spawn = round % 4 == 3;
    auto run_for = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, from_spawn ? 60 : 200)(rng));
    ChildRun run = RunAndKill(dir, GetParam(), uint64_t(round) * 1'000'000, run_for, from_spawn);
    // The child only ever stops by our SIGKILL; anything else is a failure
    // (e.g. it refused to open the directory it left behind last round).
    ASSERT_TRUE(WIFSIGNALED(run.exit_status) && WTERMSIG(run.exit_status) == SIGKILL)
        << "child exited on its own with status " << run.exit_status;
    if (!run.acknowledged.empty()) ++killed_while_writing;
    all_acknowledged.insert(run.acknowledged.begin(), run.acknowledged.end());

    CrdtMap map;
    LogbookOptions options;
    auto logbook = OpenInto(Env::Default(), dir, options, &map);
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    // Write i set "key<i % 256>" to i; later writes overwrite it, so it
    // survived iff the key holds i or a later index of the same key.
    uint64_t missing = 0;
    for (uint64_t i : all_acknowledged) {
      auto value = map.GetRegister("key" + std::to_string(i % 256));
      const uint64_t held = value ? std::stoull(*value) : 0;
      if (!value || held < i || held % 256 != i % 256) ++missing;
    }
    ASSERT_EQ(missing, 0u) << "acknowledged writes lost; recovery: " << (*logbook)->recovery().ToString();
    if (std::string(GetParam()) == "batch") {
      // The round's writes came in groups of three from its first index, and
      // what survives is a prefix of them: it must end at a group's end.
      const uint64_t first = uint64_t(round) * 1'000'000;
      uint64_t newest = 0;
      bool any = false;
      for (int k = 0; k < 256; ++k) {
        auto value = map.GetRegister("key" + std::to_string(k));
        if (!value || std::stoull(*value) < first) continue;
        newest = std::max<uint64_t>(newest, std::stoull(*value));
        any = true;
      }
      if (any) {
        EXPECT_EQ((newest - first) % 3, 2u) << "a write group survived in part: up to write " << newest;
      }
    }
  }
  EXPECT_GE(killed_while_writing, kRounds * 3 / 4) << "the child rarely got to write before being killed";
  EXPECT_GT(all_acknowledged.size(), 100u);
}

INSTANTIATE_TEST_SUITE_P(LogbookSyncPolicies, LogbookCrash, ::testing::Values("always", "batch"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace parley
