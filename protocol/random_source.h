// RandomSource: where the protocol gets random bytes (AEAD nonces).
//
// The protocol never reads a global RNG: the node core must stay
// deterministic (I5), so the caller hands in a source. Production passes
// SystemRandomSource() (libsodium's randombytes_buf); tests and the
// simulator pass SeededRandomSource(seed), which makes encrypted output
// reproducible byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace parley {

// Fills `size` bytes at `out`.
using RandomSource = std::function<void(uint8_t* out, size_t size)>;

RandomSource SystemRandomSource();
// Deterministic (SplitMix64). Not for production: nonces repeat across
// processes started with the same seed, which breaks XChaCha20-Poly1305.
RandomSource SeededRandomSource(uint64_t seed);

}  // namespace parley
