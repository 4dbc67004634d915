// ServerState: what every RESP session of one server shares.
//
// The password, limits, client ids, counters for INFO, the registry of open
// sessions (CLIENT LIST, INFO clients) and the SCAN cursor table. Owned by
// the server (or by a test), it outlives every session and every write
// acknowledgement the backend will still deliver.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "node/resp/resp_limits.h"
#include "node/resp/scan_cursors.h"

namespace parley::resp {

class RespSession;
struct ServerState;

// Where a write's acknowledgement goes: the session that submitted it, or
// nowhere once that session has closed. The backend's callback holds a
// plain pointer to it and a sequence number, 16 trivially copyable bytes
// that std::function keeps without allocating (a shared_ptr capture cost
// two allocations per write), so a route lives until every acknowledgement
// it expects has arrived.
struct AckRoute {
  RespSession* session;  // null once the session is gone
  ServerState* server;
  uint64_t outstanding = 0;  // writes submitted, not yet acknowledged
};

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

  // Routes of closed sessions whose writes are still unacknowledged (see
  // AckRoute in resp_session.h); each goes when its last acknowledgement
  // arrives, the rest with the server.
  std::vector<std::unique_ptr<AckRoute>> orphaned_routes;
};

}  // namespace parley::resp
