#include "operators/json_writer.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace riskstream {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kHex[] = "0123456789abcdef";

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

}  // namespace

void JsonWriter::Key(std::string_view name) {
  Separate();
  AppendEscaped(name);
  out_ += ':';
  need_comma_ = false;
}

void JsonWriter::String(std::string_view text) {
  Separate();
  AppendEscaped(text);
  need_comma_ = true;
}

void JsonWriter::AppendEscaped(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) {
      // Multi-byte UTF-8, valid or not: nlohmann's own serializer decides, so invalid sequences
      // are replaced exactly as it replaces them.
      out_ += Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
    }
  }
  out_ += '"';
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(text.data() + plain, i - plain);
    plain = i + 1;
    out_ += '\\';
    if (char escape = ShortEscape(c)) {
      out_ += escape;
    } else {
      out_ += "u00";
      out_ += kHex[c >> 4];
      out_ += kHex[c & 15];
    }
  }
  out_.append(text.data() + plain, text.size() - plain);
  out_ += '"';
}

void JsonWriter::Number(double number) {
  Separate();
  need_comma_ = true;
  if (!std::isfinite(number)) {
    out_ += "null";
    return;
  }
  char buffer[64];
  char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, number);
  out_.append(buffer, end);
}

void JsonWriter::Integer(int64_t number) {
  Separate();
  need_comma_ = true;
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
  out_.append(buffer, result.ptr);
}

void JsonWriter::Unsigned(uint64_t number) {
  Separate();
  need_comma_ = true;
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
  out_.append(buffer, result.ptr);
}

void JsonWriter::Bool(bool value) {
  Separate();
  need_comma_ = true;
  out_ += value ? "true" : "false";
}

void JsonWriter::Null() {
  Separate();
  need_comma_ = true;
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
