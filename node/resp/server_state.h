// ServerState: what every RESP session of one server shares.
//
// The password, limits, client ids, counters for INFO, the registry of open
// sessions (CLIENT LIST, INFO clients) and the SCAN cursor table. Owned by
// the server (or by a test), it outlives every session.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include "node/resp/resp_limits.h"
#include "node/resp/scan_cursors.h"

namespace parley::resp {

class RespSession;

struct ServerState {
  std::string password;  // empty: no AUTH needed
  RespLimits limits;
  std::string listen_address;  // "host:port", for INFO
  uint16_t port = 0;

  uint64_t next_client_id = 1;
  uint64_t total_connections = 0;
  uint64_t total_commands = 0;
  uint64_t rejected_connections = 0;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  std::set<RespSession*> sessions;  // open sessions; they register themselves
  ScanCursors scans;
};

}  // namespace parley::resp
