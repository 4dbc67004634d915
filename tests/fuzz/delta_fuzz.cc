// libFuzzer target: the CRDT delta decoder.
//
// A delta that decodes must be well formed and canonical: re-encoding it
// and decoding again gives the same delta, and joining it into an empty map
// must succeed (the decoder is the map's only gatekeeper, I4).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/delta_codec.h"
#include "storage/crdt_map.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  parley::Result<parley::Delta> delta = parley::DecodeDelta(input);
  if (!delta.ok()) return 0;
  std::string why;
  if (!delta->IsWellFormed(&why)) std::abort();
  parley::Result<parley::Delta> again = parley::DecodeDelta(parley::EncodeDelta(*delta));
  if (!again.ok() || !(*again == *delta)) std::abort();
  parley::CrdtMap map;
  if (!map.Join(*delta).ok()) std::abort();
  return 0;
}
