// Status: error values shared by every parley module.
#include "storage/status.h"

namespace parley {

namespace {
const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "ok";
    case Status::Code::kInvalidArgument: return "invalid argument";
    case Status::Code::kCorruption: return "corruption";
    case Status::Code::kIoError: return "io error";
    case Status::Code::kNotFound: return "not found";
    case Status::Code::kWrongType: return "wrong type";
    case Status::Code::kTimedOut: return "timed out";
    case Status::Code::kUnavailable: return "unavailable";
    case Status::Code::kUnsupported: return "unsupported";
  }
  return "unknown";
}
}  // namespace

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(state_->code)) + ": " + state_->message;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += state_->message;
  return Status(state_->code, msg);
}

}  // namespace parley
