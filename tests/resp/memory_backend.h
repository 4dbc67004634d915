// MemoryBackend: a RespBackend over a bare CrdtMap, for command tests and
// the fuzzer. Writes apply at once; acknowledgements wait in a queue until
// the test calls AckAll() (or are sent at once with auto_ack), so tests can
// check that replies keep their order while writes are pending.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "node/resp/resp_backend.h"

namespace parley::resp {

class MemoryBackend : public RespBackend {
 public:
  explicit MemoryBackend(ReplicaId replica = 7) : map_(replica) {}

  bool auto_ack = true;
  Status fail_acks_with;  // non-OK: acknowledgements carry this error

  const CrdtMap& map() const override { return map_; }
  CrdtMap& mutable_map() { return map_; }

  Status Write(std::span<const Op> ops, WriteCallback done) override {
    Result<Delta> delta = map_.Apply(ops, MakeTimestamp(++millis_, 0));
    if (!delta.ok()) return delta.status();
    ++writes;
    if (grouping_) ++grouped_writes;
    std::vector<std::string> changed;
    for (const Op& op : ops) changed.push_back(op.key);
    Notify(changed);
    acks_.push_back(std::move(done));
    if (auto_ack) AckAll();
    return Status::Ok();
  }

  // Write groups (EXEC's), counted so tests can see which writes they held.
  // (The fuzzer shares this class, so misuse is counted, not asserted.)
  void BeginWriteGroup() override {
    if (grouping_) ++unmatched_group_calls;
    grouping_ = true;
  }
  void EndWriteGroup() override {
    if (!grouping_) ++unmatched_group_calls;
    grouping_ = false;
    ++write_groups;
  }
  uint64_t write_groups = 0, grouped_writes = 0, unmatched_group_calls = 0;

  void AckAll() {
    while (!acks_.empty()) {
      WriteCallback done = std::move(acks_.front());
      acks_.pop_front();
      done(fail_acks_with);
    }
  }
  // Acknowledges the newest pending write only (out of order).
  void AckNewest() {
    WriteCallback done = std::move(acks_.back());
    acks_.pop_back();
    done(fail_acks_with);
  }
  size_t pending_acks() const { return acks_.size(); }

  uint64_t Watch(std::string prefix, ChangeCallback on_change) override {
    uint64_t id = next_watch_++;
    watches_[id] = {std::move(prefix), std::move(on_change)};
    return id;
  }
  void Unwatch(uint64_t watch) override { watches_.erase(watch); }
  size_t watch_count() const { return watches_.size(); }

  std::vector<std::pair<std::string, std::string>> NodeInfo() const override {
    return {{"node_name", "memory"}};
  }

  // Reports changed keys to watches, as the runtime does.
  void Notify(const std::vector<std::string>& keys) {
    auto watches = watches_;  // a callback may unwatch
    for (const std::string& key : keys) {
      for (auto& [id, watch] : watches) {
        if (key.compare(0, watch.first.size(), watch.first) == 0 && watches_.contains(id)) watch.second(key);
      }
    }
  }

  uint64_t writes = 0;

 private:
  bool grouping_ = false;
  CrdtMap map_;
  uint64_t millis_ = 1000;
  uint64_t next_watch_ = 1;
  std::deque<WriteCallback> acks_;
  std::map<uint64_t, std::pair<std::string, ChangeCallback>> watches_;
};

}  // namespace parley::resp
