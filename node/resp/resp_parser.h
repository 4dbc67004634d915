// RespParser: turns the bytes a RESP client sends into commands.
//
// Clients send either a multibulk array of bulk strings
// ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") or an inline line ("GET k\r\n", with
// Redis's quoting rules). The parser is incremental: Feed() any split of the
// stream, then call Next() until it stops returning kCommand. It keeps its
// place inside a half-received multibulk, so a command split into many
// reads is parsed once, not re-scanned per read.
//
// It never throws and never trusts an announced length: every limit in
// RespLimits is checked before bytes are buffered for it. After an error
// the parser stays failed; the server replies the error and closes, like
// Redis.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "node/resp/resp_limits.h"

namespace parley::resp {

class RespParser {
 public:
  enum class Outcome { kCommand, kNeedMore, kError };

  explicit RespParser(RespLimits limits = {}) : limits_(limits) {}

  // Appends received bytes.
  void Feed(std::string_view bytes);

  // kCommand: `args` holds the next command (never empty). kNeedMore: feed
  // more bytes. kError: see error(); the stream cannot be resynchronised.
  Outcome Next(std::vector<std::string>* args);

  // Redis's wording, without the "-ERR " prefix, e.g.
  // "Protocol error: invalid bulk length".
  const std::string& error() const { return error_; }

  // Bytes received but not yet consumed (for buffer accounting).
  size_t buffered() const { return buffer_.size() - read_; }

 private:
  Outcome ParseInline(std::vector<std::string>* args);
  Outcome ParseMultibulk(std::vector<std::string>* args);
  // Reads a "<prefix><integer>\r\n" header at read_. kNeedMore if the line
  // is incomplete; kError (with error_ set) if it is malformed or too long.
  Outcome ReadLength(char prefix, const char* too_big, const char* invalid, long long* value);
  Outcome Fail(std::string message);
  void Compact();

  RespLimits limits_;
  std::string buffer_;
  size_t read_ = 0;  // first unconsumed byte of buffer_
  std::string error_;
  bool failed_ = false;

  // Progress through a multibulk command.
  bool in_multibulk_ = false;
  long long args_left_ = 0;
  long long bulk_length_ = -1;  // -1: the next "$<n>" header is still to read
  size_t command_bytes_ = 0;
  std::vector<std::string> partial_;  // arguments being read; its strings are reused
  size_t filled_ = 0;                 // of partial_, how many belong to this command
};

// Splits an inline command line like Redis's sdssplitargs(): spaces
// separate arguments; "double quotes" understand \n \r \t \b \a \\ \" and
// \xHH; 'single quotes' understand \'. Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* args);

}  // namespace parley::resp
