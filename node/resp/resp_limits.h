// RespLimits: how large a request the RESP front door accepts.
//
// Limits are checked on the announced lengths, before any byte of the body
// is buffered or allocated (invariant I4). Breaking one is a protocol error:
// the client gets "-ERR Protocol error: ..." and the connection is closed,
// as Redis does.
#pragma once

#include <cstddef>

namespace parley::resp {

struct RespLimits {
  // One bulk string (a key, a value). Redis allows 512 MB; a parley value is
  // gossiped to every node, so the default is much smaller.
  size_t max_bulk_bytes = 16u << 20;
  // Arguments in one command (Redis: 1024*1024).
  size_t max_multibulk_length = 1u << 20;
  // One inline (telnet-style) command line (Redis: 64 KB).
  size_t max_inline_bytes = 64u << 10;
  // All arguments of one command together.
  size_t max_command_bytes = 64u << 20;
};

}  // namespace parley::resp
