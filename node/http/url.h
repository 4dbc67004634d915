// URL pieces of HTTP requests: percent-decoding of paths and query strings.
//
// Keys travel in the path (/v1/keys/{key}), so any byte may appear in them
// percent-encoded; '+' means a space only in query strings, not in paths.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace parley {

// Decodes %XX escapes; `plus_is_space` for query strings. Fails on a
// malformed escape.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// "a=1&b=x%20y" -> {a: "1", b: "x y"}. A repeated name keeps the last value.
Result<std::map<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace parley
