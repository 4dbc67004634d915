// NodeRuntime: drives one NodeCore with libuv — real sockets, one timer, a
// sync worker, signals — on a single loop thread.
//
// Life cycle:
//   Create(options)   opens the data directory, binds the gossip port (UDP
//                     and TCP on the same address), creates the loop.
//   AttachFrontDoor / SetMeta   front doors bind and publish their addresses.
//   Start()           creates the core and joins through the seeds.
//   Run()             runs the loop on the calling thread (which becomes the
//                     loop thread) until Stop() or LeaveAndStop() ends it.
//   ~NodeRuntime()    closes every handle, drains the loop, closes the logbook.
//
// Everything except Post() must be called on the loop thread (or before
// Run()). Every call into the core is followed by Drain(): packets go out
// (through the fault filter), acknowledgements reach their callbacks, key
// changes reach watchers, member changes are logged, a wanted sync goes to
// the SyncWorker, and the timer is re-armed from NextDeadline().
//
// Time: the core gets wall-clock milliseconds (see wall_clock.h), used both
// for its timers and for its hybrid logical clock.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "node/core/node_core.h"
#include "node/runtime/connection_pool.h"
#include "node/runtime/faults.h"
#include "node/runtime/front_door.h"
#include "node/runtime/logging.h"
#include "node/runtime/map_lock.h"
#include "node/runtime/sync_worker.h"
#include "node/runtime/tcp_transport.h"
#include "node/runtime/udp_transport.h"
#include "node/runtime/uv_handle.h"
#include "node/runtime/wall_clock.h"
#include "storage/logbook.h"

namespace parley {

struct RuntimeOptions {
  // config.advertise: left empty (or port 0), the bound gossip address is used.
  NodeConfig config;
  Address bind{"127.0.0.1", 7946};  // port 0 picks a free port
  std::string data_dir;             // empty: in memory, no logbook
  // Keep the log written with zeros ~1 MB ahead of its records, so an fsync
  // does not also grow the file (LogbookOptions::preallocate_bytes). Off
  // saves writing each log byte twice, for flash media that wear out.
  bool preallocate_log = true;
  Logger logger;                    // null: a logger named after the node
  // For the embedding API (node/embed). `loop`: run on the caller's loop
  // instead of an own one; the caller runs it and it must outlive the
  // runtime. `map_lock`: taken exclusively around every call that may change
  // the core's map, so other threads may read the map under a shared lock.
  uv_loop_t* loop = nullptr;
  MapLock* map_lock = nullptr;
};

class NodeRuntime {
 public:
  using WriteCallback = std::function<void(const Status&)>;
  using ChangeCallback = std::function<void(const std::string& key)>;

  static Result<std::unique_ptr<NodeRuntime>> Create(RuntimeOptions options);
  ~NodeRuntime();
  NodeRuntime(const NodeRuntime&) = delete;
  NodeRuntime& operator=(const NodeRuntime&) = delete;

  // ---- before Start() ----
  // Gossiped metadata, e.g. ("http", "127.0.0.1:8080").
  void SetMeta(const std::string& key, const std::string& value) { options_.config.meta[key] = value; }
  // An address shown in status (name: "http", "resp").
  void SetAddress(const std::string& name, const Address& address) { addresses_[name] = address; }
  void AttachFrontDoor(std::unique_ptr<FrontDoor> door) { front_doors_.push_back(std::move(door)); }
  // Extra Prometheus text appended to /metrics (e.g. the Redis bridge's
  // counters); called on the loop thread.
  using MetricsSource = std::function<std::string()>;
  void AddMetricsSource(MetricsSource source) { metrics_sources_.push_back(std::move(source)); }
  const std::vector<MetricsSource>& metrics_sources() const { return metrics_sources_; }
  Status Start();

  // Runs the loop on this thread until the runtime stops.
  void Run();

  // ---- on the loop thread ----
  bool started() const { return core_ != nullptr; }
  const NodeCore& core() const { return *core_; }
  // Applies `ops` atomically and calls `done` once acknowledged at
  // `durability` (or at once with the error if refused). `done` runs on the
  // loop thread; it gets Unavailable if the node stops first.
  void Write(std::span<const Op> ops, Durability durability, WriteCallback done);
  // Like Write(), but a refusal is returned instead of passed to `done`,
  // which then stays with the caller; once accepted, `done` runs exactly
  // once, possibly before Submit() returns (an in-memory node).
  Status Submit(std::span<const Op> ops, Durability durability, WriteCallback&& done);
  // Writes submitted between these two are one write group: one change for
  // each peer and one group in the logbook (NodeCore::BeginWriteGroup); the
  // end must come in the same loop turn.
  void BeginWriteGroup();
  void EndWriteGroup();
  // Calls `on_change(key)` for every visible change of a key under `prefix`.
  uint64_t Watch(std::string prefix, ChangeCallback on_change);
  void Unwatch(uint64_t watch);
  size_t watch_count() const { return watchers_.size(); }
  uint64_t sync_count() const { return sync_ ? sync_->syncs() : 0; }  // logbook fsyncs so far
  std::vector<Member> Members() const;

  // ---- the Redis relay (node/bridge) ----
  // Packets the core addresses to kRelayAddress go to `sink` (the bridge)
  // instead of TCP; what the bridge reads from Redis comes back through
  // ReceiveRelayFrame (a frame without its length prefix).
  void SetRelaySink(std::function<void(std::string frame)> sink) { relay_sink_ = std::move(sink); }
  void ReceiveRelayFrame(std::string_view frame) { OnFrame(kRelayAddress, frame); }
  void SyncThroughRelay();

  void SetFaults(FaultSet faults);
  void ClearFaults() { SetFaults(FaultSet{}); }
  const FaultFilter& faults() const { return faults_; }

  // Graceful stop, what SIGINT/SIGTERM do: announce the leave, keep running
  // long enough for it to spread (a few gossip intervals, at most 1 s), then
  // Stop(). A second call stops at once (in the loop's next iteration).
  void LeaveAndStop();
  // Closes every handle now; Run() returns once they are closed.
  void Stop();
  bool stopping() const { return stopping_; }
  // SIGINT/SIGTERM call LeaveAndStop() (for the `parley node` process).
  Status InstallSignalHandlers();

  uint64_t NowMs() { return clock_.NowMs(uv_now(loop_)); }
  const Address& gossip_address() const { return options_.config.advertise; }
  const Address& bound_address() const { return bound_; }
  // "gossip", and whatever front doors registered.
  const std::map<std::string, Address>& addresses() const { return addresses_; }
  const std::string& data_dir() const { return options_.data_dir; }
  const Logbook* logbook() const { return logbook_.get(); }
  const std::string& name() const { return options_.config.name; }
  uv_loop_t* loop() { return loop_; }
  const Logger& logger() const { return logger_; }

  // ---- any thread ----
  // Runs `fn` on the loop thread soon. False (and `fn` dropped) if stopped.
  bool Post(std::function<void()> fn);

 private:
  explicit NodeRuntime(RuntimeOptions options);
  Status Open();

  void OnDatagram(const Address& from, std::string_view datagram);
  void OnFrame(const Address& from, std::string_view frame);
  void OnTimer();
  void OnSynced(uint64_t durable_sequence, const Status& status);
  void Drain();
  // Runs the callbacks of the writes the core has acknowledged (the rest of
  // its outputs wait for Drain()).
  void AcknowledgeWrites();
  void Acknowledge(const WriteDone& done);
  // A Drain() once this loop iteration's I/O callbacks are done.
  void ScheduleDrain();
  void SendPacket(OutgoingPacket packet);
  void SendNow(OutgoingPacket packet);
  void ArmTimer();
  void StopAfter(uint64_t delay_ms);  // Stop() from a timer, outside any other callback
  void ArmDelayTimer();
  void RunPosted();
  void LogMemberChange(const MemberChange& change);
  void WarnOfClockSkew();  // see NodeStats::clock_ahead_max_ms
  // Held while the core may change its map (empty without options_.map_lock).
  std::unique_lock<MapLock> LockMap();

  RuntimeOptions options_;
  std::vector<MetricsSource> metrics_sources_;
  Logger logger_;
  WallClock clock_;
  uv_loop_t own_loop_{};
  uv_loop_t* loop_ = &own_loop_;  // or options_.loop
  bool loop_open_ = false;        // own_loop_ was initialized

  std::unique_ptr<Logbook> logbook_;
  std::unique_ptr<NodeCore> core_;
  std::unique_ptr<UdpTransport> udp_;
  std::unique_ptr<TcpTransport> tcp_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<SyncWorker> sync_;
  std::vector<std::unique_ptr<FrontDoor>> front_doors_;
  Address bound_;
  std::map<std::string, Address> addresses_;

  UvHandle<uv_timer_t> timer_;        // the core's NextDeadline()
  uint64_t armed_deadline_ = 0;        // what timer_ was last armed for
  UvHandle<uv_timer_t> delay_timer_;  // releases packets held by a delay fault
  UvHandle<uv_timer_t> stop_timer_;   // ends the leave grace period
  UvHandle<uv_async_t> async_;        // wakes the loop for Post()
  // ScheduleDrain(): the check handle drains after the poll phase, the idle
  // one keeps that poll from blocking until then.
  UvHandle<uv_check_t> drain_check_;
  UvHandle<uv_idle_t> drain_idle_;
  bool drain_scheduled_ = false;
  std::vector<UvHandle<uv_signal_t>> signals_;

  FaultFilter faults_;
  std::function<void(std::string)> relay_sink_;  // see SetRelaySink
  std::multimap<uint64_t, OutgoingPacket> delayed_;  // by uv_now() when due

  // Callbacks of accepted writes, by core write id. Ids only grow, so this
  // stays sorted without a tree node per write; a called one is emptied and
  // popped once it reaches the front.
  std::deque<std::pair<uint64_t, WriteCallback>> pending_writes_;
  NodeOutputs outputs_;  // Drain()'s buffer, kept for its capacity
  std::vector<WriteDone> acks_;  // AcknowledgeWrites()'s
  uint64_t next_skew_warning_ms_ = 1000;  // WarnOfClockSkew()'s threshold
  std::map<uint64_t, ChangeCallback> watchers_;       // by core watch id

  bool draining_ = false;
  bool drain_again_ = false;
  bool leaving_ = false;
  bool stopping_ = false;

  std::mutex post_mu_;
  bool post_closed_ = false;
  std::deque<std::function<void()>> posted_;
};

}  // namespace parley
