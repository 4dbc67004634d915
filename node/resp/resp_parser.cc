// Incremental, bounded RESP request parsing (see resp_parser.h).
#include "node/resp/resp_parser.h"

#include <cstring>
#include <utility>

#include "node/resp/integer_text.h"

namespace parley::resp {
namespace {

// Arguments reserved up front at most, whatever count a client announces.
constexpr size_t kMaxReserve = 64;
// Argument buffers kept between commands for reuse, up to this size each.
constexpr size_t kMaxKeptCapacity = 4096;
// A length header ("*<n>\r\n" or "$<n>\r\n") longer than this is refused
// before its end arrives (Redis uses its inline limit for the same purpose).
constexpr size_t kMaxHeaderBytes = 64 * 1024;

}  // namespace

void RespParser::Feed(std::string_view bytes) {
  if (failed_) return;  // nothing more will be parsed; do not grow
  Compact();
  buffer_.append(bytes);
}

void RespParser::Compact() {
  // Drop consumed bytes once they dominate, so a long pipelined stream does
  // not grow the buffer and erasing stays amortised O(1) per byte.
  if (read_ == buffer_.size()) {
    buffer_.clear();
    read_ = 0;
  } else if (read_ > 4096 && read_ * 2 > buffer_.size()) {
    buffer_.erase(0, read_);
    read_ = 0;
  }
}

RespParser::Outcome RespParser::Fail(std::string message) {
  failed_ = true;
  error_ = std::move(message);
  buffer_.clear();
  buffer_.shrink_to_fit();
  read_ = 0;
  partial_.clear();
  return Outcome::kError;
}

RespParser::Outcome RespParser::Next(std::vector<std::string>* args) {
  if (failed_) return Outcome::kError;
  while (true) {
    if (!in_multibulk_) {
      if (read_ == buffer_.size()) {
        Compact();
        return Outcome::kNeedMore;
      }
      if (buffer_[read_] != '*') {
        Outcome outcome = ParseInline(args);
        // An empty line is no command: keep going.
        if (outcome == Outcome::kCommand && args->empty()) continue;
        return outcome;
      }
    }
    Outcome outcome = ParseMultibulk(args);
    if (outcome == Outcome::kCommand && args->empty()) continue;  // "*0\r\n"
    return outcome;
  }
}

RespParser::Outcome RespParser::ParseInline(std::vector<std::string>* args) {
  std::string_view rest(buffer_.data() + read_, buffer_.size() - read_);
  size_t newline = rest.find('\n');
  if (newline == std::string_view::npos) {
    if (rest.size() > limits_.max_inline_bytes) return Fail("Protocol error: too big inline request");
    return Outcome::kNeedMore;
  }
  if (newline > limits_.max_inline_bytes) return Fail("Protocol error: too big inline request");
  std::string_view line = rest.substr(0, newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  args->clear();
  if (!SplitInlineArgs(line, args)) return Fail("Protocol error: unbalanced quotes in request");
  read_ += newline + 1;
  return Outcome::kCommand;
}

RespParser::Outcome RespParser::ReadLength(char prefix, const char* too_big, const char* invalid,
                                           long long* value) {
  // Fast path for what clients send: the prefix, 1-18 digits without a
  // leading zero, "\r" and one more byte. Anything else (signs, long or odd
  // numbers, a line not yet complete) takes the checked path below, which
  // accepts and refuses exactly as before.
  const char* line = buffer_.data() + read_;
  const char* end = buffer_.data() + buffer_.size();
  if (end - line >= 4 && line[0] == prefix && (line[1] != '0' || line[2] == '\r')) {
    const char* digit = line + 1;
    const char* limit = end - line > 19 ? line + 19 : end;
    long long v = 0;
    while (digit < limit && static_cast<unsigned char>(*digit - '0') < 10) v = v * 10 + (*digit++ - '0');
    if (digit > line + 1 && digit + 1 < end && *digit == '\r') {
      *value = v;
      read_ += static_cast<size_t>(digit + 2 - line);
      return Outcome::kCommand;
    }
  }
  std::string_view rest(line, buffer_.size() - read_);
  size_t cr = rest.find('\r');
  if (cr == std::string_view::npos || cr + 1 >= rest.size()) {
    if (rest.size() > kMaxHeaderBytes) return Fail(too_big);
    return Outcome::kNeedMore;
  }
  if (cr > kMaxHeaderBytes) return Fail(too_big);
  if (rest[0] != prefix) {
    return Fail(std::string("Protocol error: expected '") + prefix + "', got '" + rest[0] + "'");
  }
  // Like Redis, the line must end in "\r\n"; the byte after '\r' is
  // skipped without being checked.
  int64_t parsed = 0;
  if (!ParseInt64(rest.substr(1, cr - 1), &parsed)) return Fail(invalid);
  *value = parsed;
  read_ += cr + 2;
  return Outcome::kCommand;
}

RespParser::Outcome RespParser::ParseMultibulk(std::vector<std::string>* args) {
  if (!in_multibulk_) {
    long long count = 0;
    Outcome header = ReadLength('*', "Protocol error: too big mbulk count string",
                                "Protocol error: invalid multibulk length", &count);
    if (header != Outcome::kCommand) return header;
    if (count > static_cast<long long>(limits_.max_multibulk_length)) {
      return Fail("Protocol error: invalid multibulk length");
    }
    if (count <= 0) {
      args->clear();
      return Outcome::kCommand;  // Redis ignores "*0" and "*-1"
    }
    in_multibulk_ = true;
    args_left_ = count;
    bulk_length_ = -1;
    command_bytes_ = 0;
    filled_ = 0;
    partial_.reserve(count < static_cast<long long>(kMaxReserve) ? static_cast<size_t>(count) : kMaxReserve);
  }
  while (args_left_ > 0) {
    if (bulk_length_ < 0) {
      if (read_ == buffer_.size()) return Outcome::kNeedMore;
      long long length = 0;
      Outcome header = ReadLength('$', "Protocol error: too big bulk count string",
                                  "Protocol error: invalid bulk length", &length);
      if (header != Outcome::kCommand) return header;
      if (length < 0 || static_cast<unsigned long long>(length) > limits_.max_bulk_bytes) {
        return Fail("Protocol error: invalid bulk length");
      }
      command_bytes_ += static_cast<size_t>(length);
      if (command_bytes_ > limits_.max_command_bytes) return Fail("Protocol error: too big request");
      bulk_length_ = length;
    }
    size_t need = static_cast<size_t>(bulk_length_) + 2;
    if (buffer_.size() - read_ < need) {
      // Make room once for the whole announced body (already bounded), so
      // a large value arriving in small reads is not copied repeatedly.
      if (read_ > 0 && buffer_.capacity() - read_ < need) {
        buffer_.erase(0, read_);
        read_ = 0;
      }
      if (buffer_.capacity() < need) buffer_.reserve(need);
      return Outcome::kNeedMore;
    }
    // Reuse the strings of the command before last (swapped back in below):
    // keys longer than the small-string buffer then cost no allocation.
    const char* bulk = buffer_.data() + read_;
    if (filled_ < partial_.size()) {
      partial_[filled_].assign(bulk, static_cast<size_t>(bulk_length_));
    } else {
      partial_.emplace_back(bulk, static_cast<size_t>(bulk_length_));
    }
    ++filled_;
    read_ += need;
    bulk_length_ = -1;
    --args_left_;
  }
  in_multibulk_ = false;
  partial_.resize(filled_);
  args->swap(partial_);
  // partial_ now holds the caller's previous arguments, kept for their
  // capacity; but a big value's buffer is not worth keeping.
  if (partial_.size() > kMaxReserve) partial_ = {};
  for (std::string& s : partial_) {
    if (s.capacity() > kMaxKeptCapacity) std::string().swap(s);
  }
  return Outcome::kCommand;
}

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* args) {
  auto is_hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  auto hex_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
  };
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  size_t i = 0;
  while (true) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size()) return true;
    std::string current;
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      if (in_double) {
        if (i == line.size()) return false;
        char c = line[i];
        if (c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && is_hex(line[i + 2]) && is_hex(line[i + 3])) {
          current.push_back(static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3])));
          i += 3;
        } else if (c == '\\' && i + 1 < line.size()) {
          char e = line[++i];
          switch (e) {
            case 'n': current.push_back('\n'); break;
            case 'r': current.push_back('\r'); break;
            case 't': current.push_back('\t'); break;
            case 'b': current.push_back('\b'); break;
            case 'a': current.push_back('\a'); break;
            default: current.push_back(e); break;
          }
        } else if (c == '"') {
          // A closing quote must be followed by a space or the end.
          if (i + 1 < line.size() && !is_space(line[i + 1])) return false;
          done = true;
        } else {
          current.push_back(c);
        }
      } else if (in_single) {
        if (i == line.size()) return false;
        char c = line[i];
        if (c == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
          current.push_back('\'');
          ++i;
        } else if (c == '\'') {
          if (i + 1 < line.size() && !is_space(line[i + 1])) return false;
          done = true;
        } else {
          current.push_back(c);
        }
      } else {
        if (i == line.size()) break;
        char c = line[i];
        if (is_space(c)) {
          done = true;
        } else if (c == '"') {
          in_double = true;
        } else if (c == '\'') {
          in_single = true;
        } else {
          current.push_back(c);
        }
      }
      if (i < line.size()) ++i;
    }
    args->push_back(std::move(current));
  }
}

}  // namespace parley::resp
