// operators/output/json_writer.h
//
// JsonWriter appends compact JSON to a string as it is written, without building a document: the
// output records' serializer (output_records.h). Its text is byte for byte what
// nlohmann::ordered_json::dump(-1, ' ', false, error_handler_t::replace) prints for the same
// values, so records keep their format: numbers as nlohmann prints them (doubles in shortest
// round-trip form with ".0" on whole numbers, NaN and infinities as null), strings escaped as
// nlohmann escapes them (invalid UTF-8 replaced by U+FFFD). The caller writes a well-formed
// sequence (a Key before every object member's value, Ends matching Begins); member names are
// written as given, so an object must not repeat a name. The writer owns the text until Finish():
// it appends through a pointer into room reserved ahead, because records are built from a few
// hundred small pieces and a string's own append costs more than the copy. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/time.h"
#include "operators/policy/expr/value.h"

namespace riskstream {

class JsonWriter {
 public:
  // `expected_bytes`: room reserved at first (the text grows past it when needed).
  explicit JsonWriter(size_t expected_bytes = 256);
  // The text written; the writer is empty again.
  std::string Finish();

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // A member name fixed in the code (a string literal), checked when compiled to print as it is
  // (printable ASCII but the quote and the backslash), so it is copied without a scan.
  class FixedName {
   public:
    template <size_t N>
    consteval FixedName(const char (&name)[N]) : text_(name, N - 1) {  // NOLINT: implicit
      for (char c : text_) {
        if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) {
          throw "a fixed member name must print as it is";  // not a constant: a compile error
        }
      }
    }
    std::string_view text() const { return text_; }

   private:
    std::string_view text_;
  };

  // The name of the object member whose value comes next: fixed in the code, or any text (names
  // from configs), escaped as needed.
  void Key(FixedName name) {  // inline: the name's size is a constant where it is written
    const std::string_view text = name.text();
    Reserve(text.size() + 4);
    if (need_comma_) *pos_++ = ',';
    *pos_++ = '"';
    std::memcpy(pos_, text.data(), text.size());
    pos_ += text.size();
    *pos_++ = '"';
    *pos_++ = ':';
    need_comma_ = false;
  }
  void DataKey(std::string_view name);

  void String(std::string_view text);
  // A time as an RFC 3339 string (FormatRfc3339, common/time.h), formatted in place.
  void Time(TimestampMs time);
  void Number(double number);
  void Integer(int64_t number);
  void Unsigned(uint64_t number);
  void Bool(bool value);
  void Null();
  // A feature or rule value: missing is null.
  void Write(const Value& value);

 private:
  // Room for `n` more bytes at pos_.
  void Reserve(size_t n) {
    if (static_cast<size_t>(end_ - pos_) < n) Grow(n);
  }
  void Grow(size_t n);
  void Put(char c) {
    Reserve(1);
    *pos_++ = c;
  }
  void Put(std::string_view text);
  void Separate() {
    if (need_comma_) Put(',');
  }
  // Before a scalar value: the comma if one is due; a comma is due after it.
  void BeginValue() {
    Separate();
    need_comma_ = true;
  }
  void Open(char bracket) {
    Separate();
    Put(bracket);
    need_comma_ = false;
  }
  void Close(char bracket) {
    Put(bracket);
    need_comma_ = true;
  }
  template <typename Integral>
  void PutDecimal(Integral number);
  // The length of the longest prefix of `text` that prints as it is.
  static size_t PlainPrefix(std::string_view text);
  void AppendEscaped(std::string_view text);

  std::string text_;  // [data, pos_) written, [pos_, end_) reserved
  char* pos_;
  char* end_;
  bool need_comma_ = false;
};

}  // namespace riskstream
