// FaultInjector: widens DiffChunk contexts and drops the chunk it swallowed.
#include "sim/fault_injector.h"

namespace parley::sim {
namespace {

std::string HostKey(const Address& a) { return a.host + ":" + std::to_string(a.port); }

}  // namespace

WireCodec* FaultInjector::CodecFor(const std::string& sender) {
  auto it = codecs_.find(sender);
  if (it != codecs_.end()) return it->second.get();
  WireOptions options;
  options.sender = sender;
  options.cluster_id = cluster_id_;
  options.random = SeededRandomSource(1);  // plain traffic: no nonces are drawn
  Result<std::unique_ptr<WireCodec>> codec = WireCodec::Create(std::move(options));
  if (!codec.ok()) return nullptr;
  return codecs_.emplace(sender, std::move(codec).value()).first->second.get();
}

void FaultInjector::Mutate(const std::string& sender, std::vector<OutgoingPacket>* packets) {
  WireCodec* codec = CodecFor(sender);
  if (codec == nullptr) return;
  // Per destination, the packets carrying one diff chunk, in send order.
  struct Chunk {
    size_t packet;
    DiffChunkMessage message;
  };
  std::map<std::string, std::vector<Chunk>> chunks;
  for (size_t i = 0; i < packets->size(); ++i) {
    const OutgoingPacket& p = (*packets)[i];
    if (p.transport != Transport::kFrame || p.bytes.size() < 4) continue;
    Result<Packet> decoded = codec->DecodeFrame(std::string_view(p.bytes).substr(4));
    if (!decoded.ok() || decoded->messages.size() != 1) continue;
    if (auto* chunk = std::get_if<DiffChunkMessage>(&decoded->messages[0])) {
      chunks[HostKey(p.to)].push_back(Chunk{i, std::move(*chunk)});
    }
  }
  std::vector<bool> drop(packets->size(), false);
  for (auto& [to, list] : chunks) {
    for (size_t k = 0; k + 1 < list.size(); k += 2) {
      DiffChunkMessage widened = std::move(list[k].message);
      widened.delta.context.Join(list[k + 1].message.delta.context);  // the bug: context without elements
      widened.last = list[k + 1].message.last;
      Result<std::string> frame = codec->EncodeFrame(Message(std::move(widened)));
      if (!frame.ok()) continue;
      (*packets)[list[k].packet].bytes = std::move(frame).value();
      drop[list[k + 1].packet] = true;
      ++widened_;
    }
  }
  size_t kept = 0;
  for (size_t i = 0; i < packets->size(); ++i) {
    if (!drop[i]) (*packets)[kept++] = std::move((*packets)[i]);
  }
  packets->resize(kept);
}

}  // namespace parley::sim
