// Glob matching with single-star backtracking (see glob.h).
#include "node/resp/glob.h"

#include <cstddef>
#include <utility>

namespace parley::resp {
namespace {

// Matches one pattern element at `p` against byte `c`. Advances `p` past
// the element. A `[` without its closing `]` matches like Redis: the class
// runs to the end of the pattern.
bool MatchOne(std::string_view pattern, size_t& p, unsigned char c) {
  char head = pattern[p];
  if (head == '?') {
    ++p;
    return true;
  }
  if (head == '\\' && p + 1 < pattern.size()) {
    bool hit = static_cast<unsigned char>(pattern[p + 1]) == c;
    p += 2;
    return hit;
  }
  if (head != '[') {
    ++p;
    return static_cast<unsigned char>(head) == c;
  }
  ++p;  // past '['
  bool negate = p < pattern.size() && pattern[p] == '^';
  if (negate) ++p;
  bool hit = false;
  while (p < pattern.size() && pattern[p] != ']') {
    if (pattern[p] == '\\' && p + 1 < pattern.size()) {
      if (static_cast<unsigned char>(pattern[p + 1]) == c) hit = true;
      p += 2;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
      unsigned char lo = static_cast<unsigned char>(pattern[p]);
      unsigned char hi = static_cast<unsigned char>(pattern[p + 2]);
      if (lo > hi) std::swap(lo, hi);
      if (c >= lo && c <= hi) hit = true;
      p += 3;
    } else {
      if (static_cast<unsigned char>(pattern[p]) == c) hit = true;
      ++p;
    }
  }
  if (p < pattern.size()) ++p;  // past ']'
  return negate ? !hit : hit;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  // Where to resume after the most recent '*': the pattern just past it and
  // the text position it should next try to swallow.
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      if (p == pattern.size()) return true;
      star_p = p;
      star_t = t;
      continue;
    }
    size_t next = p;
    if (p < pattern.size() && MatchOne(pattern, next, static_cast<unsigned char>(text[t]))) {
      p = next;
      ++t;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string_view GlobLiteralPrefix(std::string_view pattern) {
  size_t i = 0;
  while (i < pattern.size() && pattern[i] != '*' && pattern[i] != '?' && pattern[i] != '[' &&
         pattern[i] != '\\') {
    ++i;
  }
  return pattern.substr(0, i);
}

}  // namespace parley::resp
