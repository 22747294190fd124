// common/status.h
//
// Status and Result<T>: errors as values. A Status is either ok or carries a code and a message
// that says what failed and where (event id, field, topic/partition/offset, file:line). Result<T>
// holds either a T or a non-ok Status. Used on every hot path; exceptions are kept for start-up and
// config.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace riskstream {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidInput,   // bad bytes from outside: an event, a file line, an HTTP request
    kInvalidConfig,  // a configuration file or flag that cannot be used
    kNotFound,
    kIoError,      // files, RocksDB
    kKafkaError,   // broker or client failures
    kUnavailable,  // the thing asked for cannot answer now; retrying may help
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string message) {
    return {Code::kInvalidInput, std::move(message)};
  }
  static Status InvalidConfig(std::string message) {
    return {Code::kInvalidConfig, std::move(message)};
  }
  static Status NotFound(std::string message) { return {Code::kNotFound, std::move(message)}; }
  static Status IoError(std::string message) { return {Code::kIoError, std::move(message)}; }
  static Status KafkaError(std::string message) { return {Code::kKafkaError, std::move(message)}; }
  static Status Unavailable(std::string message) {
    return {Code::kUnavailable, std::move(message)};
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "`context`: <message>", to add where the error happened.
  Status WithContext(const std::string& context) const {
    return ok() ? *this : Status(code_, context + ": " + message_);
  }

  // "OK", or "<code name>: <message>".
  std::string ToString() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Holds a value or the error that prevented it. Accessing value() of an error is a bug (asserted).
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit on purpose, like std::expected
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(data_).ok() && "a Result built from a Status must carry an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace riskstream
