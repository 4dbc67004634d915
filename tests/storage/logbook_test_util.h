// Helpers shared by the logbook tests: seeds, temp directories, writes.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "storage/crdt_map.h"
#include "storage/delta.h"
#include "storage/env.h"
#include "storage/logbook.h"
#include "storage/logbook_files.h"
#include "tests/support/seed.h"

namespace parley::testing {

// A fresh directory under /tmp, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "parley-logbook-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes through a CrdtMap so recovered state can be checked with reads.
class Writer {
 public:
  explicit Writer(ReplicaId replica) : map_(replica) {}
  // Sets register "key<i>" to "value<i>" and returns the delta.
  Delta Set(uint64_t i) {
    auto delta = map_.Apply(Op::Set("key" + std::to_string(i), "value" + std::to_string(i)), MakeTimestamp(++ms_, 0));
    EXPECT_TRUE(delta.ok()) << delta.status().ToString();
    return *delta;
  }
  CrdtMap& map() { return map_; }

 private:
  CrdtMap map_;
  uint64_t ms_ = 1000;
};

// A state with every value type, two writers and removals.
inline Delta RichState(ReplicaId first = 1, ReplicaId second = 2) {
  CrdtMap a(first), b(second);
  uint64_t ms = 1;
  auto apply = [&](CrdtMap& map, const Op& op) {
    auto delta = map.Apply(op, MakeTimestamp(++ms, 0));
    EXPECT_TRUE(delta.ok()) << delta.status().ToString();
    return *delta;
  };
  b.Join(apply(a, Op::Set("reg", "hello")));
  a.Join(apply(b, Op::Incr("count", 5)));
  b.Join(apply(a, Op::Incr("count", -2)));
  a.Join(apply(b, Op::SAdd("set", "x")));
  a.Join(apply(b, Op::SAdd("set", "y")));
  b.Join(apply(a, Op::SRem("set", "x")));
  a.Join(apply(b, Op::HSet("hash", "f", std::string("\0bin\xff", 5))));
  b.Join(apply(a, Op::Del("reg")));
  return a.ExportState();
}

inline LogbookOptions TestOptions(ReplicaId replica = 7) {
  LogbookOptions options;
  options.new_replica_id = replica;
  return options;
}

// Opens `dir` and joins the recovered state into a fresh map.
inline Result<std::unique_ptr<Logbook>> OpenInto(Env* env, const std::string& dir, const LogbookOptions& options,
                                                  CrdtMap* map) {
  auto logbook = Logbook::Open(env, dir, options);
  if (!logbook.ok()) return logbook;
  Status joined = map->Join((*logbook)->TakeRecoveredState());
  if (!joined.ok()) return joined;
  return logbook;
}

// Makes `to` hold what a crash could leave of `from`'s directory `dir`: its
// identity, and `segment` as its first log segment.
inline Status CopyIdentityWithSegment(Env* from, Env* to, const std::string& dir, std::string_view segment) {
  PARLEY_RETURN_IF_ERROR(to->CreateDir(dir));
  std::string identity;
  PARLEY_RETURN_IF_ERROR(ReadFileToString(from, JoinPath(dir, kIdentityFileName), &identity));
  PARLEY_RETURN_IF_ERROR(WriteFileAtomically(to, dir, kIdentityFileName, identity));
  return WriteFileAtomically(to, dir, SegmentFileName(1), segment);
}

inline bool HasKey(const CrdtMap& map, uint64_t i) {
  auto value = map.GetRegister("key" + std::to_string(i));
  return value && *value == "value" + std::to_string(i);
}

}  // namespace parley::testing
