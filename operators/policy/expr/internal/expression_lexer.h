// operators/policy/expr/internal/expression_lexer.h
//
// Internal to the expression compiler: splits rule expression text into tokens. Every token knows
// its 1-based line and column (columns count characters, so UTF-8 text in strings counts once), and
// every error names the position where the bad input starts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace riskstream::expression_internal {

enum class TokenKind {
  kNumber,      // 12, 0.5, 1e3, 2.5E-4 (never signed: `-` is an operator)
  kString,      // "..." with escapes \" \\ \n \t \r \xHH
  kIdentifier,  // a letter or '_', then letters, digits, '_' and '.'
  kAnd,         // and &&
  kOr,          // or ||
  kNot,         // not !
  kIn,
  kIs,
  kMissing,
  kTrue,
  kFalse,
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kComma,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kEnd,  // after the last token
};

struct TextPosition {
  int line = 1;
  int column = 1;
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // exactly as written; empty for kEnd
  TextPosition position;
  double number = 0;     // kNumber only
  std::string contents;  // kString only: the text with escapes decoded
};

// The tokens of `text`, always ending with one kEnd. Fails (kInvalidConfig) on a character that
// starts no token, an unterminated string, a bad escape or a number out of the range of double.
Result<std::vector<Token>> Tokenize(std::string_view text);

// True when `name` can be written as a variable or list name: an identifier that is not a keyword.
bool IsName(std::string_view name);

// How an error message shows what it found: 'and', string "ab", end of input.
std::string Describe(const Token& token);

// An error (kInvalidConfig) reading "line L, column C: `message`".
Status ErrorAt(TextPosition position, std::string_view message);

}  // namespace riskstream::expression_internal
