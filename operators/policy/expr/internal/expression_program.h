// operators/policy/expr/internal/expression_program.h
//
// Internal to the expression compiler: the compiled form of an expression, a tree of nodes stored
// in one vector, with every name already resolved to a slot or a list. The parser builds it and
// guarantees it is well typed and at most kMaxExpressionDepth deep; the evaluator walks it without
// allocating.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "operators/policy/expr/expression_context.h"
#include "operators/policy/expr/value.h"

namespace riskstream::expression_internal {

// Deepest nesting of parentheses and of operators the compiler accepts, so that neither compiling
// nor evaluating can exhaust the stack.
inline constexpr int kMaxExpressionDepth = 100;

enum class Op : uint8_t {
  kConstant,  // constants[index]
  kSlot,      // slots[index]
  kNegate,    // -left
  kAdd,       // left + right, likewise kSubtract, kMultiply, kDivide
  kSubtract,
  kMultiply,
  kDivide,
  kAbs,         // abs(left)
  kMin,         // min(left, right)
  kMax,         // max(left, right)
  kDistanceKm,  // distance_km(lat1, lon1, lat2, lon2): nodes operands[index, index + 4)
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kInItems,     // left in constants[index, index + count)
  kNotInItems,  // left not in constants[index, index + count)
  kInList,      // left in lists[index]
  kNotInList,   // left not in lists[index]
  kIsMissing,   // left is missing
  kIsNotMissing,
  kNot,  // not left
  kAnd,  // nodes operands[index, index + count) joined by `and`
  kOr,   // likewise with `or`
};

struct Node {
  Op op = Op::kConstant;
  int32_t left = -1;   // first operand node
  int32_t right = -1;  // second operand node
  int32_t index = 0;   // meaning depends on `op`, see above
  int32_t count = 0;
};

struct Program {
  std::vector<Node> nodes;
  int32_t root = 0;
  std::vector<int32_t> operands;
  std::vector<Value> constants;
  std::vector<std::shared_ptr<const StringList>> lists;
  std::vector<int> referenced_slots;  // ascending, no repeats
};

}  // namespace riskstream::expression_internal
