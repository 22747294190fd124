#include "operators/output/json_writer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
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

// The longest integer to_chars prints: 20 digits and a sign.
constexpr size_t kMaxIntegerBytes = 21;

}  // namespace

JsonWriter::JsonWriter(size_t expected_bytes) {
  text_.resize(expected_bytes);
  pos_ = text_.data();
  end_ = pos_ + text_.size();
}

std::string JsonWriter::Finish() {
  text_.resize(static_cast<size_t>(pos_ - text_.data()));
  std::string done = std::move(text_);
  text_.clear();
  pos_ = end_ = text_.data();
  need_comma_ = false;
  return done;
}

void JsonWriter::Grow(size_t n) {
  size_t used = static_cast<size_t>(pos_ - text_.data());
  text_.resize(std::max(2 * text_.size(), used + n));
  pos_ = text_.data() + used;
  end_ = text_.data() + text_.size();
}

void JsonWriter::Put(std::string_view text) {
  Reserve(text.size());
  std::memcpy(pos_, text.data(), text.size());
  pos_ += text.size();
}

template <typename Integral>
void JsonWriter::PutDecimal(Integral number) {
  Reserve(kMaxIntegerBytes);
  pos_ = std::to_chars(pos_, end_, number).ptr;
}

void JsonWriter::DataKey(std::string_view name) {
  Separate();
  AppendEscaped(name);
  Put(':');
  need_comma_ = false;
}

void JsonWriter::String(std::string_view text) {
  BeginValue();
  AppendEscaped(text);
}

void JsonWriter::Time(TimestampMs time) {
  BeginValue();
  Reserve(kRfc3339MaxBytes + 2);
  *pos_++ = '"';
  pos_ += FormatRfc3339(time, pos_);  // digits and separators: nothing to escape
  *pos_++ = '"';
}

size_t JsonWriter::PlainPrefix(std::string_view text) {
  size_t plain = 0;
#if defined(__SSE2__)
  // 16 bytes at a time. Compared as signed bytes, those from 0x80 up are negative, so one "below
  // 0x20" test finds both control characters and UTF-8.
  const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (plain + 16 <= text.size()) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + plain));
    __m128i escaped =
        _mm_or_si128(_mm_cmplt_epi8(bytes, space),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)));
    if (int mask = _mm_movemask_epi8(escaped); mask != 0) return plain + __builtin_ctz(mask);
    plain += 16;
  }
#endif
  while (plain + 8 <= text.size() && PlainWord(text.data() + plain)) plain += 8;
  while (plain < text.size() && kPlain[static_cast<unsigned char>(text[plain])]) ++plain;
  return plain;
}

void JsonWriter::AppendEscaped(std::string_view text) {
  // Most text (names, ids, versions) is printable ASCII without quotes or backslashes: one scan,
  // one copy.
  size_t plain = PlainPrefix(text);
  if (plain == text.size()) {
    Reserve(text.size() + 2);
    *pos_++ = '"';
    std::memcpy(pos_, text.data(), text.size());
    pos_ += text.size();
    *pos_++ = '"';
    return;
  }
  for (size_t i = plain; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      // Multi-byte UTF-8, valid or not: nlohmann's own serializer decides, so invalid sequences
      // are replaced exactly as it replaces them.
      Put(Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace));
      return;
    }
  }
  Put('"');
  Put(text.substr(0, plain));
  for (size_t i = plain; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (kPlain[c]) {
      Put(static_cast<char>(c));
      continue;
    }
    Reserve(6);
    *pos_++ = '\\';
    if (char escape = ShortEscape(c)) {
      *pos_++ = escape;
    } else {
      *pos_++ = 'u';
      *pos_++ = '0';
      *pos_++ = '0';
      *pos_++ = kHex[c >> 4];
      *pos_++ = kHex[c & 15];
    }
  }
  Put('"');
}

void JsonWriter::Number(double number) {
  BeginValue();
  if (!std::isfinite(number)) {
    Put("null");
    return;
  }
  // A whole number below 10^15 (every count, most amounts) prints as nlohmann prints it, its
  // digits and ".0", without the shortest-digits search. -0.0 keeps its sign through nlohmann.
  if (std::abs(number) < 1e15 && number == std::trunc(number) &&
      !(number == 0 && std::signbit(number))) {
    PutDecimal(static_cast<int64_t>(number));
    Put(".0");
    return;
  }
  Reserve(64);
  pos_ = nlohmann::detail::to_chars(pos_, end_, number);
}

void JsonWriter::Integer(int64_t number) {
  BeginValue();
  PutDecimal(number);
}

void JsonWriter::Unsigned(uint64_t number) {
  BeginValue();
  PutDecimal(number);
}

void JsonWriter::Bool(bool value) {
  BeginValue();
  Put(value ? std::string_view("true") : std::string_view("false"));
}

void JsonWriter::Null() {
  BeginValue();
  Put("null");
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
