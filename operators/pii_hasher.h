// operators/pii_hasher.h
//
// PiiHasher turns personal identifiers (ID numbers, phone numbers) into keyed hashes at the edge,
// so raw values never reach state, outputs or logs. HMAC-SHA256 with a secret key; the same key
// always gives the same hash, so hashed values still work as feature keys and in deny lists.
// Thread-safe after construction.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace riskstream {

class PiiHasher {
 public:
  // Reads the key from environment variable `env_var`. Errors when it is unset or shorter than
  // 16 bytes: a missing secret must stop start-up, not silently weaken the hashing.
  static Result<PiiHasher> FromEnvironment(const std::string& env_var);

  explicit PiiHasher(std::string key) : key_(std::move(key)) {}

  // Lower-case hex of the first 16 bytes of HMAC-SHA256(key, value): 32 characters.
  std::string Hash(std::string_view value) const;

 private:
  std::string key_;
};

}  // namespace riskstream
