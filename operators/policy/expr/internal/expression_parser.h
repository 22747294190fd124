// operators/policy/expr/internal/expression_parser.h
//
// Internal to the expression compiler: turns expression text into a Program, resolving names
// through an ExpressionContext and rejecting, with line and column, anything that does not parse,
// names nothing known, or combines operands whose types are known to be wrong.
//
// Grammar, loosest binding first (`a < b < c` does not parse: comparisons do not chain):
//   or:          and { ("or" | "||") and }
//   and:         not { ("and" | "&&") not }
//   not:         { "not" | "!" } comparison
//   comparison:  sum [ ("==" | "!=" | "<" | "<=" | ">" | ">=") sum
//                    | ["not"] "in" ( "[" [ item { "," item } [","] ] "]" | list_name )
//                    | "is" ["not"] "missing" ]
//   sum:         product { ("+" | "-") product }
//   product:     unary { ("*" | "/") unary }
//   unary:       { "-" } primary
//   primary:     number | string | "true" | "false" | variable | function "(" or { "," or } ")"
//                | "(" or ")"
//   item:        ["-"] number | string | "true" | "false"
#pragma once

#include <string_view>

#include "common/status.h"
#include "operators/policy/expr/expression_context.h"
#include "operators/policy/expr/internal/expression_program.h"

namespace riskstream::expression_internal {

enum class ExpectedResult {
  kAnyValue,
  kCondition,  // the expression must be able to yield a bool
};

// Compiles `text`. Errors are kInvalidConfig with a message starting "line L, column C: ".
Result<Program> Parse(std::string_view text, const ExpressionContext& context,
                      ExpectedResult expected);

}  // namespace riskstream::expression_internal
