// Canonical integer parsing (see integer_text.h).
#include "node/resp/integer_text.h"

namespace parley::resp {

bool ParseUint64(std::string_view text, uint64_t* value) {
  if (text.empty() || text.size() > 20) return false;
  if (text[0] == '0') {
    if (text.size() != 1) return false;
    *value = 0;
    return true;
  }
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *value = v;
  return true;
}

bool ParseInt64(std::string_view text, int64_t* value) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  uint64_t magnitude = 0;
  if (!ParseUint64(text, &magnitude)) return false;
  if (negative) {
    if (magnitude == 0) return false;  // "-0" is not canonical
    if (magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *value = static_cast<int64_t>(0 - magnitude);
  } else {
    if (magnitude > static_cast<uint64_t>(INT64_MAX)) return false;
    *value = static_cast<int64_t>(magnitude);
  }
  return true;
}

}  // namespace parley::resp
