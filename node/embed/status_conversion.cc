// Internal -> public Status.
#include "node/embed/status_conversion.h"

namespace parley::embed {

Status ToPublic(const parley::Status& status) {
  if (status.ok()) return Status::Ok();
  // The enumerators are declared in the same order (checked below).
  return Status::Error(static_cast<Status::Code>(status.code()), status.message());
}

static_assert(static_cast<int>(Status::Code::kUnsupported) == static_cast<int>(parley::Status::Code::kUnsupported));
static_assert(static_cast<int>(Status::Code::kUnavailable) == static_cast<int>(parley::Status::Code::kUnavailable));
static_assert(static_cast<int>(Status::Code::kWrongType) == static_cast<int>(parley::Status::Code::kWrongType));
static_assert(static_cast<int>(Status::Code::kInvalidArgument) ==
              static_cast<int>(parley::Status::Code::kInvalidArgument));

}  // namespace parley::embed
