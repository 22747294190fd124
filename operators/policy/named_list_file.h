// operators/policy/named_list_file.h
//
// Named lists (deny and allow lists of devices, IPs, phone hashes, ...) that rules test with
// `x in list_name`, read from plain text files: one entry per line, surrounding spaces trimmed,
// blank lines and lines starting with '#' ignored. Entries are compared byte for byte; phone and
// ID-number lists must hold the same keyed hashes the pipeline computes (PiiHasher), never the raw
// values. Errors name the file and line: "configs/lists/deny_devices.txt:7: ...".
#pragma once

#include <string>

#include "common/status.h"
#include "operators/policy/expr/expression_context.h"

namespace riskstream {

// Reads the list file `path`. Fails (kInvalidConfig) when the file cannot be read, or a line holds
// whitespace inside an entry (two values on one line) or a control character.
Result<StringList> LoadNamedListFile(const std::string& path);

}  // namespace riskstream
