// map_footprint: resident memory of a CrdtMap holding N register keys.
//
// Applies N (default 1 M) Op::Set("key%07d", "value%07d"), each its own event
// as a node applies client writes, and prints VmRSS before and after and the
// growth per key. This is the "CrdtMap with 1 M register keys" figure of
// bench/RESULTS.md (goal: at most 200 MB). Not a Google Benchmark: RSS is a
// property of the final state, not of a timed loop.
//
//   map_footprint [keys]
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "storage/crdt_map.h"

namespace {

// VmRSS of this process in kB, from /proc/self/status (0 if unreadable).
long ResidentKb() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  }
  std::fclose(f);
  return kb;
}

}  // namespace

int main(int argc, char** argv) {
  long keys = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1000000;
  if (keys <= 0) {
    std::fprintf(stderr, "usage: %s [keys]\n", argv[0]);
    return 2;
  }
  long before = ResidentKb();
  parley::CrdtMap map(1);
  char key[32];
  char value[32];
  for (long i = 0; i < keys; ++i) {
    std::snprintf(key, sizeof(key), "key%07ld", i);
    std::snprintf(value, sizeof(value), "value%07ld", i);
    auto delta = map.Apply(parley::Op::Set(key, value), parley::MakeTimestamp(1000 + i, 0));
    if (!delta.ok()) {
      std::fprintf(stderr, "write %ld failed\n", i);
      return 1;
    }
  }
  long after = ResidentKb();
  std::printf("keys            %zu\n", map.KeyCount());
  std::printf("VmRSS before    %ld kB\n", before);
  std::printf("VmRSS after     %ld kB (%.1f MiB)\n", after, after / 1024.0);
  std::printf("growth per key  %.1f B\n", (after - before) * 1024.0 / static_cast<double>(keys));
  return 0;
}
