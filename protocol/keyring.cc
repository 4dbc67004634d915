// Keyring: key installation, rotation and lookup by id.
#include "protocol/keyring.h"

#include <cstring>

#include <sodium.h>

namespace parley {

Keyring& Keyring::operator=(const Keyring& other) {
  if (this != &other) {
    for (Key& key : keys_) sodium_memzero(key.data(), key.size());
    keys_ = other.keys_;
    primary_ = other.primary_;
  }
  return *this;
}

Keyring::~Keyring() {
  for (Key& key : keys_) sodium_memzero(key.data(), key.size());
}

Result<Keyring> Keyring::FromKeys(const std::vector<std::string_view>& keys) {
  Keyring ring;
  for (std::string_view key : keys) PARLEY_RETURN_IF_ERROR(ring.Install(key));
  return ring;
}

Result<Keyring::Key> Keyring::Parse(std::string_view key) {
  if (key.size() != kKeySize) {
    return Status::InvalidArgument("cluster key must be exactly 32 bytes, got " +
                                   std::to_string(key.size()));
  }
  Key parsed;
  std::memcpy(parsed.data(), key.data(), kKeySize);
  return parsed;
}

int Keyring::Find(const Key& key) const {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (sodium_memcmp(keys_[i].data(), key.data(), kKeySize) == 0) return static_cast<int>(i);
  }
  return -1;
}

Status Keyring::Install(std::string_view key) {
  Result<Key> parsed = Parse(key);
  if (!parsed.ok()) return parsed.status();
  if (Find(*parsed) >= 0) return Status::Ok();
  keys_.push_back(*parsed);
  sodium_memzero(parsed->data(), kKeySize);
  return Status::Ok();
}

Status Keyring::Use(std::string_view key) {
  Result<Key> parsed = Parse(key);
  if (!parsed.ok()) return parsed.status();
  int index = Find(*parsed);
  sodium_memzero(parsed->data(), kKeySize);
  if (index < 0) return Status::NotFound("key is not installed; Install() it first");
  primary_ = static_cast<size_t>(index);
  return Status::Ok();
}

Status Keyring::Remove(std::string_view key) {
  Result<Key> parsed = Parse(key);
  if (!parsed.ok()) return parsed.status();
  int index = Find(*parsed);
  sodium_memzero(parsed->data(), kKeySize);
  if (index < 0) return Status::NotFound("key is not installed");
  if (static_cast<size_t>(index) == primary_) {
    return Status::InvalidArgument("cannot remove the primary key; Use() another key first");
  }
  sodium_memzero(keys_[index].data(), kKeySize);
  keys_.erase(keys_.begin() + index);
  if (static_cast<size_t>(index) < primary_) --primary_;
  return Status::Ok();
}

std::vector<const Keyring::Key*> Keyring::KeysWithId(uint32_t key_id) const {
  std::vector<const Key*> found;
  for (const Key& key : keys_) {
    if (KeyIdOf(key) == key_id) found.push_back(&key);
  }
  return found;
}

uint32_t Keyring::KeyIdOf(const Key& key) {
  // A keyed BLAKE2b of a fixed label: reveals nothing about the key, and is
  // stable so every node computes the same id.
  static constexpr char kLabel[] = "parley key id v1";
  uint8_t hash[16];
  crypto_generichash(hash, sizeof(hash), reinterpret_cast<const uint8_t*>(kLabel),
                     sizeof(kLabel) - 1, key.data(), key.size());
  return (uint32_t{hash[0]} << 24) | (uint32_t{hash[1]} << 16) | (uint32_t{hash[2]} << 8) |
         uint32_t{hash[3]};
}

}  // namespace parley
