// FaultInjector: a deliberately broken sync, to prove the checkers can fail.
//
// A checker that never fires proves nothing. The bug injected here is the
// one invariant I3 warns about: an anti-entropy chunk whose causal context
// is wider than the elements it carries. The injector sits in the
// simulator's network layer (not in the node core, so production code has
// no test hooks): when a node sends several DiffChunk frames to one peer in
// one batch, it decodes them, widens each even-numbered chunk's context
// with the next chunk's context, and drops that next chunk. The receiver
// then records dots as seen whose elements it never got; later rounds never
// resend them (its context says it has them), so the nodes cannot converge
// and writes carried only by the dropped chunks are lost on that node.
// This is the "sync that widens a chunk's context" variant of issue 6,
// injected only when a scenario sets inject_bug = "widen-diff-chunks".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "node/core/node_core.h"
#include "protocol/wire_codec.h"

namespace parley::sim {

class FaultInjector {
 public:
  explicit FaultInjector(std::string cluster_id) : cluster_id_(std::move(cluster_id)) {}

  // Rewrites the packets `sender` is about to send.
  void Mutate(const std::string& sender, std::vector<OutgoingPacket>* packets);
  uint64_t chunks_widened() const { return widened_; }

 private:
  WireCodec* CodecFor(const std::string& sender);

  std::string cluster_id_;
  std::map<std::string, std::unique_ptr<WireCodec>> codecs_;
  uint64_t widened_ = 0;
};

}  // namespace parley::sim
