// operators/event/pii_hasher.h
//
// PiiHasher turns personal identifiers (ID numbers, phone numbers) into keyed hashes at the edge,
// so raw values never reach state, outputs or logs. HMAC-SHA256 with a secret key; the same key
// always gives the same hash, so hashed values still work as feature keys and in deny lists.
// Thread-safe after construction; a Context is for one thread at a time.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace riskstream {

class PiiHasher {
 public:
  // Reads the key from environment variable `env_var`. Errors when it is unset or shorter than
  // 16 bytes: a missing secret must stop start-up, not silently weaken the hashing.
  static Result<PiiHasher> FromEnvironment(const std::string& env_var);

  // Throws std::runtime_error when OpenSSL offers no HMAC-SHA256.
  explicit PiiHasher(std::string_view key);

  // Lower-case hex of the first 16 bytes of HMAC-SHA256(key, value): 32 characters.
  std::string Hash(std::string_view value) const;

  // The keyed HMAC state of one user (a parser): hashing through it does not set the key up again
  // for each value, which is most of the cost of one short value's hash (about 0.2 against 1.3 us
  // on the development machine). Same results as PiiHasher::Hash.
  class Context {
   public:
    std::string Hash(std::string_view value);

   private:
    friend class PiiHasher;
    struct Free {
      void operator()(EVP_MAC_CTX* ctx) const;
    };
    explicit Context(EVP_MAC_CTX* ctx) : ctx_(ctx) {}
    std::unique_ptr<EVP_MAC_CTX, Free> ctx_;
  };
  Context NewContext() const;

 private:
  std::shared_ptr<EVP_MAC_CTX> keyed_;  // HMAC-SHA256 with the key set up; only ever duplicated
};

}  // namespace riskstream
