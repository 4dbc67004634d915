// Keyring: the cluster keys a node sends with and accepts.
//
// One primary key encrypts everything this node sends; every installed key
// is accepted on receipt. That makes rotation possible without downtime:
//   1. install the new key on every node (all still send with the old one),
//   2. make the new key primary on every node (both are still accepted),
//   3. remove the old key everywhere.
// Each key has a 32-bit id (a keyed-hash fingerprint) written in the packet
// header, so a receiver tries only the matching key instead of all of them.
// Key material is wiped from memory when the keyring is destroyed.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace parley {

class Keyring {
 public:
  static constexpr size_t kKeySize = 32;  // XChaCha20-Poly1305 key
  using Key = std::array<uint8_t, kKeySize>;

  Keyring() = default;
  Keyring(const Keyring& other) = default;
  Keyring& operator=(const Keyring& other);
  ~Keyring();

  // A keyring whose first key is primary and all are accepted.
  static Result<Keyring> FromKeys(const std::vector<std::string_view>& keys);

  // Adds `key` (exactly 32 raw bytes) to the accepted set. The first key
  // installed also becomes primary. Installing a key twice is harmless.
  Status Install(std::string_view key);
  // Makes an installed key the one used to send.
  Status Use(std::string_view key);
  // Stops accepting `key`. The primary key cannot be removed: Use() another first.
  Status Remove(std::string_view key);

  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }
  const Key& primary() const { return keys_[primary_]; }
  uint32_t primary_id() const { return KeyIdOf(keys_[primary_]); }
  // Installed keys whose id is `key_id` (almost always zero or one).
  std::vector<const Key*> KeysWithId(uint32_t key_id) const;

  static uint32_t KeyIdOf(const Key& key);

 private:
  static Result<Key> Parse(std::string_view key);
  int Find(const Key& key) const;

  std::vector<Key> keys_;
  size_t primary_ = 0;
};

}  // namespace parley
