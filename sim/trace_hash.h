// TraceHash: a fingerprint of everything that happened in a run (I5).
//
// The simulator mixes in every delivered packet (time, ends, bytes) and
// every write acknowledgement, in order. Two runs with the same hash made
// the same choices and saw the same bytes, so printing it with the seed lets
// anyone check that a reproduction really is the same run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::sim {

class TraceHash {
 public:
  void Mix(uint64_t value);
  void MixBytes(std::string_view bytes);
  uint64_t value() const { return state_; }
  std::string ToHex() const;

 private:
  uint64_t state_ = 0x6A09E667F3BCC908ull;
};

}  // namespace parley::sim
