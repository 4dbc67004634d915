// The public Status of libparley (include/parley/status.h).
#include "parley/status.h"

namespace parley::embed {

Status Status::Error(Code code, std::string_view message) {
  Status s;
  if (code != Code::kOk) s.state_ = std::make_shared<const State>(State{code, std::string(message)});
  return s;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code())) + ": " + state_->message;
}

const char* StatusCodeName(Status::Code code) {
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

}  // namespace parley::embed
