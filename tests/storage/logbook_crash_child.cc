// The writer process of the logbook crash test (logbook_crash_test.cc).
//
//   parley_logbook_crash_child DIR POLICY FIRST_INDEX
//
// Opens DIR, then makes write i = FIRST_INDEX, FIRST_INDEX+1, ... forever:
// register "key<i % 256>" = "<i>" with timestamp i, through a GroupCommitter
// with POLICY, and prints "<i>\n" on stdout once write i is acknowledged.
// Reusing 256 keys keeps the state, and so each restart, small; since later
// writes win, write i survived iff its key holds i or a later index. Every 999 writes it also
// writes a snapshot, so kills land during compaction too. Under `batch`,
// whose syncs run on a thread of their own, each three writes from
// FIRST_INDEX on are one write group (Logbook::BeginGroup), so syncs also
// land inside groups. The parent kills it with SIGKILL at a random moment
// and checks that every printed write survived, and that no group survived
// in part.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "storage/crdt_map.h"
#include "storage/env.h"
#include "storage/group_commit.h"
#include "storage/logbook.h"

namespace {

// One write(2) per line: lines under PIPE_BUF reach the pipe whole, and
// nothing waits in a stdio buffer when the kill comes.
void ReportAcknowledged(uint64_t index) {
  std::string line = std::to_string(index) + "\n";
  if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::_Exit(3);
}

int Fail(const parley::Status& status) {
  std::fprintf(stderr, "crash child: %s\n", status.ToString().c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace parley;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DIR always|batch FIRST_INDEX\n", argv[0]);
    return 64;
  }
  auto policy = ParseSyncPolicy(argv[2]);
  if (!policy.ok()) return Fail(policy.status());
  const uint64_t first = std::strtoull(argv[3], nullptr, 10);

  LogbookOptions options;
  options.new_replica_id = 0x5eed;
  options.segment_bytes = 64 * 1024;  // small, so segments roll often
  auto logbook = Logbook::Open(Env::Default(), argv[1], options);
  if (!logbook.ok()) return Fail(logbook.status());
  // The map must start from the recovered state so new dots follow old ones.
  CrdtMap map((*logbook)->replica_id());
  Status joined = map.Join((*logbook)->TakeRecoveredState());
  if (!joined.ok()) return Fail(joined);

  GroupCommitter committer(logbook->get(), *policy, std::chrono::milliseconds(1));
  // (Under `always`, GroupCommitter acknowledges each write at its own sync,
  // which does not cover an open group, so groups run under `batch` only.)
  const uint64_t group = *policy == SyncPolicy::kBatch ? 3 : 1;
  for (uint64_t i = first;; i += group) {
    if (group > 1) (*logbook)->BeginGroup();
    for (uint64_t j = i; j < i + group; ++j) {
      auto delta = map.Apply(Op::Set("key" + std::to_string(j % 256), std::to_string(j)), MakeTimestamp(j, 0));
      if (!delta.ok()) return Fail(delta.status());
      auto written = committer.Write(*delta, [j](Status s) {
        if (s.ok()) ReportAcknowledged(j);
      });
      if (!written.ok()) return Fail(written.status());
    }
    if (group > 1) {
      Status ended = (*logbook)->EndGroup();
      if (!ended.ok()) return Fail(ended);
    }
    if ((i - first) % 999 == 999 - group) {
      Status s = (*logbook)->WriteSnapshot(map.ExportState());
      if (!s.ok()) return Fail(s);
    }
  }
}
