#include "operators/policy/expr/internal/expression_lexer.h"

#include <charconv>
#include <system_error>
#include <utility>

namespace riskstream::expression_internal {
namespace {

struct Spelling {
  std::string_view text;
  TokenKind kind;
};

constexpr Spelling kKeywords[] = {
    {"and", TokenKind::kAnd},   {"or", TokenKind::kOr},       {"not", TokenKind::kNot},
    {"in", TokenKind::kIn},     {"is", TokenKind::kIs},       {"missing", TokenKind::kMissing},
    {"true", TokenKind::kTrue}, {"false", TokenKind::kFalse},
};

// Operators and punctuation, longest first so that "<=" wins over "<".
constexpr Spelling kSymbols[] = {
    {"==", TokenKind::kEqual},        {"!=", TokenKind::kNotEqual},  {"<=", TokenKind::kLessEqual},
    {">=", TokenKind::kGreaterEqual}, {"&&", TokenKind::kAnd},       {"||", TokenKind::kOr},
    {"<", TokenKind::kLess},          {">", TokenKind::kGreater},    {"!", TokenKind::kNot},
    {"(", TokenKind::kLeftParen},     {")", TokenKind::kRightParen}, {"[", TokenKind::kLeftBracket},
    {"]", TokenKind::kRightBracket},  {",", TokenKind::kComma},      {"+", TokenKind::kPlus},
    {"-", TokenKind::kMinus},         {"*", TokenKind::kStar},       {"/", TokenKind::kSlash},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsIdentifierStart(char c) { return IsLetter(c) || c == '_'; }
bool IsIdentifierPart(char c) { return IsIdentifierStart(c) || IsDigit(c) || c == '.'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

int HexDigit(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      while (offset_ < text_.size() && IsSpace(text_[offset_])) Advance();
      Token token;
      token.position = position_;
      size_t start = offset_;
      if (offset_ == text_.size()) {
        tokens.push_back(std::move(token));
        return tokens;
      }
      Status status = Next(token);
      if (!status.ok()) return status;
      token.text = text_.substr(start, offset_ - start);
      tokens.push_back(std::move(token));
    }
  }

 private:
  char Peek(size_t ahead = 0) const {
    return offset_ + ahead < text_.size() ? text_[offset_ + ahead] : '\0';
  }

  void Advance() {
    char c = text_[offset_++];
    if (c == '\n') {
      ++position_.line;
      position_.column = 1;
    } else if (!IsUtf8Continuation(c)) {
      ++position_.column;
    }
  }

  // Reads one token starting at offset_, which is not at a space or the end.
  Status Next(Token& token) {
    char c = Peek();
    if (IsDigit(c)) return ReadNumber(token);
    if (c == '"') return ReadString(token);
    if (IsIdentifierStart(c)) {
      size_t start = offset_;
      while (IsIdentifierPart(Peek())) Advance();
      std::string_view word = text_.substr(start, offset_ - start);
      token.kind = TokenKind::kIdentifier;
      for (const Spelling& keyword : kKeywords) {
        if (word == keyword.text) token.kind = keyword.kind;
      }
      return Status::Ok();
    }
    for (const Spelling& symbol : kSymbols) {
      if (text_.substr(offset_).starts_with(symbol.text)) {
        for (size_t i = 0; i < symbol.text.size(); ++i) Advance();
        token.kind = symbol.kind;
        return Status::Ok();
      }
    }
    size_t length = 1;
    while (offset_ + length < text_.size() && IsUtf8Continuation(text_[offset_ + length])) ++length;
    std::string message =
        "unexpected character '" + std::string(text_.substr(offset_, length)) + "'";
    if (c == '=') message += "; equality is written '=='";
    if (c == '&') message += "; write 'and' or '&&'";
    if (c == '|') message += "; write 'or' or '||'";
    if (c == '\'') message += "; strings are written in double quotes";
    return ErrorAt(position_, message);
  }

  Status ReadDigits(std::string_view after) {
    if (!IsDigit(Peek())) {
      return ErrorAt(position_, "expected a digit after " + std::string(after) + " in a number");
    }
    while (IsDigit(Peek())) Advance();
    return Status::Ok();
  }

  Status ReadNumber(Token& token) {
    TextPosition start_position = position_;
    size_t start = offset_;
    while (IsDigit(Peek())) Advance();
    if (Peek() == '.') {
      Advance();
      if (Status status = ReadDigits("'.'"); !status.ok()) return status;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      Advance();
      if (Peek() == '+' || Peek() == '-') Advance();
      if (Status status = ReadDigits("the exponent"); !status.ok()) return status;
    }
    if (IsIdentifierPart(Peek())) {
      return ErrorAt(position_,
                     "expected an operator after a number, found '" + std::string(1, Peek()) + "'");
    }
    std::string_view digits = text_.substr(start, offset_ - start);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), token.number);
    if (error != std::errc() || end != digits.data() + digits.size()) {
      return ErrorAt(start_position, "number " + std::string(digits) + " is out of range");
    }
    token.kind = TokenKind::kNumber;
    return Status::Ok();
  }

  Status ReadString(Token& token) {
    TextPosition start_position = position_;
    Advance();  // the opening quote
    while (true) {
      char c = Peek();
      if (offset_ == text_.size() || c == '\n') {
        return ErrorAt(start_position, "unterminated string: expected '\"' before the end of line");
      }
      if (c == '"') break;
      if (c != '\\') {
        token.contents += c;
        Advance();
        continue;
      }
      TextPosition escape_position = position_;
      char code = Peek(1);
      int high = HexDigit(Peek(2));
      int low = HexDigit(Peek(3));
      size_t length = 2;
      switch (code) {
        case '"':
        case '\\':
          token.contents += code;
          break;
        case 'n':
          token.contents += '\n';
          break;
        case 't':
          token.contents += '\t';
          break;
        case 'r':
          token.contents += '\r';
          break;
        case 'x':
          if (high >= 0 && low >= 0) {
            token.contents += static_cast<char>(high * 16 + low);
            length = 4;
            break;
          }
          [[fallthrough]];
        default:
          return ErrorAt(escape_position,
                         "unknown escape in string: expected one of \\\" \\\\ \\n "
                         "\\t \\r \\xHH after '\\'");
      }
      for (size_t i = 0; i < length; ++i) Advance();
    }
    Advance();  // the closing quote
    token.kind = TokenKind::kString;
    return Status::Ok();
  }

  std::string_view text_;
  size_t offset_ = 0;
  TextPosition position_;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view text) { return Lexer(text).Run(); }

bool IsName(std::string_view name) {
  if (name.empty() || !IsIdentifierStart(name[0])) return false;
  for (char c : name) {
    if (!IsIdentifierPart(c)) return false;
  }
  for (const Spelling& keyword : kKeywords) {
    if (name == keyword.text) return false;
  }
  return true;
}

std::string Describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kString:
      return "string " + std::string(token.text);
    default:
      return "'" + std::string(token.text) + "'";
  }
}

Status ErrorAt(TextPosition position, std::string_view message) {
  return Status::InvalidConfig("line " + std::to_string(position.line) + ", column " +
                               std::to_string(position.column) + ": " + std::string(message));
}

}  // namespace riskstream::expression_internal
