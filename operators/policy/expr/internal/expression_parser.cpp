#include "operators/policy/expr/internal/expression_parser.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "operators/policy/expr/internal/expression_lexer.h"

namespace riskstream::expression_internal {
namespace {

// What the compiler knows about an operand's kind. Variables are kUnknown: slots hold any Value.
enum class Type { kUnknown, kNumber, kString, kBool };

std::string TypeName(Type type) {
  switch (type) {
    case Type::kNumber:
      return "a number";
    case Type::kString:
      return "a string";
    case Type::kBool:
      return "a boolean";
    case Type::kUnknown:
      break;
  }
  return "a value";
}

Type TypeOf(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNumber:
      return Type::kNumber;
    case Value::Kind::kString:
      return Type::kString;
    case Value::Kind::kBool:
      return Type::kBool;
    case Value::Kind::kMissing:
      break;
  }
  return Type::kUnknown;
}

bool Conflict(Type a, Type b) { return a != Type::kUnknown && b != Type::kUnknown && a != b; }

struct Operand {
  int32_t node = 0;
  Type type = Type::kUnknown;
  int depth = 1;
  TextPosition position;  // where the operand's text starts
};

struct Function {
  std::string_view name;
  Op op;
  size_t arity;
};

constexpr Function kFunctions[] = {{"abs", Op::kAbs, 1},
                                   {"min", Op::kMin, 2},
                                   {"max", Op::kMax, 2},
                                   {"distance_km", Op::kDistanceKm, 4}};

struct Comparison {
  TokenKind token;
  Op op;
};

constexpr Comparison kComparisons[] = {
    {TokenKind::kEqual, Op::kEqual},     {TokenKind::kNotEqual, Op::kNotEqual},
    {TokenKind::kLess, Op::kLess},       {TokenKind::kLessEqual, Op::kLessEqual},
    {TokenKind::kGreater, Op::kGreater}, {TokenKind::kGreaterEqual, Op::kGreaterEqual},
};

// The comparison operator `kind` stands for, if it is one.
std::optional<Op> ComparisonOp(TokenKind kind) {
  for (const Comparison& comparison : kComparisons) {
    if (comparison.token == kind) return comparison.op;
  }
  return std::nullopt;
}

std::string TooDeep() {
  return "expression nests deeper than " + std::to_string(kMaxExpressionDepth) + " levels";
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const ExpressionContext& context)
      : tokens_(std::move(tokens)), context_(context) {}

  Result<Program> Run(ExpectedResult expected) {
    Result<Operand> root = ParseOr();
    if (!root.ok()) return root.status();
    if (Peek().kind != TokenKind::kEnd) {
      return ErrorAt(Peek().position,
                     "expected an operator or end of input, found " + Describe(Peek()));
    }
    if (expected == ExpectedResult::kCondition && Conflict(root->type, Type::kBool)) {
      return ErrorAt(root->position,
                     "expected a condition (true or false), found " + TypeName(root->type));
    }
    program_.root = root->node;
    std::vector<int>& slots = program_.referenced_slots;
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    return std::move(program_);
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(next_ + ahead, tokens_.size() - 1)];
  }
  const Token& Take() {
    const Token& token = Peek();
    if (token.kind != TokenKind::kEnd) ++next_;
    return token;
  }
  bool TakeIf(TokenKind kind) {
    if (Peek().kind != kind) return false;
    Take();
    return true;
  }

  // Fails unless `operand` may be of `wanted` type.
  static Status Expect(Type wanted, const Operand& operand, std::string_view role) {
    if (!Conflict(wanted, operand.type)) return Status::Ok();
    return ErrorAt(operand.position, "expected " + TypeName(wanted) + " " + std::string(role) +
                                         ", found " + TypeName(operand.type));
  }

  // Appends `node`, whose operands are `children`. The result starts where its first operand
  // starts, or at `op` without operands; `op` is also where an error about depth points.
  Result<Operand> Make(Node node, Type type, const std::vector<Operand>& children,
                       TextPosition op) {
    Operand made{static_cast<int32_t>(program_.nodes.size()), type, 1, op};
    if (!children.empty()) made.position = children.front().position;
    for (const Operand& child : children) made.depth = std::max(made.depth, child.depth + 1);
    if (made.depth > kMaxExpressionDepth) return ErrorAt(op, TooDeep());
    program_.nodes.push_back(node);
    return made;
  }

  Result<Operand> Constant(Value value, TextPosition position) {
    Type type = TypeOf(value);
    program_.constants.push_back(std::move(value));
    Node node{.op = Op::kConstant, .index = static_cast<int32_t>(program_.constants.size() - 1)};
    return Make(node, type, {}, position);
  }

  // `or` when `is_or`, else `and`: operands joined by one operator become one node.
  Result<Operand> ParseJunction(bool is_or) {
    Result<Operand> first = is_or ? ParseJunction(false) : ParseNot();
    TokenKind joiner = is_or ? TokenKind::kOr : TokenKind::kAnd;
    if (!first.ok() || Peek().kind != joiner) return first;
    const Token& op = Peek();
    std::vector<Operand> parts = {*first};
    while (TakeIf(joiner)) {
      Result<Operand> next = is_or ? ParseJunction(false) : ParseNot();
      if (!next.ok()) return next;
      parts.push_back(*next);
    }
    std::string role = "for '" + std::string(op.text) + "'";
    for (const Operand& part : parts) {
      if (Status status = Expect(Type::kBool, part, role); !status.ok()) return status;
    }
    Node node{.op = is_or ? Op::kOr : Op::kAnd,
              .index = static_cast<int32_t>(program_.operands.size()),
              .count = static_cast<int32_t>(parts.size())};
    for (const Operand& part : parts) program_.operands.push_back(part.node);
    return Make(node, Type::kBool, parts, op.position);
  }

  Result<Operand> ParseOr() { return ParseJunction(true); }

  Result<Operand> ParseNot() {
    std::vector<const Token*> nots;
    while (Peek().kind == TokenKind::kNot) nots.push_back(&Take());
    Result<Operand> operand = ParseComparison();
    for (auto it = nots.rbegin(); it != nots.rend() && operand.ok(); ++it) {
      const Token& op = **it;
      if (Status status = Expect(Type::kBool, *operand, "for '" + std::string(op.text) + "'");
          !status.ok()) {
        return status;
      }
      operand = Make({.op = Op::kNot, .left = operand->node}, Type::kBool, {*operand}, op.position);
      if (operand.ok()) operand->position = op.position;
    }
    return operand;
  }

  bool AtComparison() const {
    switch (Peek().kind) {
      case TokenKind::kIn:
      case TokenKind::kIs:
        return true;
      case TokenKind::kNot:
        return Peek(1).kind == TokenKind::kIn;
      default:
        return ComparisonOp(Peek().kind).has_value();
    }
  }

  Result<Operand> ParseComparison() {
    Result<Operand> left = ParseSum();
    if (!left.ok() || !AtComparison()) return left;
    const Token& op = Take();
    Result<Operand> compared = left;
    if (std::optional<Op> code = ComparisonOp(op.kind)) {
      compared = ParseOrderOrEquality(*left, op, *code);
    } else if (op.kind == TokenKind::kIs) {
      compared = ParseIsMissing(*left, op);
    } else {
      bool negated = op.kind == TokenKind::kNot;
      if (negated) Take();  // `in`
      compared = ParseInTarget(*left, negated, op);
    }
    if (compared.ok() && AtComparison()) {
      return ErrorAt(Peek().position,
                     "expected 'and' or 'or' between comparisons, found " + Describe(Peek()));
    }
    return compared;
  }

  Result<Operand> ParseOrderOrEquality(const Operand& left, const Token& op, Op code) {
    Result<Operand> right = ParseSum();
    if (!right.ok()) return right;
    std::string role = "for '" + std::string(op.text) + "'";
    if (code != Op::kEqual && code != Op::kNotEqual) {
      for (const Operand& side : {left, *right}) {
        if (side.type == Type::kBool) {
          return ErrorAt(side.position, "expected a number or a string " + role + ", found " +
                                            TypeName(Type::kBool));
        }
      }
    }
    if (Conflict(left.type, right->type)) {
      return ErrorAt(right->position, "expected " + TypeName(left.type) + " on the right of '" +
                                          std::string(op.text) + "', as on its left, found " +
                                          TypeName(right->type));
    }
    return Make({.op = code, .left = left.node, .right = right->node}, Type::kBool, {left, *right},
                op.position);
  }

  Result<Operand> ParseIsMissing(const Operand& left, const Token& op) {
    bool negated = TakeIf(TokenKind::kNot);
    if (!TakeIf(TokenKind::kMissing)) {
      return ErrorAt(Peek().position, std::string(negated ? "expected 'missing' after 'is not'"
                                                          : "expected 'missing' or 'not missing' "
                                                            "after 'is'") +
                                          ", found " + Describe(Peek()));
    }
    return Make({.op = negated ? Op::kIsNotMissing : Op::kIsMissing, .left = left.node},
                Type::kBool, {left}, op.position);
  }

  Result<Operand> ParseInTarget(const Operand& left, bool negated, const Token& op) {
    if (Peek().kind == TokenKind::kIdentifier) {
      const Token& name = Take();
      std::shared_ptr<const StringList> list = context_.FindList(name.text);
      if (list == nullptr) {
        return ErrorAt(name.position, "unknown list '" + std::string(name.text) + "'");
      }
      if (Status status = Expect(Type::kString, left, "before 'in' a named list"); !status.ok()) {
        return status;
      }
      program_.lists.push_back(std::move(list));
      Node node{.op = negated ? Op::kNotInList : Op::kInList,
                .left = left.node,
                .index = static_cast<int32_t>(program_.lists.size() - 1)};
      return Make(node, Type::kBool, {left}, op.position);
    }
    if (!TakeIf(TokenKind::kLeftBracket)) {
      return ErrorAt(Peek().position,
                     "expected '[' or a list name after 'in', found " + Describe(Peek()));
    }
    Node node{.op = negated ? Op::kNotInItems : Op::kInItems,
              .left = left.node,
              .index = static_cast<int32_t>(program_.constants.size())};
    while (!TakeIf(TokenKind::kRightBracket)) {
      TextPosition position = Peek().position;
      Result<Value> item = ParseItem();
      if (!item.ok()) return item.status();
      if (Conflict(left.type, TypeOf(*item))) {
        return ErrorAt(position, "expected " + TypeName(left.type) + " in the list, as before '" +
                                     std::string(op.text) + "', found " + TypeName(TypeOf(*item)));
      }
      program_.constants.push_back(std::move(*item));
      ++node.count;
      if (!TakeIf(TokenKind::kComma) && Peek().kind != TokenKind::kRightBracket) {
        return ErrorAt(Peek().position,
                       "expected ',' or ']' in the list, found " + Describe(Peek()));
      }
    }
    return Make(node, Type::kBool, {left}, op.position);
  }

  Result<Value> ParseItem() {
    bool negative = TakeIf(TokenKind::kMinus);
    const Token& token = Take();
    if (token.kind == TokenKind::kNumber) {
      return Value::Number(negative ? -token.number : token.number);
    }
    if (!negative && token.kind == TokenKind::kString) return Value::String(token.contents);
    if (!negative && token.kind == TokenKind::kTrue) return Value::Bool(true);
    if (!negative && token.kind == TokenKind::kFalse) return Value::Bool(false);
    return ErrorAt(token.position, std::string(negative ? "expected a number after '-'"
                                                        : "expected a number, string, true or "
                                                          "false") +
                                       " in the list, found " + Describe(token));
  }

  // `+ -` when `is_sum`, else `* /`; both associate to the left.
  Result<Operand> ParseArithmetic(bool is_sum) {
    Result<Operand> left = is_sum ? ParseArithmetic(false) : ParseUnary();
    while (left.ok()) {
      const Token& op = Peek();
      Op code;
      if (is_sum && op.kind == TokenKind::kPlus) {
        code = Op::kAdd;
      } else if (is_sum && op.kind == TokenKind::kMinus) {
        code = Op::kSubtract;
      } else if (!is_sum && op.kind == TokenKind::kStar) {
        code = Op::kMultiply;
      } else if (!is_sum && op.kind == TokenKind::kSlash) {
        code = Op::kDivide;
      } else {
        break;
      }
      Take();
      Result<Operand> right = is_sum ? ParseArithmetic(false) : ParseUnary();
      if (!right.ok()) return right;
      std::string role = "for '" + std::string(op.text) + "'";
      for (const Operand* side : {&*left, &*right}) {
        if (Status status = Expect(Type::kNumber, *side, role); !status.ok()) return status;
      }
      left = Make({.op = code, .left = left->node, .right = right->node}, Type::kNumber,
                  {*left, *right}, op.position);
    }
    return left;
  }

  Result<Operand> ParseSum() { return ParseArithmetic(true); }

  Result<Operand> ParseUnary() {
    std::vector<const Token*> minuses;
    while (Peek().kind == TokenKind::kMinus) minuses.push_back(&Take());
    Result<Operand> operand = ParsePrimary();
    for (auto it = minuses.rbegin(); it != minuses.rend() && operand.ok(); ++it) {
      const Token& op = **it;
      if (Status status = Expect(Type::kNumber, *operand, "for '-'"); !status.ok()) return status;
      const Node& node = program_.nodes[operand->node];
      if (node.op == Op::kConstant) {
        Value& constant = program_.constants[node.index];
        constant = Value::Number(-constant.number());
      } else {
        operand = Make({.op = Op::kNegate, .left = operand->node}, Type::kNumber, {*operand},
                       op.position);
      }
      if (operand.ok()) operand->position = op.position;
    }
    return operand;
  }

  // "(" or ")" and function arguments: the places where parsing recurses.
  Result<Operand> ParseNested(const Token& open) {
    if (++nesting_ > kMaxExpressionDepth) return ErrorAt(open.position, TooDeep());
    Result<Operand> inner = ParseOr();
    --nesting_;
    return inner;
  }

  Result<Operand> ParsePrimary() {
    const Token& token = Take();
    switch (token.kind) {
      case TokenKind::kNumber:
        return Constant(Value::Number(token.number), token.position);
      case TokenKind::kString:
        return Constant(Value::String(token.contents), token.position);
      case TokenKind::kTrue:
      case TokenKind::kFalse:
        return Constant(Value::Bool(token.kind == TokenKind::kTrue), token.position);
      case TokenKind::kIdentifier:
        return Peek().kind == TokenKind::kLeftParen ? ParseCall(token) : Variable(token);
      case TokenKind::kLeftParen: {
        Result<Operand> inner = ParseNested(token);
        if (inner.ok() && !TakeIf(TokenKind::kRightParen)) {
          return ErrorAt(Peek().position, "expected ')' to close the '(' at line " +
                                              std::to_string(token.position.line) + ", column " +
                                              std::to_string(token.position.column) + ", found " +
                                              Describe(Peek()));
        }
        if (inner.ok()) inner->position = token.position;
        return inner;
      }
      case TokenKind::kMissing:
        return ErrorAt(token.position,
                       "expected a value, found 'missing'; test for it with 'is missing'");
      default:
        return ErrorAt(token.position,
                       "expected a value (number, string, true, false, name or '('), found " +
                           Describe(token));
    }
  }

  Result<Operand> Variable(const Token& name) {
    std::optional<int> slot = context_.FindVariable(name.text);
    if (!slot) return ErrorAt(name.position, "unknown variable '" + std::string(name.text) + "'");
    program_.referenced_slots.push_back(*slot);
    return Make({.op = Op::kSlot, .index = *slot}, Type::kUnknown, {}, name.position);
  }

  Result<Operand> ParseCall(const Token& name) {
    const Function* function = nullptr;
    for (const Function& candidate : kFunctions) {
      if (name.text == candidate.name) function = &candidate;
    }
    if (function == nullptr) {
      return ErrorAt(name.position, "unknown function '" + std::string(name.text) +
                                        "': expected abs, min, max or distance_km");
    }
    const Token& open = Take();
    std::vector<Operand> arguments;
    while (!TakeIf(TokenKind::kRightParen)) {
      Result<Operand> argument = ParseNested(open);
      if (!argument.ok()) return argument;
      arguments.push_back(*argument);
      if (!TakeIf(TokenKind::kComma) && Peek().kind != TokenKind::kRightParen) {
        return ErrorAt(Peek().position, "expected ',' or ')' after an argument of " +
                                            std::string(name.text) + "(), found " +
                                            Describe(Peek()));
      }
    }
    std::string role = "for " + std::string(name.text) + "()";
    if (arguments.size() != function->arity) {
      return ErrorAt(name.position, "expected " + std::to_string(function->arity) + " argument" +
                                        (function->arity == 1 ? "" : "s") + " " + role +
                                        ", found " + std::to_string(arguments.size()));
    }
    for (const Operand& argument : arguments) {
      if (Status status = Expect(Type::kNumber, argument, role); !status.ok()) return status;
    }
    Node node{.op = function->op, .left = arguments[0].node};
    if (arguments.size() == 2) node.right = arguments[1].node;
    if (arguments.size() > 2) {
      node.index = static_cast<int32_t>(program_.operands.size());
      node.count = static_cast<int32_t>(arguments.size());
      for (const Operand& argument : arguments) program_.operands.push_back(argument.node);
    }
    Result<Operand> call = Make(node, Type::kNumber, arguments, name.position);
    if (call.ok()) call->position = name.position;
    return call;
  }

  std::vector<Token> tokens_;
  size_t next_ = 0;
  int nesting_ = 0;
  const ExpressionContext& context_;
  Program program_;
};

}  // namespace

Result<Program> Parse(std::string_view text, const ExpressionContext& context,
                      ExpectedResult expected) {
  Result<std::vector<Token>> tokens = Tokenize(text);
  if (!tokens.ok()) return tokens.status();
  return Parser(std::move(*tokens), context).Run(expected);
}

}  // namespace riskstream::expression_internal
