// Node reads: served in the calling thread under the shared map lock (see
// node_impl.h for why), so they take microseconds and see whole batches.
#include <string>

#include "node/embed/node_impl.h"

namespace parley::embed {
namespace {

// kNotFound for an absent key, kWrongType for a key of another type.
Status CheckType(const parley::CrdtMap& map, std::string_view key, parley::ValueType want) {
  parley::ValueType type = map.TypeOf(key);
  if (type == want) return Status::Ok();
  if (type == parley::ValueType::kNone) {
    return Status::Error(Status::Code::kNotFound, "no key '" + std::string(key) + "'");
  }
  return Status::Error(Status::Code::kWrongType, "key '" + std::string(key) + "' holds a " +
                                                     parley::ValueTypeName(type) + ", not a " +
                                                     parley::ValueTypeName(want));
}

}  // namespace

Result<std::string> Node::Get(std::string_view key) const {
  return impl_->ReadMap<std::string>([&](const parley::CrdtMap& map) -> Result<std::string> {
    if (Status s = CheckType(map, key, parley::ValueType::kRegister); !s.ok()) return s;
    return *map.GetRegister(key);
  });
}

Result<int64_t> Node::GetCounter(std::string_view key) const {
  return impl_->ReadMap<int64_t>([&](const parley::CrdtMap& map) -> Result<int64_t> {
    if (Status s = CheckType(map, key, parley::ValueType::kCounter); !s.ok()) return s;
    return *map.GetCounter(key);
  });
}

Result<std::vector<std::string>> Node::SetMembers(std::string_view key) const {
  using Members = std::vector<std::string>;
  return impl_->ReadMap<Members>([&](const parley::CrdtMap& map) -> Result<Members> {
    if (Status s = CheckType(map, key, parley::ValueType::kSet); !s.ok()) return s;
    return map.SetMembers(key);
  });
}

Result<bool> Node::SetContains(std::string_view key, std::string_view member) const {
  // An absent key is an empty set here, as SISMEMBER has it.
  return impl_->ReadMap<bool>([&](const parley::CrdtMap& map) -> Result<bool> {
    if (Status s = CheckType(map, key, parley::ValueType::kSet); !s.ok() && !s.IsNotFound()) return s;
    return map.SetContains(key, member);
  });
}

Result<std::string> Node::HashGet(std::string_view key, std::string_view field) const {
  return impl_->ReadMap<std::string>([&](const parley::CrdtMap& map) -> Result<std::string> {
    if (Status s = CheckType(map, key, parley::ValueType::kHash); !s.ok()) return s;
    std::optional<std::string> value = map.HashGet(key, field);
    if (!value) {
      return Status::Error(Status::Code::kNotFound,
                           "hash '" + std::string(key) + "' has no field '" + std::string(field) + "'");
    }
    return std::move(*value);
  });
}

Result<std::vector<std::pair<std::string, std::string>>> Node::HashGetAll(std::string_view key) const {
  using Fields = std::vector<std::pair<std::string, std::string>>;
  return impl_->ReadMap<Fields>([&](const parley::CrdtMap& map) -> Result<Fields> {
    if (Status s = CheckType(map, key, parley::ValueType::kHash); !s.ok()) return s;
    return map.HashAll(key);
  });
}

Result<std::vector<std::string>> Node::Keys(std::string_view prefix, size_t limit) const {
  using KeyList = std::vector<std::string>;
  return impl_->ReadMap<KeyList>([&](const parley::CrdtMap& map) -> Result<KeyList> {
    return map.Keys(prefix, limit);
  });
}

Result<ValueType> Node::TypeOf(std::string_view key) const {
  return impl_->ReadMap<ValueType>([&](const parley::CrdtMap& map) -> Result<ValueType> {
    switch (map.TypeOf(key)) {
      case parley::ValueType::kRegister: return ValueType::kRegister;
      case parley::ValueType::kCounter: return ValueType::kCounter;
      case parley::ValueType::kSet: return ValueType::kSet;
      case parley::ValueType::kHash: return ValueType::kHash;
      case parley::ValueType::kNone: break;
    }
    return ValueType::kNone;
  });
}

}  // namespace parley::embed
