// RandomSource: the libsodium and the seeded implementations.
#include "protocol/random_source.h"

#include <memory>

#include <sodium.h>

namespace parley {

RandomSource SystemRandomSource() {
  // sodium_init is idempotent and thread-safe; it picks the OS entropy source.
  if (sodium_init() < 0) return nullptr;
  return [](uint8_t* out, size_t size) { randombytes_buf(out, size); };
}

RandomSource SeededRandomSource(uint64_t seed) {
  auto state = std::make_shared<uint64_t>(seed);
  return [state](uint8_t* out, size_t size) {
    for (size_t i = 0; i < size; i += 8) {
      uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      for (size_t j = 0; j < 8 && i + j < size; ++j) out[i + j] = static_cast<uint8_t>(z >> (8 * j));
    }
  };
}

}  // namespace parley
