// operators/json_writer.h
//
// JsonWriter appends compact JSON to a string as it is written, without building a document: the
// output records' serializer (output_records.h). Its text is byte for byte what
// nlohmann::ordered_json::dump(-1, ' ', false, error_handler_t::replace) prints for the same
// values, so records keep their format: numbers as nlohmann prints them (doubles in shortest
// round-trip form with ".0" on whole numbers, NaN and infinities as null), strings escaped as
// nlohmann escapes them (invalid UTF-8 replaced by U+FFFD). The caller writes a well-formed
// sequence (a Key before every object member's value, Ends matching Begins); member names are
// written as given, so an object must not repeat a name. Not thread-safe; cheap to create.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "operators/value.h"

namespace riskstream {

class JsonWriter {
 public:
  // Appends to `out`, which must outlive the writer.
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // The name of the object member whose value comes next.
  void Key(std::string_view name);

  void String(std::string_view text);
  void Number(double number);
  void Integer(int64_t number);
  void Unsigned(uint64_t number);
  void Bool(bool value);
  void Null();
  // A feature or rule value: missing is null.
  void Write(const Value& value);

 private:
  void Separate() {
    if (need_comma_) out_ += ',';
  }
  // Before a scalar value: the comma if one is due; a comma is due after it.
  void BeginValue() {
    Separate();
    need_comma_ = true;
  }
  void Open(char bracket) {
    Separate();
    out_ += bracket;
    need_comma_ = false;
  }
  void Close(char bracket) {
    out_ += bracket;
    need_comma_ = true;
  }
  void AppendEscaped(std::string_view text);

  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace riskstream
