// DeltaCodec: the msgpack form of CRDT deltas and causal contexts.
//
// Deltas travel inside delta-batch and diff-chunk messages; this is their one
// encoding (layout in PROTOCOL.md, "Deltas"). Decoding is strict: contexts
// and clocks must be canonical (sorted, disjoint, non-zero) and the result
// must pass Delta::IsWellFormed, because the map merges whatever it is given
// and a malformed delta could otherwise corrupt state (I4). Encoding a
// well-formed delta is canonical: equal deltas give equal bytes.
#pragma once

#include <string>
#include <string_view>

#include <msgpack.hpp>

#include "protocol/limits.h"
#include "protocol/msgpack_reader.h"
#include "protocol/msgpack_writer.h"
#include "storage/causal_context.h"
#include "storage/delta.h"
#include "storage/status.h"

namespace parley {

// Building blocks used by the message codec.
void WriteCausalContext(const CausalContext& context, MsgpackWriter& writer);
void WriteDelta(const Delta& delta, MsgpackWriter& writer);
CausalContext ReadCausalContext(const msgpack::object& object, const Limits& limits,
                                MsgpackReader& reader);
Delta ReadDelta(const msgpack::object& object, const Limits& limits, MsgpackReader& reader);

// A standalone delta as bytes (used by tests, fuzzing and benchmarks).
std::string EncodeDelta(const Delta& delta);
Result<Delta> DecodeDelta(std::string_view bytes, const Limits& limits = Limits());

}  // namespace parley
