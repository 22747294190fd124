#include "operators/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

namespace riskstream {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kHex[] = "0123456789abcdef";

// Bytes printed as they are: printable ASCII but the quote and the backslash (and DEL, which
// nlohmann prints as it is too).
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

// True when none of the 8 bytes at `bytes` needs escaping (each is kPlain), tested a word at a
// time: no byte has its high bit set, is below 0x20, or is a quote or a backslash. Each test is
// exact, so a word it rejects holds at least one byte that is not plain.
bool PlainWord(const char* bytes) {
  constexpr uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  uint64_t w;
  std::memcpy(&w, bytes, sizeof w);
  const auto below = [&](uint64_t v, uint64_t n) { return (v - kOnes * n) & ~v & kHigh; };
  return ((w & kHigh) | below(w, 0x20) | below(w ^ (kOnes * '"'), 1) |
          below(w ^ (kOnes * '\\'), 1)) == 0;
}

// What nlohmann escapes with a short form; 0 for none.
char ShortEscape(unsigned char c) {
  switch (c) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '\b':
      return 'b';
    case '\f':
      return 'f';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    case '\t':
      return 't';
    default:
      return 0;
  }
}

template <typename Integral>
void AppendDecimal(Integral number, std::string& out) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
  out.append(buffer, result.ptr);
}

}  // namespace

void JsonWriter::Key(std::string_view name) {
  Separate();
  AppendEscaped(name);
  out_ += ':';
  need_comma_ = false;
}

void JsonWriter::String(std::string_view text) {
  BeginValue();
  AppendEscaped(text);
}

void JsonWriter::AppendEscaped(std::string_view text) {
  // Most text (names, ids, versions) is printable ASCII without quotes or backslashes: one scan,
  // one copy.
  size_t plain = 0;
  while (plain + 8 <= text.size() && PlainWord(text.data() + plain)) plain += 8;
  while (plain < text.size() && kPlain[static_cast<unsigned char>(text[plain])]) ++plain;
  if (plain == text.size()) {
    out_ += '"';
    out_ += text;
    out_ += '"';
    return;
  }
  for (size_t i = plain; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      // Multi-byte UTF-8, valid or not: nlohmann's own serializer decides, so invalid sequences
      // are replaced exactly as it replaces them.
      out_ += Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
    }
  }
  out_ += '"';
  out_.append(text.data(), plain);
  for (size_t i = plain; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (kPlain[c]) {
      out_ += static_cast<char>(c);
      continue;
    }
    out_ += '\\';
    if (char escape = ShortEscape(c)) {
      out_ += escape;
    } else {
      out_ += "u00";
      out_ += kHex[c >> 4];
      out_ += kHex[c & 15];
    }
  }
  out_ += '"';
}

void JsonWriter::Number(double number) {
  BeginValue();
  if (!std::isfinite(number)) {
    out_ += "null";
    return;
  }
  // A whole number below 10^15 (every count, most amounts) prints as nlohmann prints it, its
  // digits and ".0", without the shortest-digits search. -0.0 keeps its sign through nlohmann.
  if (std::abs(number) < 1e15 && number == std::trunc(number) &&
      !(number == 0 && std::signbit(number))) {
    AppendDecimal(static_cast<int64_t>(number), out_);
    out_ += ".0";
    return;
  }
  char buffer[64];
  char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, number);
  out_.append(buffer, end);
}

void JsonWriter::Integer(int64_t number) {
  BeginValue();
  AppendDecimal(number, out_);
}

void JsonWriter::Unsigned(uint64_t number) {
  BeginValue();
  AppendDecimal(number, out_);
}

void JsonWriter::Bool(bool value) {
  BeginValue();
  out_ += value ? "true" : "false";
}

void JsonWriter::Null() {
  BeginValue();
  out_ += "null";
}

void JsonWriter::Write(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kMissing:
      Null();
      return;
    case Value::Kind::kNumber:
      Number(value.number());
      return;
    case Value::Kind::kString:
      String(value.string());
      return;
    case Value::Kind::kBool:
      Bool(value.boolean());
      return;
  }
}

}  // namespace riskstream
