// SimNode: boot, crash and wipe of one simulated machine.
#include "sim/sim_node.h"

namespace parley::sim {

SimNode::SimNode(size_t index, NodeConfig config, ClockModel clock, uint64_t run_seed)
    : index_(index), config_(std::move(config)), clock_(clock), run_seed_(run_seed),
      env_(std::make_unique<MemEnv>()) {}

Status SimNode::Boot(uint64_t now_us) {
  if (up()) return Status::Ok();
  ++life_;
  LogbookOptions options;
  // A new disk gets a new identity, derived from the run seed so it is
  // reproducible; an old disk keeps the one it stored.
  options.new_replica_id = DeriveSeed(run_seed_, Stream::kIdentity, index_ * 1000 + disks_) | 1;
  // Small segments so compaction and segment rolls happen in short runs too.
  options.segment_bytes = 1 << 20;
  Result<std::unique_ptr<Logbook>> logbook = Logbook::Open(env_.get(), "/data/" + config_.name, options);
  if (!logbook.ok()) return logbook.status().WithContext(config_.name + ": logbook open");
  logbook_ = std::move(logbook).value();
  replica_ = logbook_->replica_id();
  NodeConfig config = config_;
  config.seed = DeriveSeed(run_seed_, Stream::kCore, index_ * 1000 + life_);
  Result<std::unique_ptr<NodeCore>> core =
      NodeCore::Create(config, replica_, logbook_.get(),
                       SeededRandomSource(DeriveSeed(run_seed_, Stream::kNonce, index_ * 1000 + life_)));
  if (!core.ok()) {
    logbook_.reset();
    return core.status().WithContext(config_.name + ": node core");
  }
  core_ = std::move(core).value();
  sync_in_flight = false;
  sync_again = false;
  armed_at = UINT64_MAX;
  core_->Start(clock_.LocalMs(now_us));
  return Status::Ok();
}

void SimNode::Crash() {
  // The core goes first: it holds a pointer to the logbook.
  core_.reset();
  logbook_.reset();
  env_->SimulateCrash();
  armed_at = UINT64_MAX;
}

void SimNode::Wipe() {
  Crash();
  env_ = std::make_unique<MemEnv>();
  ++disks_;
}

void SimNode::Stop() {
  core_.reset();
  if (logbook_) (void)logbook_->Close();
  logbook_.reset();
  armed_at = UINT64_MAX;
}

}  // namespace parley::sim
