// NodeRuntime: the libuv driver of one NodeCore.
#include "node/runtime/node_runtime.h"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <random>

#include "node/runtime/net_address.h"
#include "protocol/random_source.h"
#include "storage/env.h"

namespace parley {
namespace {

uint64_t RandomNonZero() {
  std::random_device device;
  std::uniform_int_distribution<uint64_t> pick(1, UINT64_MAX);
  return pick(device);
}

}  // namespace

NodeRuntime::NodeRuntime(RuntimeOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<NodeRuntime>> NodeRuntime::Create(RuntimeOptions options) {
  if (options.config.name.empty()) return Status::InvalidArgument("a node needs a name (--name)");
  std::unique_ptr<NodeRuntime> runtime(new NodeRuntime(std::move(options)));
  PARLEY_RETURN_IF_ERROR(runtime->Open());
  return runtime;
}

namespace {
// A write to a connection the peer has reset raises SIGPIPE, whose default
// action kills the process: one RESP client or gossip peer that vanishes
// mid-reply would take the node down. libuv reports the error as EPIPE once
// the signal is ignored. A host program that installed its own handler
// keeps it.
void IgnoreSigpipe() {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    signal(SIGPIPE, SIG_IGN);
  }
}
}  // namespace

Status NodeRuntime::Open() {
  IgnoreSigpipe();
  logger_ = options_.logger ? options_.logger : MakeNodeLogger(options_.config.name, spdlog::level::info);
  if (options_.loop != nullptr) {
    loop_ = options_.loop;
  } else {
    if (int rc = uv_loop_init(loop_); rc != 0) return Status::IoError(std::string("uv_loop_init: ") + uv_strerror(rc));
    loop_open_ = true;
    loop_->data = this;
  }

  if (!options_.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options_.data_dir, ec);
    if (ec) return Status::IoError("cannot create data directory " + options_.data_dir + ": " + ec.message());
    LogbookOptions lo;
    lo.new_replica_id = RandomNonZero();
    if (!options_.preallocate_log) lo.preallocate_bytes = 0;
    Result<std::unique_ptr<Logbook>> opened = Logbook::Open(Env::Default(), options_.data_dir, lo);
    if (!opened.ok()) {
      if (opened.status().code() == Status::Code::kUnavailable) {
        return Status::Unavailable("data directory " + options_.data_dir + " is locked by another process (" +
                                   opened.status().message() + ")");
      }
      return opened.status().WithContext("cannot open data directory " + options_.data_dir);
    }
    logbook_ = std::move(opened).value();
    logger_->info("data directory {}: {}", options_.data_dir, logbook_->recovery().ToString());
    if (logbook_->recovery().torn_tail) {
      logger_->warn("recovery cut a torn tail off {} at offset {} ({} bytes): {}",
                    logbook_->recovery().torn_tail->file, logbook_->recovery().torn_tail->offset,
                    logbook_->recovery().torn_tail->dropped_bytes, logbook_->recovery().torn_tail->reason);
    }
    sync_ = std::make_unique<SyncWorker>(loop_, logbook_.get(), [this](uint64_t durable, const Status& s) {
      OnSynced(durable, s);
    });
  }

  size_t max_frame = options_.config.limits.max_frame_bytes;
  // TCP on the same port as UDP, so one address names the node: with port
  // 0 the kernel chose the UDP port and TCP must take that one. That port
  // may be in use for TCP (another socket's ephemeral port); then try again
  // with a fresh UDP port rather than fail.
  const int attempts = options_.bind.port == 0 ? 20 : 1;
  for (int attempt = 1;; ++attempt) {
    udp_ = std::make_unique<UdpTransport>(loop_);
    PARLEY_RETURN_IF_ERROR(udp_->Bind(options_.bind, [this](const Address& from, std::string_view d) {
      OnDatagram(from, d);
    }));
    bound_ = udp_->bound_address();
    tcp_ = std::make_unique<TcpTransport>(loop_, max_frame);
    Status listening = tcp_->Listen(bound_, [this](const Address& from, std::string_view f) { OnFrame(from, f); });
    if (listening.ok()) break;
    if (attempt >= attempts) return listening;
    tcp_.reset();
    udp_.reset();
  }
  pool_ = std::make_unique<ConnectionPool>(loop_, max_frame,
                                           [this](const Address& from, std::string_view f) { OnFrame(from, f); });

  Address& advertise = options_.config.advertise;
  if (advertise.host.empty()) advertise.host = bound_.host;
  if (advertise.port == 0) advertise.port = bound_.port;
  if (advertise.host == "0.0.0.0" || advertise.host == "::") {
    logger_->warn("advertising the wildcard address {}: set --advertise so peers can reach this node",
                  FormatAddress(advertise));
  }
  addresses_["gossip"] = advertise;

  if (int rc = timer_.Init(uv_timer_init, loop_); rc != 0) return Status::IoError("timer init failed");
  timer_.get()->data = this;
  if (int rc = delay_timer_.Init(uv_timer_init, loop_); rc != 0) return Status::IoError("timer init failed");
  delay_timer_.get()->data = this;
  if (int rc = stop_timer_.Init(uv_timer_init, loop_); rc != 0) return Status::IoError("timer init failed");
  stop_timer_.get()->data = this;
  int rc = async_.Init(uv_async_init, loop_, [](uv_async_t* h) {
    if (h->data != nullptr) static_cast<NodeRuntime*>(h->data)->RunPosted();
  });
  if (rc != 0) return Status::IoError("async init failed");
  async_.get()->data = this;
  if (drain_check_.Init(uv_check_init, loop_) != 0 || drain_idle_.Init(uv_idle_init, loop_) != 0) {
    return Status::IoError("check/idle init failed");
  }
  drain_check_.get()->data = this;
  return Status::Ok();
}

Status NodeRuntime::Start() {
  if (core_) return Status::InvalidArgument("runtime already started");
  NodeConfig config = options_.config;
  config.seed = RandomNonZero();
  ReplicaId replica = logbook_ ? logbook_->replica_id() : RandomNonZero();
  Result<std::unique_ptr<NodeCore>> core = NodeCore::Create(config, replica, logbook_.get(), SystemRandomSource());
  if (!core.ok()) return core.status();
  auto lock = LockMap();
  core_ = std::move(core).value();
  logger_->info("node {} replica {:016x} gossip {} (bound {}), {} keys, sync {}", config.name, replica,
                FormatAddress(config.advertise), FormatAddress(bound_), core_->map().KeyCount(),
                SyncPolicyName(config.sync_policy));
  core_->Start(NowMs());
  if (lock.owns_lock()) lock.unlock();  // no map lock configured: nothing to release
  Drain();
  return Status::Ok();
}

Status NodeRuntime::InstallSignalHandlers() {
  for (int signum : {SIGINT, SIGTERM}) {
    UvHandle<uv_signal_t> handle;
    if (int rc = handle.Init(uv_signal_init, loop_); rc != 0) return Status::IoError("signal init failed");
    handle.get()->data = this;
    int rc = uv_signal_start(
        handle.get(),
        [](uv_signal_t* h, int sig) {
          auto* self = static_cast<NodeRuntime*>(h->data);
          if (self == nullptr) return;
          if (self->leaving_) {
            self->logger_->warn("second signal ({}): stopping at once", strsignal(sig));
          } else {
            self->logger_->info("signal {}: leaving the cluster", strsignal(sig));
          }
          self->LeaveAndStop();
        },
        signum);
    if (rc != 0) return Status::IoError(std::string("signal start: ") + uv_strerror(rc));
    signals_.push_back(std::move(handle));
  }
  return Status::Ok();
}

void NodeRuntime::Run() { uv_run(loop_, UV_RUN_DEFAULT); }

// ---- into the core ------------------------------------------------------------------

void NodeRuntime::OnDatagram(const Address& from, std::string_view datagram) {
  if (!core_ || stopping_) return;
  if (faults_.DropIncoming(from, datagram, core_->membership())) return;
  {
    auto lock = LockMap();
    core_->Receive(from, Transport::kDatagram, datagram, NowMs());
  }
  Drain();
}

void NodeRuntime::OnFrame(const Address& from, std::string_view frame) {
  if (!core_ || stopping_) return;
  if (faults_.DropIncoming(from, frame, core_->membership())) return;
  {
    auto lock = LockMap();
    core_->Receive(from, Transport::kFrame, frame, NowMs());
  }
  Drain();
}

void NodeRuntime::OnTimer() {
  if (!core_ || stopping_) return;
  {
    auto lock = LockMap();
    core_->Tick(NowMs());
  }
  Drain();
}

void NodeRuntime::OnSynced(uint64_t durable_sequence, const Status& status) {
  if (!status.ok()) logger_->error("logbook sync failed: {}", status.ToString());
  if (!core_) return;
  {
    auto lock = LockMap();
    core_->OnSynced(durable_sequence, status, NowMs());
  }
  Drain();
}

void NodeRuntime::Write(std::span<const Op> ops, Durability durability, WriteCallback done) {
  Status refused = Submit(ops, durability, std::move(done));
  if (!refused.ok()) done(refused);  // Submit() left `done` alone
}

Status NodeRuntime::Submit(std::span<const Op> ops, Durability durability, WriteCallback&& done) {
  if (!core_ || stopping_) return Status::Unavailable("node " + name() + " is not running");
  auto lock = LockMap();
  Result<uint64_t> id = core_->Write(ops, durability, NowMs());
  if (lock.owns_lock()) lock.unlock();  // no map lock configured: nothing to release
  if (!id.ok()) {
    Drain();
    return id.status();
  }
  pending_writes_.emplace_back(*id, std::move(done));
  // The acknowledgement now, so that a pipelined client's reply can go out
  // with the rest of its read; the packets, member changes and the timer
  // once per loop iteration, not per write (a drain per pipelined INCR was
  // ~10% of its time).
  AcknowledgeWrites();
  ScheduleDrain();
  return Status::Ok();
}

void NodeRuntime::BeginWriteGroup() {
  if (core_) core_->BeginWriteGroup();
}

void NodeRuntime::EndWriteGroup() {
  if (!core_) return;
  core_->EndWriteGroup(NowMs());
  ScheduleDrain();
}

uint64_t NodeRuntime::Watch(std::string prefix, ChangeCallback on_change) {
  uint64_t id = core_->Watch(std::move(prefix));
  watchers_[id] = std::move(on_change);
  return id;
}

void NodeRuntime::Unwatch(uint64_t watch) {
  watchers_.erase(watch);
  if (core_) core_->Unwatch(watch);
}

void NodeRuntime::SyncThroughRelay() {
  if (!core_ || stopping_) return;
  core_->SyncThroughRelay(NowMs());
  Drain();
}

std::vector<Member> NodeRuntime::Members() const {
  std::vector<Member> out;
  if (!core_) return out;
  for (const auto& [name, member] : core_->membership().members()) out.push_back(member);
  return out;
}

void NodeRuntime::SetFaults(FaultSet faults) {
  if (faults.empty()) {
    logger_->info("faults cleared");
  } else {
    std::string names;
    for (const std::string& n : faults.drop) names += (names.empty() ? "" : ",") + n;
    logger_->warn("fault injection: dropping traffic to/from [{}], delaying outgoing packets by {} ms", names,
                  faults.delay_ms);
  }
  faults_.Set(std::move(faults));
}

// ---- out of the core ----------------------------------------------------------------

void NodeRuntime::Drain() {
  // Callbacks below may write or watch, which drains again: do that in this
  // loop instead of recursing, so outputs keep their order.
  if (draining_) {
    drain_again_ = true;
    return;
  }
  draining_ = true;
  do {
    drain_again_ = false;
    NodeOutputs& out = outputs_;  // reused: no allocations per write in steady state
    core_->TakeOutputs(&out);
    for (OutgoingPacket& p : out.packets) SendPacket(std::move(p));
    for (const MemberChange& c : out.members) LogMemberChange(c);
    if (out.sync_wanted && sync_) sync_->Request();
    for (const WriteDone& w : out.writes) Acknowledge(w);
    for (const KeyChange& c : out.changes) {
      auto it = watchers_.find(c.watch);
      if (it == watchers_.end()) continue;
      ChangeCallback notify = it->second;  // a copy: the callback may unwatch
      notify(c.key);
    }
  } while (drain_again_);
  draining_ = false;
  WarnOfClockSkew();
  ArmTimer();
}

void NodeRuntime::WarnOfClockSkew() {
  // At 1 s, then at each doubling: a steady skew is logged a few times, not
  // at every write it touches. Once it has passed (the recent figure is back
  // under 1 s), a new skew is reported from 1 s again.
  constexpr uint64_t kFirstWarningMs = 1000;
  uint64_t ahead = core_->stats().clock_ahead_recent_ms;
  if (ahead < kFirstWarningMs) next_skew_warning_ms_ = kFirstWarningMs;
  if (ahead < next_skew_warning_ms_) return;
  logger_->warn("a received write's timestamp ran {} ms ahead of this node's clock: some node's clock is fast "
                "(or this one's is slow), and last-writer-wins favours the fast clock's writes; check NTP",
                ahead);
  next_skew_warning_ms_ = 2 * ahead;
}

void NodeRuntime::AcknowledgeWrites() {
  if (draining_) {  // a callback wrote: the running drain takes it
    drain_again_ = true;
    return;
  }
  draining_ = true;
  core_->TakeWriteAcks(&acks_);
  for (const WriteDone& w : acks_) Acknowledge(w);
  draining_ = false;
}

void NodeRuntime::Acknowledge(const WriteDone& w) {
  // Writes mostly settle in order: try the oldest before searching.
  auto it = pending_writes_.begin();
  if (it == pending_writes_.end() || it->first != w.write) {
    it = std::lower_bound(pending_writes_.begin(), pending_writes_.end(), w.write,
                          [](const auto& pending, uint64_t id) { return pending.first < id; });
  }
  if (it == pending_writes_.end() || it->first != w.write || !it->second) return;
  WriteCallback done = std::move(it->second);
  it->second = nullptr;
  while (!pending_writes_.empty() && !pending_writes_.front().second) pending_writes_.pop_front();
  done(w.status);
}

void NodeRuntime::ScheduleDrain() {
  if (drain_scheduled_) return;
  if (!drain_check_.initialized() || stopping_) {
    Drain();
    return;
  }
  drain_scheduled_ = true;
  uv_check_start(drain_check_.get(), [](uv_check_t* h) {
    auto* self = static_cast<NodeRuntime*>(h->data);
    if (self == nullptr) return;
    self->drain_scheduled_ = false;
    uv_check_stop(self->drain_check_.get());
    uv_idle_stop(self->drain_idle_.get());
    if (!self->stopping_) self->Drain();
  });
  uv_idle_start(drain_idle_.get(), [](uv_idle_t*) {});
}

void NodeRuntime::SendPacket(OutgoingPacket packet) {
  if (stopping_) return;
  if (packet.to == kRelayAddress) {  // not a socket address: the Redis bridge's
    if (relay_sink_) relay_sink_(std::move(packet.bytes));
    return;
  }
  if (faults_.DropOutgoing(packet.to, core_->membership())) return;
  uint64_t delay = faults_.faults().delay_ms;
  if (delay == 0) {
    SendNow(std::move(packet));
    return;
  }
  delayed_.emplace(uv_now(loop_) + delay, std::move(packet));
  ArmDelayTimer();
}

void NodeRuntime::SendNow(OutgoingPacket packet) {
  if (packet.transport == Transport::kDatagram) {
    udp_->Send(packet.to, std::move(packet.bytes));
    return;
  }
  Status s = pool_->Send(packet.to, std::move(packet.bytes));
  if (!s.ok()) logger_->debug("frame to {} dropped: {}", FormatAddress(packet.to), s.ToString());
}

void NodeRuntime::ArmTimer() {
  if (!timer_.initialized() || stopping_) return;
  uint64_t deadline = core_->NextDeadline();
  // Every drain (so every write) lands here; re-arming for the same deadline
  // reads the clock and reorders libuv's timer heap for nothing.
  if (deadline == armed_deadline_ && uv_is_active(reinterpret_cast<uv_handle_t*>(timer_.get()))) return;
  armed_deadline_ = deadline;
  uint64_t now = NowMs();
  uint64_t wait = deadline > now ? deadline - now : 0;
  uv_timer_start(
      timer_.get(),
      [](uv_timer_t* h) {
        if (h->data != nullptr) static_cast<NodeRuntime*>(h->data)->OnTimer();
      },
      wait, 0);
}

void NodeRuntime::ArmDelayTimer() {
  if (delayed_.empty() || !delay_timer_.initialized()) return;
  uint64_t now = uv_now(loop_);
  uint64_t due = delayed_.begin()->first;
  uv_timer_start(
      delay_timer_.get(),
      [](uv_timer_t* h) {
        auto* self = static_cast<NodeRuntime*>(h->data);
        if (self == nullptr || self->stopping_) return;
        uint64_t t = uv_now(self->loop_);
        while (!self->delayed_.empty() && self->delayed_.begin()->first <= t) {
          OutgoingPacket p = std::move(self->delayed_.begin()->second);
          self->delayed_.erase(self->delayed_.begin());
          self->SendNow(std::move(p));
        }
        self->ArmDelayTimer();
      },
      due > now ? due - now : 0, 0);
}

void NodeRuntime::LogMemberChange(const MemberChange& change) {
  const Member* m = core_->membership().Find(change.name);
  std::string where = m != nullptr ? FormatAddress(m->address) : "?";
  auto level = change.state == MemberState::kAlive || change.state == MemberState::kLeft ? spdlog::level::info
                                                                                       : spdlog::level::warn;
  logger_->log(level, "member {} ({}) is {} (incarnation {})", change.name, where, MemberStateName(change.state),
               change.incarnation);
}

std::unique_lock<MapLock> NodeRuntime::LockMap() {
  if (options_.map_lock == nullptr) return {};
  return std::unique_lock<MapLock>(*options_.map_lock);
}

// ---- posting and stopping -----------------------------------------------------------

bool NodeRuntime::Post(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(post_mu_);
  if (post_closed_) return false;
  posted_.push_back(std::move(fn));
  uv_async_send(async_.get());
  return true;
}

void NodeRuntime::RunPosted() {
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

void NodeRuntime::LeaveAndStop() {
  if (!core_ || stopping_) {
    Stop();
    return;
  }
  if (leaving_) {
    // At once, but from the loop's next iteration: the caller may be inside
    // a connection's callback (a second POST /v1/admin/leave), and Stop()
    // frees the front doors' sessions, that one's included.
    StopAfter(0);
    return;
  }
  leaving_ = true;
  {
    auto lock = LockMap();
    core_->Leave(NowMs());
  }
  Drain();
  // Long enough for the leave to go out with a few gossip rounds.
  uint64_t grace = std::clamp<uint64_t>(3 * options_.config.timing.gossip_interval_ms, 100, 1000);
  logger_->info("left the cluster; stopping in {} ms", grace);
  StopAfter(grace);
}

void NodeRuntime::StopAfter(uint64_t delay_ms) {
  uv_timer_start(
      stop_timer_.get(),
      [](uv_timer_t* h) {
        if (h->data != nullptr) static_cast<NodeRuntime*>(h->data)->Stop();
      },
      delay_ms, 0);
}

void NodeRuntime::Stop() {
  if (stopping_) return;
  // A write's push to its peers waits for the end of the loop iteration
  // (ScheduleDrain). A write acknowledged just before Stop() must still
  // leave, or only this node holds it, and an in-memory node loses it.
  if (drain_scheduled_ && !draining_) Drain();
  if (stopping_) return;  // a callback of that drain stopped the node
  stopping_ = true;
  logger_->info("stopping");
  for (auto& door : front_doors_) door->Close();
  // Nobody will acknowledge these any more.
  std::deque<std::pair<uint64_t, WriteCallback>> unfinished = std::move(pending_writes_);
  pending_writes_.clear();
  for (auto& [id, done] : unfinished) {
    if (done) done(Status::Unavailable("node stopped before the write was acknowledged"));
  }
  watchers_.clear();
  delayed_.clear();
  if (udp_) udp_->Close();
  if (tcp_) tcp_->Close();
  if (pool_) pool_->Close();
  if (sync_) sync_->Close();
  timer_.Close();
  delay_timer_.Close();
  stop_timer_.Close();
  drain_check_.Close();
  drain_idle_.Close();
  signals_.clear();
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    post_closed_ = true;
  }
  async_.Close();
}

NodeRuntime::~NodeRuntime() {
  if (loop_open_) {
    Stop();
    // Close callbacks and an in-flight sync finish here.
    uv_run(loop_, UV_RUN_DEFAULT);
    front_doors_.clear();
    pool_.reset();
    tcp_.reset();
    udp_.reset();
    uv_run(loop_, UV_RUN_DEFAULT);
    // Anything a component forgot: close it so the loop can close.
    uv_walk(
        loop_,
        [](uv_handle_t* h, void* arg) {
          if (uv_is_closing(h)) return;
          static_cast<NodeRuntime*>(arg)->logger_->warn("closing a leftover libuv handle ({})",
                                                        uv_handle_type_name(uv_handle_get_type(h)));
          uv_close(h, nullptr);
        },
        this);
    uv_run(loop_, UV_RUN_DEFAULT);
    if (int rc = uv_loop_close(loop_); rc != 0) logger_->error("uv_loop_close: {}", uv_strerror(rc));
  } else if (options_.loop != nullptr) {
    // The caller's loop: close our handles (they free themselves when the
    // caller runs the loop on), but wait here for a sync in flight, whose
    // completion callback would touch the worker.
    Stop();
    while (sync_ && sync_->busy()) uv_run(loop_, UV_RUN_ONCE);
    front_doors_.clear();
    pool_.reset();
    tcp_.reset();
    udp_.reset();
  }
  sync_.reset();
  auto lock = LockMap();
  core_.reset();
  if (logbook_) {
    Status s = logbook_->Close();
    if (!s.ok()) logger_->error("closing the logbook: {}", s.ToString());
  }
  logger_->flush();
}

}  // namespace parley
