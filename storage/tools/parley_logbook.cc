// parley-logbook: inspects and verifies a logbook data directory.
//
//   parley-logbook verify DIR
//
// Prints the replica id, each snapshot and segment (sizes, record counts and
// sequence ranges), then every problem with its file and byte offset. Exit
// status: 0 clean, 1 corrupt (a node would refuse to start), 2 only warnings
// (a torn tail or leftovers that the next open cleans up), 64 bad usage.
#include <cstdio>
#include <cstring>

#include "storage/env.h"
#include "storage/logbook_inspector.h"

int main(int argc, char** argv) {
  if (argc != 3 || std::strcmp(argv[1], "verify") != 0) {
    std::fprintf(stderr, "usage: %s verify DIR\n", argv[0]);
    return 64;
  }
  auto inspection = parley::InspectDataDirectory(parley::Env::Default(), argv[2]);
  if (!inspection.ok()) {
    std::fprintf(stderr, "parley-logbook: %s\n", inspection.status().ToString().c_str());
    return 1;
  }
  std::fputs(inspection->ToString().c_str(), stdout);
  if (!inspection->errors.empty()) return 1;
  return inspection->warnings.empty() ? 0 : 2;
}
