// RespWriter: encodes replies in RESP2 or RESP3 into an output string.
//
// Handlers describe a reply by its meaning (a map, a null, a push message)
// and the writer picks the encoding the client negotiated with HELLO: in
// RESP2 a map becomes a flat array of key/value pairs, a set an array, a
// push message an array, a null "$-1", a double a bulk string, a verbatim
// string a bulk string. Redis does the same downgrade.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::resp {

class RespWriter {
 public:
  // Appends to `*out`, which must outlive the writer.
  RespWriter(std::string* out, int protocol) : out_(out), protocol_(protocol) {}

  int protocol() const { return protocol_; }
  std::string* out() const { return out_; }

  void Simple(std::string_view text);        // +OK
  void Error(std::string_view text);         // -ERR ... (text includes the code)
  void Integer(int64_t value);               // :1
  void Bulk(std::string_view bytes);         // $3\r\nabc
  void Null();                               // RESP2 $-1, RESP3 _
  void NullArray();                          // RESP2 *-1, RESP3 _
  void Array(size_t count);                  // then `count` elements
  void Map(size_t pairs);                    // then 2 * `pairs` elements
  void Set(size_t count);
  void Push(size_t count);                   // out-of-band message (pub/sub)
  void Boolean(bool value);                  // RESP2 :1/:0
  void Verbatim(std::string_view text);      // RESP3 =N\r\ntxt:..., RESP2 bulk
  void Ok() { Simple("OK"); }

 private:
  void Header(char type, uint64_t count);
  std::string* out_;
  int protocol_;
};

// Redis's error wording with newlines replaced, so a message can never
// break the framing of a simple error.
std::string SanitizeErrorText(std::string_view text);

}  // namespace parley::resp
