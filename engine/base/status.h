// Status and Result: errors as values inside lockstep. Only cli/ turns them
// into messages on stderr and exit codes.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace lockstep {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,  // bad usage or bad input (exit 2)
    kCorruption,       // an unreadable, truncated or foreign file (exit 2)
    kIoError,          // the file system said no (exit 2)
    kLoadError,        // a scenario could not be loaded (exit 3)
    kResourceExhausted,  // the machine ran out of memory or mappings (exit 2)
    kInternal,           // lockstep's own check of itself failed (exit 2): a bug to report
  };

  Status() = default;
  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status LoadError(std::string m) { return {Code::kLoadError, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}       // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace lockstep
