#include "operators/policy/expr/expression.h"

#include <cmath>
#include <string>
#include <utility>

#include "common/great_circle.h"
#include "operators/policy/expr/internal/expression_parser.h"

namespace riskstream {
namespace {

using expression_internal::Node;
using expression_internal::Op;
using expression_internal::Program;
using Kind = Value::Kind;

// A Value seen during evaluation: strings are views into constants, slots or lists, so that
// evaluating copies nothing.
struct Scalar {
  Kind kind = Kind::kMissing;
  bool boolean = false;
  double number = 0;
  std::string_view text = {};

  static Scalar Missing() { return {}; }
  static Scalar Bool(bool boolean) { return {.kind = Kind::kBool, .boolean = boolean}; }
  static Scalar Number(double number) { return {.kind = Kind::kNumber, .number = number}; }
  static Scalar Of(const Value& value) {
    switch (value.kind()) {
      case Kind::kNumber:
        return Number(value.number());
      case Kind::kString:
        return {.kind = Kind::kString, .text = value.string()};
      case Kind::kBool:
        return Bool(value.boolean());
      case Kind::kMissing:
        break;
    }
    return Missing();
  }
  bool is(Kind wanted) const { return kind == wanted; }
};

// Arithmetic results that are not finite numbers are missing.
Scalar Arithmetic(double number) {
  return std::isfinite(number) ? Scalar::Number(number) : Scalar::Missing();
}

template <typename T>
bool Compare(Op op, const T& a, const T& b) {
  switch (op) {
    case Op::kEqual:
      return a == b;
    case Op::kNotEqual:
      return a != b;
    case Op::kLess:
      return a < b;
    case Op::kLessEqual:
      return a <= b;
    case Op::kGreater:
      return a > b;
    case Op::kGreaterEqual:
      return a >= b;
    default:
      return false;
  }
}

// `a op b` for two present values.
bool ComparePresent(Op op, const Scalar& a, const Scalar& b) {
  if (a.kind != b.kind) return op == Op::kNotEqual;
  switch (a.kind) {
    case Kind::kNumber:
      return Compare(op, a.number, b.number);
    case Kind::kString:
      return Compare(op, a.text, b.text);
    case Kind::kBool:
      return (op == Op::kEqual || op == Op::kNotEqual) && Compare(op, a.boolean, b.boolean);
    case Kind::kMissing:
      break;
  }
  return false;
}

class Evaluator {
 public:
  Evaluator(const Program& program, std::span<const Value> slots)
      : program_(program), slots_(slots) {}

  Scalar Eval(int32_t index) const {
    const Node& node = program_.nodes[index];
    switch (node.op) {
      case Op::kConstant:
        return Scalar::Of(program_.constants[node.index]);
      case Op::kSlot:
        return static_cast<size_t>(node.index) < slots_.size() ? Scalar::Of(slots_[node.index])
                                                               : Scalar::Missing();
      case Op::kNegate:
      case Op::kAbs:
      case Op::kAdd:
      case Op::kSubtract:
      case Op::kMultiply:
      case Op::kDivide:
      case Op::kMin:
      case Op::kMax:
        return Calculate(node);
      case Op::kDistanceKm:
        return Distance(node);
      case Op::kEqual:
      case Op::kNotEqual:
      case Op::kLess:
      case Op::kLessEqual:
      case Op::kGreater:
      case Op::kGreaterEqual: {
        Scalar a = Eval(node.left);
        Scalar b = Eval(node.right);
        if (a.is(Kind::kMissing) || b.is(Kind::kMissing)) return Scalar::Missing();
        return Scalar::Bool(ComparePresent(node.op, a, b));
      }
      case Op::kInItems:
      case Op::kNotInItems:
      case Op::kInList:
      case Op::kNotInList:
        return Membership(node);
      case Op::kIsMissing:
        return Scalar::Bool(Eval(node.left).is(Kind::kMissing));
      case Op::kIsNotMissing:
        return Scalar::Bool(!Eval(node.left).is(Kind::kMissing));
      case Op::kNot: {
        Scalar a = Eval(node.left);
        return a.is(Kind::kBool) ? Scalar::Bool(!a.boolean) : Scalar::Missing();
      }
      case Op::kAnd:
      case Op::kOr:
        return Junction(node);
    }
    return Scalar::Missing();
  }

 private:
  Scalar Calculate(const Node& node) const {
    Scalar a = Eval(node.left);
    if (!a.is(Kind::kNumber)) return Scalar::Missing();
    if (node.op == Op::kNegate) return Scalar::Number(-a.number);
    if (node.op == Op::kAbs) return Scalar::Number(std::fabs(a.number));
    Scalar b = Eval(node.right);
    if (!b.is(Kind::kNumber)) return Scalar::Missing();
    switch (node.op) {
      case Op::kAdd:
        return Arithmetic(a.number + b.number);
      case Op::kSubtract:
        return Arithmetic(a.number - b.number);
      case Op::kMultiply:
        return Arithmetic(a.number * b.number);
      case Op::kDivide:
        return Arithmetic(a.number / b.number);
      case Op::kMin:
        return Scalar::Number(std::fmin(a.number, b.number));
      case Op::kMax:
        return Scalar::Number(std::fmax(a.number, b.number));
      default:
        return Scalar::Missing();
    }
  }

  // Great-circle distance on a sphere of the Earth's mean radius (haversine). Missing unless all
  // four are numbers and the coordinates are valid degrees.
  Scalar Distance(const Node& node) const {
    double degrees[4];
    for (int32_t i = 0; i < 4; ++i) {
      Scalar a = Eval(program_.operands[node.index + i]);
      if (!a.is(Kind::kNumber)) return Scalar::Missing();
      degrees[i] = a.number;
    }
    if (std::fabs(degrees[0]) > 90 || std::fabs(degrees[2]) > 90 || std::fabs(degrees[1]) > 180 ||
        std::fabs(degrees[3]) > 180) {
      return Scalar::Missing();
    }
    return Scalar::Number(GreatCircleKm(degrees[0], degrees[1], degrees[2], degrees[3]));
  }

  Scalar Membership(const Node& node) const {
    Scalar a = Eval(node.left);
    if (a.is(Kind::kMissing)) return Scalar::Missing();
    bool found = false;
    if (node.op == Op::kInList || node.op == Op::kNotInList) {
      const StringList& list = *program_.lists[node.index];
      found = a.is(Kind::kString) && list.find(a.text) != list.end();
    } else {
      for (int32_t i = node.index; i < node.index + node.count && !found; ++i) {
        found = ComparePresent(Op::kEqual, a, Scalar::Of(program_.constants[i]));
      }
    }
    bool negated = node.op == Op::kNotInList || node.op == Op::kNotInItems;
    return Scalar::Bool(found != negated);
  }

  // Three-valued `and` / `or`, stopping at the first operand that decides the result.
  Scalar Junction(const Node& node) const {
    bool decisive = node.op == Op::kOr;  // the operand value that decides the result
    bool unknown = false;
    for (int32_t i = node.index; i < node.index + node.count; ++i) {
      Scalar a = Eval(program_.operands[i]);
      if (!a.is(Kind::kBool)) {
        unknown = true;
      } else if (a.boolean == decisive) {
        return Scalar::Bool(decisive);
      }
    }
    return unknown ? Scalar::Missing() : Scalar::Bool(!decisive);
  }

  const Program& program_;
  std::span<const Value> slots_;
};

}  // namespace

Value CompiledExpression::Evaluate(std::span<const Value> slots) const {
  Scalar result = Evaluator(program_, slots).Eval(program_.root);
  switch (result.kind) {
    case Kind::kNumber:
      return Value::Number(result.number);
    case Kind::kString:
      return Value::String(std::string(result.text));
    case Kind::kBool:
      return Value::Bool(result.boolean);
    case Kind::kMissing:
      break;
  }
  return Value::Missing();
}

bool CompiledExpression::Matches(std::span<const Value> slots) const {
  Scalar result = Evaluator(program_, slots).Eval(program_.root);
  return result.is(Kind::kBool) && result.boolean;
}

Result<CompiledExpression> CompiledExpression::Compile(
    std::string_view text, const ExpressionContext& context,
    expression_internal::ExpectedResult expected) {
  Result<Program> program = expression_internal::Parse(text, context, expected);
  if (!program.ok()) return program.status();
  return CompiledExpression(std::move(*program));
}

Result<CompiledExpression> CompileExpression(std::string_view text,
                                             const ExpressionContext& context) {
  return CompiledExpression::Compile(text, context, expression_internal::ExpectedResult::kAnyValue);
}

Result<CompiledExpression> CompileCondition(std::string_view text,
                                            const ExpressionContext& context) {
  return CompiledExpression::Compile(text, context,
                                     expression_internal::ExpectedResult::kCondition);
}

}  // namespace riskstream
