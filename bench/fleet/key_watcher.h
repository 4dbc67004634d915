// KeyWatcher: when did each of N servers report a change of a key?
//
// Propagation is measured by notification, not by polling: the watcher
// holds one RESP connection per server, SUBSCRIBEd to a keyspace-event
// channel (parley: __keyevent@0__:changed; redis-server with
// notify-keyspace-events: __keyevent@0__:set), and one thread poll()s all of
// them, stamping each message with the benchmark's single steady clock the
// moment poll() returns. Polling GETs would add a request round trip and
// the polling period to every sample; a watch costs neither.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/fleet/resp_conn.h"
#include "storage/status.h"

namespace parley::bench {

using Clock = std::chrono::steady_clock;

class KeyWatcher {
 public:
  // Subscribes to `channel` on every address (one connection each; an
  // address may repeat, e.g. N subscribers of one redis-server) and starts
  // the reader thread. Returns once every subscription is confirmed.
  static Result<std::unique_ptr<KeyWatcher>> Start(const std::vector<std::string>& addresses,
                                                   const std::string& channel);
  ~KeyWatcher();
  KeyWatcher(const KeyWatcher&) = delete;
  KeyWatcher& operator=(const KeyWatcher&) = delete;

  // Call before writing `key`: only expected keys are recorded, so earlier
  // or unrelated changes cannot satisfy a wait.
  void Expect(const std::string& key);
  // Waits until every server reported `key` (or `timeout`); returns the
  // first report time per server, Clock::time_point{} for a server that
  // did not report in time. Forgets the key.
  std::vector<Clock::time_point> Wait(const std::string& key, std::chrono::milliseconds timeout);

 private:
  struct Arrivals {
    std::vector<Clock::time_point> first;  // per server
    size_t seen = 0;
  };

  KeyWatcher() = default;
  void Run();
  void Record(size_t server, const std::string& key, Clock::time_point when);

  std::vector<std::unique_ptr<RespConn>> conns_;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Arrivals> expected_;
  Status reader_error_;
};

}  // namespace parley::bench
