#include "operators/policy/named_list_file.h"

#include <fstream>

namespace riskstream {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

Result<StringList> LoadNamedListFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Status::InvalidConfig("cannot read list file " + path);
  StringList entries;
  std::string line;
  int number = 0;
  while (std::getline(file, line)) {
    ++number;
    std::string_view entry = Trim(line);
    if (entry.empty() || entry.front() == '#') continue;
    for (char c : entry) {
      auto byte = static_cast<unsigned char>(c);
      if (IsSpace(c) || byte < 0x20 || byte == 0x7f) {
        return Status::InvalidConfig(path + ":" + std::to_string(number) +
                                     ": one entry per line expected, found whitespace or a "
                                     "control character inside '" +
                                     std::string(entry) + "'");
      }
    }
    entries.emplace(entry);
  }
  if (file.bad()) return Status::InvalidConfig("cannot read list file " + path);
  return entries;
}

}  // namespace riskstream
