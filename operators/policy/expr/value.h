// operators/policy/expr/value.h
//
// Value is what a rule expression reads and computes: a number (double), a string, a bool, or
// missing (a field the event lacks, a feature with no data yet, or an undefined computation such as
// a division by zero). A default-constructed Value is missing.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace riskstream {

class Value {
 public:
  // The order matches the alternatives of the stored variant.
  enum class Kind : uint8_t { kMissing, kNumber, kString, kBool };

  Value() = default;
  static Value Missing() { return Value(); }
  static Value Number(double number) { return Value(Data(std::in_place_index<1>, number)); }
  static Value String(std::string text) {
    return Value(Data(std::in_place_index<2>, std::move(text)));
  }
  static Value Bool(bool boolean) { return Value(Data(std::in_place_index<3>, boolean)); }

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_missing() const { return kind() == Kind::kMissing; }
  bool is_number() const { return kind() == Kind::kNumber; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_bool() const { return kind() == Kind::kBool; }

  // Each accessor requires the matching kind (asserted).
  double number() const { return std::get<1>(data_); }
  const std::string& string() const { return std::get<2>(data_); }
  bool boolean() const { return std::get<3>(data_); }

  // For explanations and logs: `missing`, `true`, `12.5` (shortest form that reads back exactly),
  // or the string in double quotes with `"`, `\` and control characters escaped as in expressions.
  std::string ToString() const;

  // Same kind and same content; missing equals missing. This is identity for tests and caches, not
  // the `==` of the expression language (where a comparison with missing is missing).
  friend bool operator==(const Value& a, const Value& b) = default;

 private:
  using Data = std::variant<std::monostate, double, std::string, bool>;
  explicit Value(Data data) : data_(std::move(data)) {}

  Data data_;
};

}  // namespace riskstream
