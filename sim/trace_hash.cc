// TraceHash: order-sensitive mixing of 64-bit values and byte strings.
#include "sim/trace_hash.h"

#include <xxhash.h>

#include <cstdio>

namespace parley::sim {

void TraceHash::Mix(uint64_t value) {
  // Order matters: a rotate-multiply chain, unlike a plain XOR, changes when
  // two events swap places.
  state_ ^= value + 0x9E3779B97F4A7C15ull + (state_ << 6) + (state_ >> 2);
  state_ *= 0xFF51AFD7ED558CCDull;
  state_ ^= state_ >> 33;
}

void TraceHash::MixBytes(std::string_view bytes) { Mix(XXH3_64bits(bytes.data(), bytes.size())); }

std::string TraceHash::ToHex() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(state_));
  return buf;
}

}  // namespace parley::sim
