// ReplyPrinter: redis-cli-like rendering of strings, integers, nil and lists.
#include "node/cli/reply_printer.h"

#include <cstdio>

namespace parley::cli {

std::string QuoteForDisplay(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "\\x%02x", c);
          out += hex;
        } else {
          out.push_back(static_cast<char>(c));  // UTF-8 passes through readable
        }
    }
  }
  out += "\"";
  return out;
}

void ReplyPrinter::Ok() const { std::printf("OK\n"); }

void ReplyPrinter::Nil() const {
  if (!raw_) std::printf("(nil)\n");
  else std::printf("\n");
}

void ReplyPrinter::String(std::string_view text) const {
  if (raw_) std::printf("%.*s\n", static_cast<int>(text.size()), text.data());
  else std::printf("%s\n", QuoteForDisplay(text).c_str());
}

void ReplyPrinter::Integer(int64_t value) const {
  if (raw_) std::printf("%lld\n", static_cast<long long>(value));
  else std::printf("(integer) %lld\n", static_cast<long long>(value));
}

void ReplyPrinter::List(const std::vector<std::string>& items) const {
  if (raw_) {
    for (const std::string& item : items) String(item);
    return;
  }
  if (items.empty()) {
    std::printf("(empty array)\n");
    return;
  }
  // Right-align the numbers like redis-cli so long lists stay readable.
  int width = static_cast<int>(std::to_string(items.size()).size());
  for (size_t i = 0; i < items.size(); ++i) {
    std::printf("%*zu) %s\n", width, i + 1, QuoteForDisplay(items[i]).c_str());
  }
}

void ReplyPrinter::Value(const std::string& type, const nlohmann::json& value) const {
  if (value.is_string()) return String(value.get<std::string>());
  if (value.is_number_integer()) return Integer(value.get<int64_t>());
  std::vector<std::string> items;
  if (value.is_array()) {
    for (const auto& item : value) items.push_back(item.is_string() ? item.get<std::string>() : item.dump());
    return List(items);
  }
  if (value.is_object()) {  // hash: field, value, field, value (HGETALL's shape)
    for (const auto& [field, v] : value.items()) {
      items.push_back(field);
      items.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    }
    return List(items);
  }
  if (value.is_null()) return Nil();
  std::printf("(%s) %s\n", type.c_str(), value.dump().c_str());
}

}  // namespace parley::cli
