// The library's version, fixed when it is built (from CMake's project()).
#include "parley/parley.h"

namespace parley::embed {

const char* Version() { return PARLEY_VERSION_STRING; }

}  // namespace parley::embed
