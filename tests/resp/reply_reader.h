// ReplyReader: decodes RESP2/RESP3 replies in tests, the way a client does,
// and renders them as short text ("OK", "(nil)", "[a, b]", "{k: v}",
// "(error) ERR ...", "(integer) 3" is just "3") for readable assertions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::resp {

struct Reply {
  char type = 0;  // the RESP type byte: + - : $ * _ % ~ > # , = ( |
  std::string text;
  int64_t integer = 0;
  bool null = false;
  std::vector<Reply> elements;  // arrays, sets, pushes; maps as k, v, k, v

  std::string ToString() const {
    if (null) return "(nil)";
    switch (type) {
      case '-': return "(error) " + text;
      case ':': return std::to_string(integer);
      case '#': return integer ? "true" : "false";
      case '*':
      case '~':
      case '>': {
        std::string out = type == '>' ? ">[" : type == '~' ? "~[" : "[";
        for (size_t i = 0; i < elements.size(); ++i) out += (i ? ", " : "") + elements[i].ToString();
        return out + "]";
      }
      case '%': {
        std::string out = "{";
        for (size_t i = 0; i + 1 < elements.size(); i += 2) {
          out += (i ? ", " : "") + elements[i].ToString() + ": " + elements[i + 1].ToString();
        }
        return out + "}";
      }
      default: return text;
    }
  }
};

// Parses one reply from the front of `input`. Returns bytes used, 0 if the
// reply is incomplete, or nullopt if the bytes are not RESP.
inline std::optional<size_t> ParseReply(std::string_view input, Reply* reply) {
  size_t crlf = input.find("\r\n");
  if (crlf == std::string_view::npos) return 0;
  if (crlf == 0) return std::nullopt;
  reply->type = input[0];
  std::string_view line = input.substr(1, crlf - 1);
  size_t used = crlf + 2;
  auto number = [&]() -> int64_t { return std::stoll(std::string(line)); };
  switch (reply->type) {
    case '+':
    case '-':
    case ',':
    case '(':
      reply->text = std::string(line);
      return used;
    case ':':
      reply->integer = number();
      return used;
    case '#':
      reply->integer = line == "t";
      return used;
    case '_':
      reply->null = true;
      return used;
    case '$':
    case '=':
    case '!': {
      int64_t n = number();
      if (n < 0) {
        reply->null = true;
        return used;
      }
      if (input.size() < used + static_cast<size_t>(n) + 2) return 0;
      reply->text = std::string(input.substr(used, static_cast<size_t>(n)));
      if (reply->type == '=' && reply->text.size() >= 4) reply->text.erase(0, 4);  // "txt:"
      return used + static_cast<size_t>(n) + 2;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      int64_t n = number();
      if (n < 0) {
        reply->null = true;
        return used;
      }
      if (reply->type == '%' || reply->type == '|') n *= 2;
      for (int64_t i = 0; i < n; ++i) {
        Reply element;
        std::optional<size_t> got = ParseReply(input.substr(used), &element);
        if (!got || *got == 0) return got;
        used += *got;
        reply->elements.push_back(std::move(element));
      }
      if (reply->type == '|') {  // attribute: the real reply follows
        Reply real;
        std::optional<size_t> got = ParseReply(input.substr(used), &real);
        if (!got || *got == 0) return got;
        *reply = std::move(real);
        return used + *got;
      }
      return used;
    }
    default:
      return std::nullopt;
  }
}

// All complete replies in `input`, as text.
inline std::vector<std::string> ParseAllReplies(std::string_view input) {
  std::vector<std::string> out;
  while (!input.empty()) {
    Reply reply;
    std::optional<size_t> used = ParseReply(input, &reply);
    if (!used || *used == 0) break;
    out.push_back(reply.ToString());
    input.remove_prefix(*used);
  }
  return out;
}

// A command as a RESP multibulk request.
inline std::string EncodeCommand(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& arg : args) out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

}  // namespace parley::resp
