// Varint: LEB128 coding of unsigned integers, 7 bits per byte, low bits first.
//
// Small numbers (counters, lengths, counts, table indices) take one to three
// bytes instead of eight; a 64-bit value takes at most kMaxVarint64Bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley {

inline constexpr size_t kMaxVarint64Bytes = 10;

// Writes `v` at `out`, which has room for kMaxVarint64Bytes; returns the
// number of bytes written.
inline size_t EncodeVarint64(char* out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<char>(v);
  return n;
}

inline void PutVarint64(std::string* out, uint64_t v) {
  char buf[kMaxVarint64Bytes];
  out->append(buf, EncodeVarint64(buf, v));
}

// Reads a varint from the front of `in` and drops its bytes. False, with `in`
// unchanged, if the bytes end inside the varint or it does not fit 64 bits.
inline bool GetVarint64(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (size_t i = 0; i < in->size() && i < kMaxVarint64Bytes; ++i) {
    const uint64_t byte = static_cast<uint8_t>((*in)[i]);
    // The tenth byte holds bit 63 only.
    if (i == kMaxVarint64Bytes - 1 && byte > 1) return false;
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      *v = result;
      in->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

}  // namespace parley
