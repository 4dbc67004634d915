// RedisReply: an owned copy of one Redis reply.
//
// hiredis frees its reply objects as soon as the callback returns, and its
// types would leak into every file of the bridge. Copying a reply into this
// plain tree keeps hiredis inside redis_connection.cc and lets tests build
// replies by hand.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parley {

struct RedisReply {
  enum class Type { kNil, kString, kStatus, kError, kInteger, kArray };
  Type type = Type::kNil;
  std::string text;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
  bool is_array() const { return type == Type::kArray; }
  bool is_string() const { return type == Type::kString || type == Type::kStatus; }

  static RedisReply String(std::string s) { return RedisReply{Type::kString, std::move(s), 0, {}}; }
  static RedisReply Array(std::vector<RedisReply> items) { return RedisReply{Type::kArray, {}, 0, std::move(items)}; }
  static RedisReply Nil() { return RedisReply{}; }
};

}  // namespace parley
