// Reply printing for the client commands, in redis-cli's style.
//
// People who know redis-cli read `"hello"`, `(integer) 3`, `(nil)` and
// numbered lists at a glance, so the CLI prints the same shapes. Strings are
// quoted with C-style escapes so trailing spaces and binary bytes are
// visible. In raw mode (--raw, for scripts) values are printed bare, one per
// line, like `redis-cli --raw`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace parley::cli {

class ReplyPrinter {
 public:
  explicit ReplyPrinter(bool raw) : raw_(raw) {}

  void Ok() const;                             // OK
  void Nil() const;                            // (nil)
  void String(std::string_view text) const;    // "text"
  void Integer(int64_t value) const;           // (integer) 7
  void List(const std::vector<std::string>& items) const;  // 1) "a"  2) "b"
  // Prints a value read from the map according to its type.
  void Value(const std::string& type, const nlohmann::json& value) const;

 private:
  bool raw_;
};

// `text` in double quotes with \n, \t, \", \\ and \xNN escapes.
std::string QuoteForDisplay(std::string_view text);

}  // namespace parley::cli
