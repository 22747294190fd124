#include "common/byte_size.h"

namespace riskstream {

std::optional<size_t> ParseByteSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string_view unit = text.substr(digits);
  const size_t scale = unit.empty()    ? 1
                       : unit == "KiB" ? size_t{1} << 10
                       : unit == "MiB" ? size_t{1} << 20
                       : unit == "GiB" ? size_t{1} << 30
                                       : 0;
  if (digits == 0 || digits > 12 || scale == 0) return std::nullopt;
  size_t number = 0;
  for (char c : text.substr(0, digits)) number = number * 10 + static_cast<size_t>(c - '0');
  return number * scale;
}

std::string ByteSizeError(std::string_view text) {
  if (ParseByteSize(text)) return std::string();
  return "'" + std::string(text) + "' is not a byte size (e.g. 67108864, 64MiB, 12GiB)";
}

}  // namespace riskstream
