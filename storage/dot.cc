// Dot: printable form for logs and error messages.
#include "storage/dot.h"

#include <cstdio>

namespace parley {

std::string Dot::ToString() const {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "r%llx:%llu", static_cast<unsigned long long>(replica),
                static_cast<unsigned long long>(counter));
  return buf;
}

}  // namespace parley
