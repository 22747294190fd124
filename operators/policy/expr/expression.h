// operators/policy/expr/expression.h
//
// The expression language fraud rules are written in. An expression is compiled once against an
// ExpressionContext (names become slot indices, list names become lists, type errors that can be
// seen in the text are reported) and then evaluated per event without name lookups and, unless
// its result is a string, without allocating.
//
//   amount > 5000 and kind == "withdrawal"
//   device_id in device_deny_list or ip.country not in ["CN", "HK"]
//   (declared_income is missing || declared_income <= 0) && abs(geo.lat - home.lat) > 2.5
//
// Operators, loosest binding first: `or` `||`; `and` `&&`; `not` `!` (so `!a == b` is
// `!(a == b)`); comparisons `== != < <= > >=`, `x [not] in [1, -2, "a", true]`,
// `x [not] in list_name`, `x is [not] missing` (comparisons do not chain); `+ -`; `* /`; unary `-`;
// then literals (12, 0.5, 1e3, "text" with escapes \" \\ \n \t \r \xHH, true, false), variables,
// `abs(x)`, `min(a, b)`, `max(a, b)`, `distance_km(lat1, lon1, lat2, lon2)` (great-circle
// kilometres; missing unless the coordinates are valid degrees) and parentheses. Line breaks are
// ordinary spaces.
//
// Semantics. Missing means "unknown": a rule never fires because an input is missing, except by
// asking `is missing`.
// - Arithmetic, functions, comparisons and `in` involving missing yield missing. Arithmetic whose
//   result is not finite (division by zero, overflow) yields missing; so does arithmetic on an
//   operand that turns out at run time not to be a number.
// - `and`, `or`, `not` never turn missing into true: `false and missing` is false, `true or
//   missing` is true, any other mix with missing is missing, `not missing` is missing. Operands
//   that turn out at run time not to be bools act as missing. So `not (amount > 100)` does not fire
//   when `amount` is missing.
// - `is missing` / `is not missing` are always true or false.
// - Values of different kinds (a string and a number, a bool and a number) are never equal: `==`
//   is false, `!=` is true, `< <= > >=` are false. When both kinds are visible in the text
//   (`"a" == 1`, `amount + 1 < "x"`) it is a compile error instead. Bools have no order.
// - Numbers compare as doubles; strings compare byte by byte, exactly (no case folding).
// - `x in [...]` is true when some item has x's kind and value; `x in list_name` when x is a
//   string in the list (a non-string is in no named list); `not in` is the negation of `in`
//   except that missing stays missing.
// - Evaluate returns whatever the expression yields; Matches is true only for the bool true.
#pragma once

#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "operators/policy/expr/expression_context.h"
#include "operators/policy/expr/internal/expression_program.h"
#include "operators/policy/expr/value.h"

namespace riskstream {
namespace expression_internal {
enum class ExpectedResult;
}  // namespace expression_internal

// An expression ready to evaluate. Immutable, cheap to move, safe to evaluate from many threads.
// Holds shared ownership of the named lists it uses; needs nothing else from its context.
class CompiledExpression {
 public:
  // The value for one event: `slots[i]` is the value of the variables bound to slot i; slots past
  // the end of `slots` read as missing. Allocates only to copy a string result.
  Value Evaluate(std::span<const Value> slots) const;

  // True exactly when Evaluate would return the bool true. Never allocates.
  bool Matches(std::span<const Value> slots) const;

  // The slots the expression reads, ascending, without repeats: what a rule that fired can show as
  // the feature values behind its decision.
  const std::vector<int>& ReferencedSlots() const { return program_.referenced_slots; }

 private:
  friend Result<CompiledExpression> CompileExpression(std::string_view text,
                                                      const ExpressionContext& context);
  friend Result<CompiledExpression> CompileCondition(std::string_view text,
                                                     const ExpressionContext& context);
  explicit CompiledExpression(expression_internal::Program program)
      : program_(std::move(program)) {}
  static Result<CompiledExpression> Compile(std::string_view text, const ExpressionContext& context,
                                            expression_internal::ExpectedResult expected);

  expression_internal::Program program_;
};

// Compiles `text`. Fails (kInvalidConfig) with a message "line L, column C: <what was expected,
// what was found>" for a syntax error, an unknown variable, list or function, a wrong number of
// arguments, operands whose kinds are known to be wrong, or nesting deeper than 100 levels.
Result<CompiledExpression> CompileExpression(std::string_view text,
                                             const ExpressionContext& context);

// As CompileExpression, and also fails when the expression cannot yield a bool (`amount * 2`),
// since such a rule could never fire.
Result<CompiledExpression> CompileCondition(std::string_view text,
                                            const ExpressionContext& context);

}  // namespace riskstream
