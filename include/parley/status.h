// parley/status.h: how libparley reports errors — a Status, or a Result<T>
// holding either a value or a non-OK Status. No call throws.
//
// An OK Status is cheap (no allocation). A failed one carries a code to
// branch on and a message meant for people: it says what went wrong and,
// where it helps, what to do ("node is closed", "value of key 'k' is
// 5242880 bytes; the limit is 4194304").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace parley::embed {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // bad options, arguments or batch
    kCorruption,       // the data directory does not decode
    kIoError,          // the operating system refused (bind, open, fsync)
    kNotFound,         // no such key, member or field
    kWrongType,        // the key holds another type
    kTimedOut,         // a quorum write was not confirmed in time (it stays applied)
    kUnavailable,      // the node is closed, or its data directory is locked
    kUnsupported,
  };

  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Error(Code code, std::string_view message);

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  const std::string& message() const;
  // "not found: key 'x'", or "ok".
  std::string ToString() const;

 private:
  struct State {
    Code code;
    std::string message;
  };
  std::shared_ptr<const State> state_;  // null means OK
};

// The name of a code: "invalid argument", "not found", ...
const char* StatusCodeName(Status::Code code);

// A T or an error Status. Check ok() before value().
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace parley::embed
