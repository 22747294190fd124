#include "operators/policy/expr/expression.h"

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "operators/policy/expr/expression_context.h"
#include "operators/policy/expr/value.h"

namespace riskstream {

// Lets GoogleTest print Values in failure messages.
static void PrintTo(const Value& value, std::ostream* out) { *out << value.ToString(); }

namespace {

const Value kMissing = Value::Missing();
const Value kTrue = Value::Bool(true);
const Value kFalse = Value::Bool(false);

Value Number(double number) { return Value::Number(number); }
Value String(std::string text) { return Value::String(std::move(text)); }

class Expression : public ::testing::Test {
 protected:
  Expression() {
    const char* names[] = {"amount", "kind", "geo.lat", "txn_count.1h", "is_vip", "income", "_x"};
    for (int slot = 0; slot < 7; ++slot) {
      EXPECT_TRUE(context_.AddVariable(names[slot], slot).ok()) << names[slot];
    }
    EXPECT_TRUE(context_.AddList("deny_merchants", StringList{"m-1", "m-2"}).ok());
  }

  void Set(std::string_view name, Value value) {
    slots_[*context_.FindVariable(name)] = std::move(value);
  }

  Result<CompiledExpression> Compile(std::string_view text) {
    return CompileExpression(text, context_);
  }

  // The value of `text` over the current slots; a compile error fails the test.
  Value Eval(std::string_view text) {
    Result<CompiledExpression> compiled = Compile(text);
    EXPECT_TRUE(compiled.ok()) << text << " -> " << compiled.status().ToString();
    return compiled.ok() ? compiled->Evaluate(slots_) : String("<compile error>");
  }

  bool Fires(std::string_view text) {
    Result<CompiledExpression> compiled = Compile(text);
    EXPECT_TRUE(compiled.ok()) << text << " -> " << compiled.status().ToString();
    return compiled.ok() && compiled->Matches(slots_);
  }

  // The compile error message for `text`, or "compiled" when there is none.
  std::string Error(std::string_view text) {
    Result<CompiledExpression> compiled = Compile(text);
    if (compiled.ok()) return "compiled";
    EXPECT_EQ(compiled.status().code(), Status::Code::kInvalidConfig);
    return compiled.status().message();
  }

  ExpressionContext context_;
  std::vector<Value> slots_ = std::vector<Value>(7);
};

TEST_F(Expression, ArithmeticFollowsUsualPrecedenceAndAssociatesLeft) {
  EXPECT_EQ(Eval("1 + 2 * 3"), Number(7));
  EXPECT_EQ(Eval("(1 + 2) * 3"), Number(9));
  EXPECT_EQ(Eval("10 - 4 - 3"), Number(3));
  EXPECT_EQ(Eval("12 / 3 / 2"), Number(2));
  EXPECT_EQ(Eval("2 * 3 - 8 / 4"), Number(4));
  EXPECT_EQ(Eval("-2 * -3"), Number(6));
  EXPECT_EQ(Eval("- -2"), Number(2));
  EXPECT_EQ(Eval("-(1 + 2)"), Number(-3));
}

TEST_F(Expression, LogicBindsLooserThanComparisonAndAndBindsTighterThanOr) {
  EXPECT_EQ(Eval("true or false and false"), kTrue);
  EXPECT_EQ(Eval("(true or false) and false"), kFalse);
  EXPECT_EQ(Eval("not false and false"), kFalse);
  EXPECT_EQ(Eval("not 1 > 2"), kTrue);
  EXPECT_EQ(Eval("!1 == 2"), kTrue);
  EXPECT_EQ(Eval("1 + 1 == 2 and 3 * 2 > 5"), kTrue);
  EXPECT_EQ(Eval("1 + 1 in [2] and 4 is not missing"), kTrue);
}

TEST_F(Expression, EveryArithmeticOperatorComputesOnVariables) {
  Set("amount", Number(10));
  Set("geo.lat", Number(4));
  EXPECT_EQ(Eval("amount + geo.lat"), Number(14));
  EXPECT_EQ(Eval("amount - geo.lat"), Number(6));
  EXPECT_EQ(Eval("amount * geo.lat"), Number(40));
  EXPECT_EQ(Eval("amount / geo.lat"), Number(2.5));
  EXPECT_EQ(Eval("-amount"), Number(-10));
}

TEST_F(Expression, EveryComparisonOperatorOrdersNumbers) {
  Set("amount", Number(5));
  EXPECT_EQ(Eval("amount == 5"), kTrue);
  EXPECT_EQ(Eval("amount != 5"), kFalse);
  EXPECT_EQ(Eval("amount < 5"), kFalse);
  EXPECT_EQ(Eval("amount <= 5"), kTrue);
  EXPECT_EQ(Eval("amount > 4.5"), kTrue);
  EXPECT_EQ(Eval("amount >= 6"), kFalse);
}

TEST_F(Expression, StringsCompareExactlyByteByByte) {
  Set("kind", String("withdrawal"));
  EXPECT_EQ(Eval("kind == \"withdrawal\""), kTrue);
  EXPECT_EQ(Eval("kind == \"Withdrawal\""), kFalse);
  EXPECT_EQ(Eval("kind == \"withdrawal \""), kFalse);
  EXPECT_EQ(Eval("kind != \"purchase\""), kTrue);
  EXPECT_EQ(Eval("kind < \"x\""), kTrue);
  EXPECT_EQ(Eval("kind >= \"x\""), kFalse);
}

TEST_F(Expression, BoolsCompareForEqualityOnly) {
  Set("is_vip", kTrue);
  EXPECT_EQ(Eval("is_vip == true"), kTrue);
  EXPECT_EQ(Eval("is_vip != true"), kFalse);
  Set("_x", kFalse);
  EXPECT_EQ(Eval("_x < is_vip"), kFalse);
  EXPECT_EQ(Eval("_x >= is_vip"), kFalse);
  EXPECT_EQ(Error("true < false"),
            "line 1, column 1: expected a number or a string for '<', found a boolean");
}

TEST_F(Expression, WordAndSymbolLogicOperatorsAgree) {
  for (const char* a : {"true", "false"}) {
    for (const char* b : {"true", "false"}) {
      std::string x = std::string(a) + " ", y = std::string(" ") + b;
      EXPECT_EQ(Eval(x + "and" + y), Eval(x + "&&" + y)) << a << " " << b;
      EXPECT_EQ(Eval(x + "or" + y), Eval(x + "||" + y)) << a << " " << b;
    }
    EXPECT_EQ(Eval(std::string("not ") + a), Eval(std::string("!") + a));
  }
  EXPECT_EQ(Eval("true and false"), kFalse);
  EXPECT_EQ(Eval("false or true"), kTrue);
  EXPECT_EQ(Eval("not true"), kFalse);
  EXPECT_EQ(Eval("true && true && false"), kFalse);
  EXPECT_EQ(Eval("false || false || true"), kTrue);
}

TEST_F(Expression, InLiteralListMatchesKindAndValue) {
  Set("amount", Number(2));
  Set("kind", String("a"));
  EXPECT_EQ(Eval("amount in [1, 2, \"a\"]"), kTrue);
  EXPECT_EQ(Eval("kind in [1, 2, \"a\"]"), kTrue);
  EXPECT_EQ(Eval("kind in [1, 2, \"b\"]"), kFalse);
  EXPECT_EQ(Eval("amount in [\"2\", true]"), kFalse);
  EXPECT_EQ(Eval("amount not in [1, 3]"), kTrue);
  EXPECT_EQ(Eval("amount not in [1, 2]"), kFalse);
  EXPECT_EQ(Eval("-amount in [-2]"), kTrue);
  EXPECT_EQ(Eval("amount in []"), kFalse);
  EXPECT_EQ(Eval("amount in [\n  1,\n  2,\n]"), kTrue);
  EXPECT_EQ(Eval("true in [false, true]"), kTrue);
}

TEST_F(Expression, InNamedListTestsStringMembership) {
  Set("kind", String("m-2"));
  EXPECT_EQ(Eval("kind in deny_merchants"), kTrue);
  EXPECT_EQ(Eval("kind not in deny_merchants"), kFalse);
  Set("kind", String("m-3"));
  EXPECT_EQ(Eval("kind in deny_merchants"), kFalse);
  EXPECT_EQ(Eval("kind not in deny_merchants"), kTrue);
  Set("kind", Number(1));
  EXPECT_EQ(Eval("kind in deny_merchants"), kFalse);
}

TEST_F(Expression, CompiledExpressionKeepsItsListAfterTheContextIsGone) {
  auto context = std::make_unique<ExpressionContext>();
  ASSERT_TRUE(context->AddVariable("ip", 0).ok());
  ASSERT_TRUE(context->AddList("bad_ips", StringList{"10.0.0.1"}).ok());
  Result<CompiledExpression> compiled = CompileExpression("ip in bad_ips", *context);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  context.reset();
  std::vector<Value> slots = {String("10.0.0.1")};
  EXPECT_TRUE(compiled->Matches(slots));
}

TEST_F(Expression, IsMissingIsAlwaysTrueOrFalse) {
  EXPECT_EQ(Eval("income is missing"), kTrue);
  EXPECT_EQ(Eval("income is not missing"), kFalse);
  EXPECT_EQ(Eval("income / 0 is missing"), kTrue);
  Set("income", Number(0));
  EXPECT_EQ(Eval("income is missing"), kFalse);
  EXPECT_EQ(Eval("income is not missing"), kTrue);
}

TEST_F(Expression, MissingComparisonDoesNotFire) {
  for (const char* op : {"==", "!=", "<", "<=", ">", ">="}) {
    std::string text = std::string("amount ") + op + " 100";
    EXPECT_EQ(Eval(text), kMissing) << text;
    EXPECT_FALSE(Fires(text)) << text;
  }
  EXPECT_EQ(Eval("kind == kind"), kMissing);
}

TEST_F(Expression, NegatedMissingComparisonDoesNotFire) {
  EXPECT_EQ(Eval("not (amount > 100)"), kMissing);
  EXPECT_FALSE(Fires("not (amount > 100)"));
  EXPECT_FALSE(Fires("!(amount > 100)"));
  EXPECT_FALSE(Fires("kind not in deny_merchants"));
  EXPECT_FALSE(Fires("amount not in [1, 2]"));
  EXPECT_EQ(Eval("kind in deny_merchants"), kMissing);
}

TEST_F(Expression, LogicTreatsMissingAsUnknown) {
  EXPECT_EQ(Eval("false and amount > 1"), kFalse);
  EXPECT_EQ(Eval("amount > 1 and false"), kFalse);
  EXPECT_EQ(Eval("true and amount > 1"), kMissing);
  EXPECT_EQ(Eval("true or amount > 1"), kTrue);
  EXPECT_EQ(Eval("amount > 1 or true"), kTrue);
  EXPECT_EQ(Eval("false or amount > 1"), kMissing);
  EXPECT_FALSE(Fires("true and amount > 1"));
  EXPECT_TRUE(Fires("amount > 1 or 2 > 1"));
}

TEST_F(Expression, ArithmeticAndFunctionsWithMissingYieldMissing) {
  for (const char* text : {"amount + 1", "1 - amount", "amount * 2", "2 / amount", "-amount",
                           "abs(amount)", "min(amount, 1)", "max(1, amount)"}) {
    EXPECT_EQ(Eval(text), kMissing) << text;
  }
}

TEST_F(Expression, DivisionByZeroYieldsMissing) {
  Set("amount", Number(0));
  EXPECT_EQ(Eval("1 / amount"), kMissing);
  EXPECT_EQ(Eval("0 / amount"), kMissing);
  EXPECT_EQ(Eval("-1 / 0"), kMissing);
  EXPECT_FALSE(Fires("1 / amount > 0"));
  EXPECT_EQ(Eval("1e308 * 10"), kMissing);
}

TEST_F(Expression, RuntimeKindMismatchIsUnequalAndUnordered) {
  Set("kind", String("5"));
  EXPECT_EQ(Eval("kind == 5"), kFalse);
  EXPECT_EQ(Eval("kind != 5"), kTrue);
  EXPECT_EQ(Eval("kind < 5"), kFalse);
  EXPECT_EQ(Eval("kind >= 5"), kFalse);
  EXPECT_EQ(Eval("kind + 1"), kMissing);
  EXPECT_EQ(Eval("abs(kind)"), kMissing);
  EXPECT_EQ(Eval("kind and true"), kMissing);
  EXPECT_EQ(Eval("not kind"), kMissing);
}

TEST_F(Expression, FunctionsComputeAbsMinMax) {
  Set("amount", Number(-3));
  EXPECT_EQ(Eval("abs(amount)"), Number(3));
  EXPECT_EQ(Eval("min(amount, 2)"), Number(-3));
  EXPECT_EQ(Eval("max(amount, 2)"), Number(2));
  EXPECT_EQ(Eval("max(abs(amount), min(10, 4) * 2)"), Number(8));
}

TEST_F(Expression, DistanceKmIsTheGreatCircleDistance) {
  // Beijing to Shanghai is about 1067 km; one degree of latitude about 111.19 km.
  Set("geo.lat", Number(39.9042));
  Set("income", Number(116.4074));
  double km = Eval("distance_km(geo.lat, income, 31.2304, 121.4737)").number();
  EXPECT_NEAR(km, 1067.3, 1.0);
  EXPECT_NEAR(Eval("distance_km(0, 0, 1, 0)").number(), 111.19, 0.01);
  EXPECT_EQ(Eval("distance_km(10, 20, 10, 20)"), Number(0));
  // Across the antimeridian the short way round.
  EXPECT_NEAR(Eval("distance_km(0, 179.5, 0, -179.5)").number(), 111.19, 0.01);
  // Missing or invalid coordinates give missing, so a travel rule cannot fire on them.
  EXPECT_EQ(Eval("distance_km(amount, 0, 1, 0)"), kMissing);
  EXPECT_EQ(Eval("distance_km(91, 0, 1, 0)"), kMissing);
  EXPECT_EQ(Eval("distance_km(0, 180.5, 1, 0)"), kMissing);
  EXPECT_FALSE(Fires("distance_km(amount, 0, 1, 0) > 100"));
  EXPECT_EQ(Error("distance_km(1, 2, 3)"),
            "line 1, column 1: expected 4 arguments for distance_km(), found 3");
  EXPECT_EQ(Error("distance_km(1, 2, 3, kind == 1)"),
            "line 1, column 22: expected a number for distance_km(), found a boolean");
}

TEST_F(Expression, LiteralsCoverDecimalsExponentsAndEscapes) {
  EXPECT_EQ(Eval("0.25"), Number(0.25));
  EXPECT_EQ(Eval("1e3"), Number(1000));
  EXPECT_EQ(Eval("2.5E-2"), Number(0.025));
  EXPECT_EQ(Eval("1e+2"), Number(100));
  EXPECT_EQ(Eval(R"("a\"b\\c\n\t\r\x41")"), String("a\"b\\c\n\t\rA"));
  EXPECT_EQ(Eval("\"\""), String(""));
  EXPECT_EQ(Eval("\"caf\xC3\xA9\""), String("caf\xC3\xA9"));
  EXPECT_EQ(Eval("false"), kFalse);
}

TEST_F(Expression, NamesMayContainDotsUnderscoresAndDigits) {
  Set("geo.lat", Number(1));
  Set("txn_count.1h", Number(2));
  Set("_x", Number(3));
  EXPECT_EQ(Eval("geo.lat + txn_count.1h + _x"), Number(6));
}

TEST_F(Expression, EvaluateReturnsStringResultsAndSlotsPastTheEndAreMissing) {
  Set("kind", String("purchase"));
  EXPECT_EQ(Eval("kind"), String("purchase"));
  Result<CompiledExpression> compiled =
      Compile("amount == 1 and kind is missing and _x is missing");
  ASSERT_TRUE(compiled.ok());
  std::vector<Value> short_slots = {Number(1)};
  EXPECT_TRUE(compiled->Matches(short_slots));
  EXPECT_EQ(compiled->Evaluate(short_slots), kTrue);
  EXPECT_FALSE(compiled->Matches({}));
}

TEST_F(Expression, MatchesOnlyTheBoolTrue) {
  Set("amount", Number(1));
  Set("kind", String("true"));
  EXPECT_FALSE(Fires("amount"));
  EXPECT_FALSE(Fires("kind"));
  EXPECT_FALSE(Fires("false"));
  EXPECT_TRUE(Fires("true"));
}

TEST_F(Expression, WhitespaceAndLineBreaksAreInsignificant) {
  Set("amount", Number(600));
  Set("kind", String("withdrawal"));
  EXPECT_TRUE(Fires("amount>500&&kind==\"withdrawal\""));
  EXPECT_TRUE(Fires("\n\t amount > 500\r\n   and\n   kind ==\t\"withdrawal\"\n"));
  EXPECT_TRUE(Fires("(\n  amount\n  >\n  500\n)"));
}

TEST_F(Expression, ReferencedSlotsAreSortedWithoutRepeats) {
  Result<CompiledExpression> compiled =
      Compile("income > 1 and amount > income or kind in deny_merchants and amount < 2");
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(compiled->ReferencedSlots(), (std::vector<int>{0, 1, 5}));
  EXPECT_TRUE(Compile("1 < 2")->ReferencedSlots().empty());
}

TEST_F(Expression, DeeplyNestedParenthesesCompileUpToTheLimit) {
  std::string text = std::string(100, '(') + "amount" + std::string(100, ')') + " == 1";
  Set("amount", Number(1));
  EXPECT_TRUE(Fires(text));
  std::string deeper = "1 + " + std::string(101, '(') + "1" + std::string(101, ')');
  EXPECT_EQ(Error(deeper), "line 1, column 105: expression nests deeper than 100 levels");
  EXPECT_EQ(Error(std::string(100000, '(')),
            "line 1, column 101: expression nests deeper than 100 levels");
}

TEST_F(Expression, LongOperatorChainsFailToCompileInsteadOfOverflowingTheStack) {
  std::string nots;
  for (int i = 0; i < 99; ++i) nots += "not ";
  EXPECT_EQ(Eval(nots + "true"), kFalse);
  EXPECT_EQ(Error("not " + nots + "true"),
            "line 1, column 1: expression nests deeper than 100 levels");
  for (int i = 99; i < 100000; ++i) nots += "not ";
  EXPECT_EQ(Error(nots + "true"), "line 1, column 399601: expression nests deeper than 100 levels");
  std::string sum = "1";
  for (int i = 0; i < 100; ++i) sum += " + 1";
  EXPECT_EQ(Error(sum), "line 1, column 399: expression nests deeper than 100 levels");
  std::string ors = "amount == 0";
  for (int i = 1; i < 1000; ++i) ors += " or amount == " + std::to_string(i);
  Set("amount", Number(999));
  EXPECT_TRUE(Fires(ors));
}

TEST_F(Expression, SyntaxErrorsNameLineColumnExpectedAndFound) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"",
       "line 1, column 1: expected a value (number, string, true, false, name or '('), "
       "found end of input"},
      {"amount >",
       "line 1, column 9: expected a value (number, string, true, false, name or "
       "'('), found end of input"},
      {"amount > 1\n  and (kind == \"x\"\n  or 2 > 1",
       "line 3, column 11: expected ')' to close the '(' at line 2, column 7, found end of input"},
      {"min(amount,\n  1 1)",
       "line 2, column 5: expected ',' or ')' after an argument of min(), found '1'"},
      {"amount 1", "line 1, column 8: expected an operator or end of input, found '1'"},
      {"amount > 1)", "line 1, column 11: expected an operator or end of input, found ')'"},
      {"1 < amount < 3",
       "line 1, column 12: expected 'and' or 'or' between comparisons, found '<'"},
      {"amount is 5",
       "line 1, column 11: expected 'missing' or 'not missing' after 'is', found '5'"},
      {"amount is not 5", "line 1, column 15: expected 'missing' after 'is not', found '5'"},
      {"amount not [1]", "line 1, column 8: expected an operator or end of input, found 'not'"},
      {"amount in 1", "line 1, column 11: expected '[' or a list name after 'in', found '1'"},
      {"amount in [1 2]", "line 1, column 14: expected ',' or ']' in the list, found '2'"},
      {"amount in [1, amount]",
       "line 1, column 15: expected a number, string, true or false in the list, found 'amount'"},
      {"amount in [-\"a\"]",
       "line 1, column 13: expected a number after '-' in the list, found string \"a\""},
      {"amount == missing",
       "line 1, column 11: expected a value, found 'missing'; test for it with 'is missing'"},
      {"amount and not",
       "line 1, column 15: expected a value (number, string, true, false, "
       "name or '('), found end of input"},
  };
  for (const Case& c : cases) EXPECT_EQ(Error(c.text), c.error) << c.text;
}

TEST_F(Expression, LexicalErrorsNameLineAndColumn) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"amount = 1", "line 1, column 8: unexpected character '='; equality is written '=='"},
      {"a & b", "line 1, column 3: unexpected character '&'; write 'and' or '&&'"},
      {"a | b", "line 1, column 3: unexpected character '|'; write 'or' or '||'"},
      {"kind == 'x'",
       "line 1, column 9: unexpected character '''; strings are written in double quotes"},
      {"amount\n  # 1", "line 2, column 3: unexpected character '#'"},
      {"kind == \"\xC3\xA9\" \xE2\x80\x9C",
       "line 1, column 13: unexpected character '\xE2\x80\x9C'"},
      {"kind == \"abc",
       "line 1, column 9: unterminated string: expected '\"' before the end of "
       "line"},
      {"kind == \"ab\nc\"",
       "line 1, column 9: unterminated string: expected '\"' before the end "
       "of line"},
      {"kind == \"a\\qb\"",
       "line 1, column 11: unknown escape in string: expected one of \\\" "
       "\\\\ \\n \\t \\r \\xHH after '\\'"},
      {"kind == \"\\x4\"",
       "line 1, column 10: unknown escape in string: expected one of \\\" "
       "\\\\ \\n \\t \\r \\xHH after '\\'"},
      {"1.", "line 1, column 3: expected a digit after '.' in a number"},
      {"1e", "line 1, column 3: expected a digit after the exponent in a number"},
      {"12abc", "line 1, column 3: expected an operator after a number, found 'a'"},
      {"1e999", "line 1, column 1: number 1e999 is out of range"},
  };
  for (const Case& c : cases) EXPECT_EQ(Error(c.text), c.error) << c.text;
}

TEST_F(Expression, UnknownNamesAreCompileErrors) {
  EXPECT_EQ(Error("amount > 1 and\n   amout > 2"), "line 2, column 4: unknown variable 'amout'");
  EXPECT_EQ(Error("kind in allow_merchants"), "line 1, column 9: unknown list 'allow_merchants'");
  EXPECT_EQ(Error("deny_merchants == 1"), "line 1, column 1: unknown variable 'deny_merchants'");
  EXPECT_EQ(Error("sqrt(amount)"),
            "line 1, column 1: unknown function 'sqrt': expected abs, min, max "
            "or distance_km");
  EXPECT_EQ(Error("AND"), "line 1, column 1: unknown variable 'AND'");
}

TEST_F(Expression, FunctionArityIsChecked) {
  EXPECT_EQ(Error("1 + abs(1, 2)"), "line 1, column 5: expected 1 argument for abs(), found 2");
  EXPECT_EQ(Error("min(1)"), "line 1, column 1: expected 2 arguments for min(), found 1");
  EXPECT_EQ(Error("max()"), "line 1, column 1: expected 2 arguments for max(), found 0");
}

TEST_F(Expression, KindErrorsVisibleInTheTextAreCompileErrors) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"\"a\" == 1",
       "line 1, column 8: expected a string on the right of '==', as on its left, "
       "found a number"},
      {"amount + 1 < \"x\"",
       "line 1, column 14: expected a number on the right of '<', as on "
       "its left, found a string"},
      {"(amount > 1) != 2",
       "line 1, column 17: expected a boolean on the right of '!=', as on "
       "its left, found a number"},
      {"amount + \"1\"", "line 1, column 10: expected a number for '+', found a string"},
      {"-\"a\"", "line 1, column 2: expected a number for '-', found a string"},
      {"true * 2", "line 1, column 1: expected a number for '*', found a boolean"},
      {"not 5", "line 1, column 5: expected a boolean for 'not', found a number"},
      {"amount > 1 && \"yes\"", "line 1, column 15: expected a boolean for '&&', found a string"},
      {"1 or true", "line 1, column 1: expected a boolean for 'or', found a number"},
      {"abs(\"x\")", "line 1, column 5: expected a number for abs(), found a string"},
      {"\"a\" in [\"b\", 1]",
       "line 1, column 14: expected a string in the list, as before 'in', "
       "found a number"},
      {"amount * 2 in deny_merchants",
       "line 1, column 1: expected a string before 'in' a named list, found a number"},
  };
  for (const Case& c : cases) EXPECT_EQ(Error(c.text), c.error) << c.text;
}

TEST_F(Expression, CompileConditionRejectsExpressionsThatCannotBeBool) {
  Result<CompiledExpression> number = CompileCondition("\n  amount * 2", context_);
  ASSERT_FALSE(number.ok());
  EXPECT_EQ(number.status().message(),
            "line 2, column 3: expected a condition (true or false), found a number");
  EXPECT_TRUE(CompileCondition("is_vip", context_).ok());
  EXPECT_TRUE(CompileCondition("amount > 1", context_).ok());
  EXPECT_TRUE(CompileExpression("amount * 2", context_).ok());
}

TEST_F(Expression, CompiledExpressionIsReusableAcrossEvents) {
  Result<CompiledExpression> compiled = Compile("amount > 100 and kind in [\"withdrawal\"]");
  ASSERT_TRUE(compiled.ok());
  std::vector<Value> fires = {Number(101), String("withdrawal")};
  std::vector<Value> low = {Number(100), String("withdrawal")};
  std::vector<Value> other = {Number(101), String("purchase")};
  EXPECT_TRUE(compiled->Matches(fires));
  EXPECT_FALSE(compiled->Matches(low));
  EXPECT_FALSE(compiled->Matches(other));
  CompiledExpression copy = *compiled;
  EXPECT_TRUE(copy.Matches(fires));
}

TEST(ExpressionContext, RejectsUnusableAndRepeatedNames) {
  ExpressionContext context;
  EXPECT_TRUE(context.AddVariable("amount", 0).ok());
  EXPECT_TRUE(context.AddVariable("amount_alias", 0).ok());
  EXPECT_EQ(context.AddVariable("amount", 1).message(), "variable 'amount' is defined twice");
  EXPECT_FALSE(context.AddVariable("missing", 1).ok());
  EXPECT_FALSE(context.AddVariable("1st", 1).ok());
  EXPECT_FALSE(context.AddVariable("geo-lat", 1).ok());
  EXPECT_FALSE(context.AddVariable("", 1).ok());
  EXPECT_EQ(context.AddVariable("count", -1).message(), "variable 'count' has negative slot -1");
  EXPECT_TRUE(context.AddList("amount", StringList{}).ok());
  EXPECT_FALSE(context.AddList("amount", StringList{}).ok());
  EXPECT_FALSE(context.AddList("null_list", std::shared_ptr<const StringList>()).ok());
  EXPECT_EQ(context.FindVariable("amount_alias"), 0);
  EXPECT_EQ(context.FindVariable("nope"), std::nullopt);
}

TEST(Value, ToStringReadsLikeTheLiteral) {
  EXPECT_EQ(Value().ToString(), "missing");
  EXPECT_EQ(Value::Bool(true).ToString(), "true");
  EXPECT_EQ(Value::Number(12.5).ToString(), "12.5");
  EXPECT_EQ(Value::Number(1000).ToString(), "1000");
  EXPECT_EQ(Value::String("a\"b\\\n\x01").ToString(), "\"a\\\"b\\\\\\n\\x01\"");
  EXPECT_TRUE(Value().is_missing());
  EXPECT_NE(Value::Number(1), Value::Bool(true));
  EXPECT_NE(Value::String("1"), Value::Number(1));
}

}  // namespace
}  // namespace riskstream
