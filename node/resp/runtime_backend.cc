// The RESP backend over a NodeRuntime (see runtime_backend.h).
#include "node/resp/runtime_backend.h"

#include "node/runtime/net_address.h"

namespace parley::resp {

const CrdtMap& RuntimeBackend::map() const { return runtime_->started() ? runtime_->core().map() : empty_; }

Status RuntimeBackend::Write(std::span<const Op> ops, WriteCallback done) {
  return runtime_->Submit(ops, durability_, std::move(done));
}

uint64_t RuntimeBackend::Watch(std::string prefix, ChangeCallback on_change) {
  if (!runtime_->started()) return 0;
  return runtime_->Watch(std::move(prefix), std::move(on_change));
}

void RuntimeBackend::Unwatch(uint64_t watch) {
  if (watch != 0) runtime_->Unwatch(watch);
}

std::vector<std::pair<std::string, std::string>> RuntimeBackend::NodeInfo() const {
  std::vector<std::pair<std::string, std::string>> info;
  info.emplace_back("node_name", runtime_->name());
  info.emplace_back("gossip_address", FormatAddress(runtime_->gossip_address()));
  info.emplace_back("data_dir", runtime_->data_dir().empty() ? "(in memory)" : runtime_->data_dir());
  info.emplace_back("write_durability",
                    durability_.nodes <= 1 ? "local" : "quorum(" + std::to_string(durability_.nodes) + ")");
  if (!runtime_->started()) return info;
  const NodeCore& core = runtime_->core();
  char replica[24];
  snprintf(replica, sizeof replica, "%016llx", static_cast<unsigned long long>(core.replica()));
  info.emplace_back("replica_id", replica);
  size_t alive = 0, suspect = 0, total = 0;
  for (const Member& m : runtime_->Members()) {
    ++total;
    if (m.state == MemberState::kAlive) ++alive;
    if (m.state == MemberState::kSuspect) ++suspect;
  }
  info.emplace_back("members", std::to_string(total));
  info.emplace_back("members_alive", std::to_string(alive));
  info.emplace_back("members_suspect", std::to_string(suspect));
  info.emplace_back("keys", std::to_string(core.map().KeyCount()));
  info.emplace_back("writes", std::to_string(core.stats().writes));
  info.emplace_back("deltas_received", std::to_string(core.stats().deltas_received));
  info.emplace_back("durable_sequence", std::to_string(core.durable_sequence()));
  info.emplace_back("logbook_syncs", std::to_string(runtime_->sync_count()));
  return info;
}

}  // namespace parley::resp
