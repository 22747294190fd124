#include "operators/policy/expr/value.h"

#include <charconv>
#include <cstdio>

namespace riskstream {

std::string Value::ToString() const {
  switch (kind()) {
    case Kind::kMissing:
      return "missing";
    case Kind::kBool:
      return boolean() ? "true" : "false";
    case Kind::kNumber: {
      char buffer[64];
      // 64 characters hold any double in shortest form, so to_chars cannot fail here.
      char* end = std::to_chars(buffer, buffer + sizeof(buffer), number()).ptr;
      return std::string(buffer, end);
    }
    case Kind::kString:
      break;
  }
  std::string quoted = "\"";
  for (char c : string()) {
    switch (c) {
      case '"':
        quoted += "\\\"";
        break;
      case '\\':
        quoted += "\\\\";
        break;
      case '\n':
        quoted += "\\n";
        break;
      case '\t':
        quoted += "\\t";
        break;
      case '\r':
        quoted += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\x%02x", static_cast<unsigned char>(c));
          quoted += escaped;
        } else {
          quoted += c;
        }
    }
  }
  quoted += '"';
  return quoted;
}

}  // namespace riskstream
