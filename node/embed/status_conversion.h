// Conversions between the internal parley::Status and libparley's public
// parley::embed::Status. The two are separate types so the installed
// headers never include storage/ (the codes correspond one to one).
#pragma once

#include "parley/status.h"
#include "storage/status.h"

namespace parley::embed {

Status ToPublic(const parley::Status& status);

}  // namespace parley::embed
