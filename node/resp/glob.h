// Glob: Redis-style pattern matching for KEYS, SCAN MATCH and PSUBSCRIBE.
//
// Supports what Redis's stringmatchlen() supports: `*` (any run), `?` (one
// byte), `[abc]`, `[^abc]`, `[a-z]` and `\x` (a literal x). Matching works
// on bytes. Unlike a naive recursive matcher it backtracks only to the last
// `*`, so a hostile pattern such as "*a*a*a*a*b" costs O(pattern * text), not
// exponential time.
#pragma once

#include <string_view>

namespace parley::resp {

bool GlobMatch(std::string_view pattern, std::string_view text);

// The literal bytes every match must start with (up to the first special
// character), so callers can ask the map only for keys with that prefix.
std::string_view GlobLiteralPrefix(std::string_view pattern);

}  // namespace parley::resp
