// MemberIndex: members by name, in one flat open-addressed table.
//
// Membership looks a member up by name for every piggybacked alive, suspect
// or dead message, and almost all of them are old news. In the 1000-node
// simulator that is ~16 M lookups during the join storm, each on a node
// whose tables are cold in cache: a node-based hash map costs a miss for the
// bucket, one for the node and one for the name. Here a lookup reads one
// 16-byte slot (the name's hash and the member) and then the member itself.
// Linear probing; erasing shifts the following slots back, so there are no
// tombstones and the table never needs cleaning.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace parley {

struct Member;

class MemberIndex {
 public:
  // A member is indexed under its name; the table compares with it.
  Member* Find(std::string_view name) const;
  // Adds or replaces the member stored under `name`.
  void Insert(std::string_view name, Member* member);
  void Erase(std::string_view name);
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    Member* member = nullptr;  // null: empty
  };
  static uint64_t Hash(std::string_view name);
  size_t Probe(std::string_view name, uint64_t hash) const;  // its slot, or the empty one ending the run
  void Grow();

  std::vector<Slot> slots_;  // a power of two, at most half full
  size_t size_ = 0;
};

}  // namespace parley
