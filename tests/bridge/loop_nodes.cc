// LoopNodes: the bridge tests' in-process nodes on one libuv loop.
#include "tests/bridge/loop_nodes.h"

#include <gtest/gtest.h>

namespace parley::testing {
namespace {

void CloseTimer(uv_timer_t* timer) {
  if (timer == nullptr) return;
  timer->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(timer), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
}

}  // namespace

// ---- LoopNode -----------------------------------------------------------------------

LoopNode::~LoopNode() {
  DetachBridge();
  CloseTimer(timer_);
}

void LoopNode::AttachBridge(BridgeOptions options) {
  DetachBridge();
  Result<std::unique_ptr<Bridge>> bridge = Bridge::Create(owner_->loop(), this, std::move(options), nullptr);
  ASSERT_TRUE(bridge.ok()) << bridge.status().ToString();
  bridge_ = std::move(bridge).value();
  bridge_->Start();
}

void LoopNode::DetachBridge() {
  if (bridge_) bridge_->Close();
  bridge_.reset();
}

bool LoopNode::Put(std::vector<Op> ops) {
  Result<uint64_t> id = core_->Write(ops, Durability::Local(), owner_->now());
  Drain();
  return id.ok();
}

void LoopNode::Write(std::vector<Op> ops, std::function<void(const Status&)> done) {
  Result<uint64_t> id = core_->Write(ops, Durability::Local(), owner_->now());
  if (!id.ok()) {
    done(id.status());
    Drain();
    return;
  }
  pending_[*id] = std::move(done);
  Drain();
}

uint64_t LoopNode::Watch(std::string prefix, std::function<void(const std::string&)> on_change) {
  uint64_t id = core_->Watch(std::move(prefix));
  watchers_[id] = std::move(on_change);
  return id;
}

void LoopNode::Unwatch(uint64_t watch) {
  watchers_.erase(watch);
  core_->Unwatch(watch);
}

void LoopNode::ReceiveRelayFrame(std::string_view frame) {
  core_->Receive(kRelayAddress, Transport::kFrame, frame, owner_->now());
  Drain();
}

void LoopNode::SyncThroughRelay() {
  core_->SyncThroughRelay(owner_->now());
  Drain();
}

void LoopNode::Drain() {
  if (draining_) {
    drain_again_ = true;
    return;
  }
  draining_ = true;
  do {
    drain_again_ = false;
    NodeOutputs out = core_->TakeOutputs();
    for (OutgoingPacket& p : out.packets) {
      if (p.to == kRelayAddress) {
        if (bridge_) bridge_->PublishRelayFrame(std::move(p.bytes));
      } else {
        owner_->Send(index_, std::move(p));
      }
    }
    for (const WriteDone& w : out.writes) {
      auto it = pending_.find(w.write);
      if (it == pending_.end()) continue;
      auto done = std::move(it->second);
      pending_.erase(it);
      if (done) done(w.status);
    }
    for (const KeyChange& c : out.changes) {
      auto it = watchers_.find(c.watch);
      if (it != watchers_.end()) {
        auto notify = it->second;
        notify(c.key);
      }
    }
  } while (drain_again_);
  draining_ = false;
  ArmTimer();
}

void LoopNode::ArmTimer() {
  uint64_t now = owner_->now();
  uint64_t deadline = core_->NextDeadline();
  uv_timer_start(
      timer_,
      [](uv_timer_t* t) {
        auto* self = static_cast<LoopNode*>(t->data);
        if (self == nullptr) return;
        self->core_->Tick(self->owner_->now());
        self->Drain();
      },
      deadline > now ? deadline - now : 0, 0);
}

// ---- LoopNodes ----------------------------------------------------------------------

LoopNodes::LoopNodes() {
  uv_loop_init(&loop_);
  pump_ = new uv_timer_t;
  uv_timer_init(&loop_, pump_);
  pump_->data = this;
}

LoopNodes::~LoopNodes() {
  for (auto& n : nodes_) n->DetachBridge();
  nodes_.clear();
  CloseTimer(pump_);
  // hiredis closes its poll handles; their memory is freed in close callbacks.
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop_), 0) << "a libuv handle was left open";
}

LoopNode& LoopNodes::Add(int group) {
  size_t i = nodes_.size();
  nodes_.push_back(std::make_unique<LoopNode>(this, i, group));
  LoopNode& n = *nodes_.back();
  n.name_ = "n" + std::to_string(i);
  n.address_ = Address{"10.0.0." + std::to_string(i + 1), 7946};
  NodeConfig config;
  config.name = n.name_;
  config.advertise = n.address_;
  config.timing = Timing::LocalFleet();
  config.relay = true;
  config.seed = 1000 + i;
  for (auto& other : nodes_) {
    if (other.get() != &n && other->group_ == group) {
      config.seeds = {other->address_};
      break;
    }
  }
  auto core = NodeCore::Create(config, 0x100 + i, nullptr, SeededRandomSource(77 + i));
  EXPECT_TRUE(core.ok()) << core.status().ToString();
  n.core_ = std::move(core).value();
  n.timer_ = new uv_timer_t;
  uv_timer_init(&loop_, n.timer_);
  n.timer_->data = &n;
  n.core_->Start(now());
  n.Drain();
  return n;
}

void LoopNodes::Send(size_t from, OutgoingPacket packet) {
  for (auto& n : nodes_) {
    if (n->address_ == packet.to && n->group_ == nodes_[from]->group_) {
      packets_.push_back(Packet{from, n->index_, packet.transport, std::move(packet.bytes)});
      uv_timer_start(
          pump_, [](uv_timer_t* t) { static_cast<LoopNodes*>(t->data)->Deliver(); }, 0, 0);
      return;
    }
  }
}

void LoopNodes::Deliver() {
  std::deque<Packet> batch;
  batch.swap(packets_);
  for (Packet& p : batch) {
    LoopNode& to = *nodes_[p.to];
    std::string_view bytes = p.bytes;
    if (p.transport == Transport::kFrame) bytes.remove_prefix(4);
    to.core_->Receive(nodes_[p.from]->address_, p.transport, bytes, now());
    to.Drain();
  }
}

bool LoopNodes::RunUntil(const std::function<bool()>& done, uint64_t timeout_ms) {
  uv_timer_t tick;
  uv_timer_init(&loop_, &tick);
  uv_timer_start(&tick, [](uv_timer_t*) {}, 5, 5);  // so each turn of the loop returns soon
  uint64_t start = uv_now(&loop_);
  bool ok = done();
  while (!ok && uv_now(&loop_) - start < timeout_ms) {
    uv_run(&loop_, UV_RUN_ONCE);
    ok = done();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);  // lets the close finish before `tick` goes
  return ok;
}

bool LoopNodes::AllConverged() {
  for (auto& n : nodes_) {
    if (!(n->core_->StateDigest() == nodes_[0]->core_->StateDigest())) return false;
  }
  return true;
}

}  // namespace parley::testing
