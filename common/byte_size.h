// common/byte_size.h
//
// Byte sizes as people write them in configs and on the command line: a plain number of bytes, or
// a whole number with KiB, MiB or GiB ("67108864", "64MiB", "12GiB").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace riskstream {

// The size `text` names, or nullopt when it is not one of the forms above (or absurdly large).
std::optional<size_t> ParseByteSize(std::string_view text);
// What is wrong with `text` as a byte size, with examples of right ones; empty when it is one.
std::string ByteSizeError(std::string_view text);

}  // namespace riskstream
