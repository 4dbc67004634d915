// Stream entries: how relay traffic is laid out in the Redis stream.
//
// Each entry has a `node` field (the publisher's name, so a node skips its
// own entries without decoding them) and either a `frame` field (one wire
// frame, without its length prefix, exactly what NodeCore::Receive takes) or
// a `sync` field: a request that every reader run anti-entropy through the
// relay, sent by a node that dropped relay frames it could not deliver.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "node/bridge/redis_reply.h"
#include "storage/status.h"

namespace parley {

struct StreamEntry {
  std::string id;  // "1700000000000-0"
  std::string node;
  std::string frame;
  bool sync_request = false;
};

// A stream id as Redis orders them: milliseconds, then sequence.
struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamId&) const = default;
};
Result<StreamId> ParseStreamId(const std::string& text);

// XADD <stream> MAXLEN ~ <maxlen> * node <node> frame <frame>
std::vector<std::string> XaddFrame(const std::string& stream, uint64_t maxlen, const std::string& node,
                                   std::string frame);
// XADD <stream> MAXLEN ~ <maxlen> * node <node> sync 1
std::vector<std::string> XaddSyncRequest(const std::string& stream, uint64_t maxlen, const std::string& node);

// The entries of an XRANGE/XREVRANGE reply (an array of [id, [field, value...]]).
Result<std::vector<StreamEntry>> ParseEntries(const RedisReply& reply);
// The entries of an XREAD reply for one stream; nil (BLOCK timed out) gives none.
Result<std::vector<StreamEntry>> ParseXread(const RedisReply& reply);

}  // namespace parley
