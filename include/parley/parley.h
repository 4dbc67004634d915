// parley/parley.h: libparley, an embedded node of a parley cluster — the
// shared CRDT key/value map, read and written in-process.
//
// Link with CMake:   find_package(parley) + target_link_libraries(app PRIVATE parley::parley)
// or pkg-config:     pkg-config --cflags --libs parley
// The API lives in namespace parley::embed; see node.h to start.
#pragma once

#include "parley/batch.h"
#include "parley/node.h"
#include "parley/options.h"
#include "parley/status.h"

namespace parley::embed {

// The library's version, "MAJOR.MINOR.PATCH", as built (may differ from
// the headers a program was compiled with if libparley.so was replaced).
const char* Version();

}  // namespace parley::embed
