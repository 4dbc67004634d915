// parley/batch.h: several writes applied atomically, as one delta.
//
//   parley::embed::Batch batch;
//   batch.Set("door", "open").Incr("visits", 1).SAdd("seen", "alice");
//   parley::embed::Status s = node->Write(batch);
//
// Either every write of a batch applies or, if one is refused (a counter
// write to a key holding a set, a value over the size limit), none does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace parley::embed {

class Batch {
 public:
  Batch();
  ~Batch();
  Batch(const Batch& other);
  Batch& operator=(const Batch& other);
  Batch(Batch&& other) noexcept;
  Batch& operator=(Batch&& other) noexcept;

  // Register: replaces a value of any type.
  Batch& Set(std::string_view key, std::string_view value);
  // Removes the key, whatever its type (a concurrent write survives).
  Batch& Del(std::string_view key);
  // Counter: adds `amount` (negative to subtract).
  Batch& Incr(std::string_view key, int64_t amount = 1);
  // Set of strings.
  Batch& SAdd(std::string_view key, std::string_view member);
  Batch& SRem(std::string_view key, std::string_view member);
  // Hash: field -> value.
  Batch& HSet(std::string_view key, std::string_view field, std::string_view value);
  Batch& HDel(std::string_view key, std::string_view field);

  size_t size() const;
  bool empty() const { return size() == 0; }
  void Clear();

 private:
  friend class Node;
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

}  // namespace parley::embed
