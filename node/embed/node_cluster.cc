// Node membership and status: read on the loop thread, which owns them.
#include "node/embed/node_impl.h"
#include "node/runtime/net_address.h"

namespace parley::embed {

Result<std::vector<MemberInfo>> Node::Members() const {
  const parley::NodeRuntime* runtime = impl_->task_runtime;
  return impl_->RunOnLoop<std::vector<MemberInfo>>([runtime]() -> Result<std::vector<MemberInfo>> {
    std::vector<MemberInfo> out;
    for (const parley::Member& m : runtime->Members()) {
      out.push_back(MemberInfo{m.name, parley::FormatAddress(m.address), parley::MemberStateName(m.state),
                               m.incarnation});
    }
    return out;
  });
}

Result<NodeStatus> Node::GetStatus() const {
  const parley::NodeRuntime* runtime = impl_->task_runtime;
  return impl_->RunOnLoop<NodeStatus>([runtime]() -> Result<NodeStatus> {
    const parley::NodeCore& core = runtime->core();
    NodeStatus status;
    status.name = runtime->name();
    status.gossip_address = parley::FormatAddress(runtime->gossip_address());
    status.replica = core.replica();
    status.digest = core.StateDigest().ToHex();
    status.keys = core.map().KeyCount();
    for (const parley::Member& m : runtime->Members()) {
      if (m.state == parley::MemberState::kAlive) ++status.alive_members;
    }
    return status;
  });
}

}  // namespace parley::embed
