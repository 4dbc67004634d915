// Status and Result<T>: how parley modules report errors without exceptions.
//
// A Status is either OK (cheap: no allocation) or carries a code and a
// human-readable message saying what went wrong and where. Result<T> holds a
// value or a non-OK Status. Modules return these across their boundaries so a
// caller always sees a clear error (invariant I4) instead of a crash.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace parley {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // bad input from a caller or a peer
    kCorruption,       // bytes on disk or on the wire do not decode
    kIoError,          // the operating system refused
    kNotFound,
    kWrongType,        // operation against a key holding another type
    kTimedOut,
    kUnavailable,      // closed, locked, or not running
    kUnsupported,      // e.g. a newer major protocol version
  };

  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string_view msg) { return Status(Code::kInvalidArgument, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status IoError(std::string_view msg) { return Status(Code::kIoError, msg); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status WrongType(std::string_view msg) { return Status(Code::kWrongType, msg); }
  static Status TimedOut(std::string_view msg) { return Status(Code::kTimedOut, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status Unsupported(std::string_view msg) { return Status(Code::kUnsupported, msg); }

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  const std::string& message() const;
  // "corruption: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

 private:
  struct State {
    Code code;
    std::string message;
  };
  Status(Code code, std::string_view msg)
      : state_(std::make_shared<const State>(State{code, std::string(msg)})) {}
  std::shared_ptr<const State> state_;  // null means OK
};

// Holds a T or an error Status. Use ok() before value().
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
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

}  // namespace parley

// Returns early from the enclosing function when `expr` is not OK.
#define PARLEY_RETURN_IF_ERROR(expr)         \
  do {                                       \
    ::parley::Status _parley_s = (expr);     \
    if (!_parley_s.ok()) return _parley_s;   \
  } while (0)
