// MsgpackReader: bounded, non-throwing access to untrusted msgpack input.
//
// Two layers keep hostile input harmless (I4):
//  * UnpackBounded() first walks the bytes with an allocation-free visitor
//    that rejects nesting deeper than the limit and any array/map whose
//    declared element count, added to all counts declared before it, exceeds
//    the bytes left. Every element takes at least one byte, so valid input
//    always passes, and a 3-byte "array of 65535" header can no longer make
//    msgpack-cxx allocate 1.5 MB. Only then is the object tree built.
//  * MsgpackReader reads fields with type and size checks. Its first error
//    sticks and later reads return empty values, so decoders read a whole
//    message straight through and test ok() once, LevelDB-iterator style.
// msgpack-cxx reports errors by throwing; nothing here lets one escape.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <msgpack.hpp>

#include "protocol/limits.h"
#include "storage/status.h"

namespace parley {

// Unpacks one msgpack value starting at `*offset` and advances `*offset`
// past it. Objects in the result may point into `data`, which must outlive it.
Result<msgpack::object_handle> UnpackBounded(std::string_view data, size_t* offset,
                                             const Limits& limits);
// The same into `zone`, which the caller reuses: a packet of 30 piggybacked
// messages then costs one zone allocation, not 30 (an 8 KB chunk each).
// Objects live until the zone is cleared or destroyed.
Result<msgpack::object> UnpackBounded(std::string_view data, size_t* offset, const Limits& limits,
                                      msgpack::zone* zone);

class MsgpackReader {
 public:
  MsgpackReader() = default;

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // Records `why` as the error unless one is already recorded.
  void Fail(std::string_view why);

  // Each returns a neutral value (0, false, empty) after an error.
  uint64_t Uint(const msgpack::object& object, uint64_t max, const char* what);
  bool Bool(const msgpack::object& object, const char* what);
  // Accepts str or bin: both are byte strings to parley.
  std::string Bytes(const msgpack::object& object, size_t max_size, const char* what);
  std::span<const msgpack::object> Array(const msgpack::object& object, size_t min_size,
                                         size_t max_size, const char* what);
  std::span<const msgpack::object_kv> Map(const msgpack::object& object, size_t max_size,
                                          const char* what);
  static bool IsNil(const msgpack::object& object) { return object.type == msgpack::type::NIL; }

 private:
  Status status_;
};

}  // namespace parley
