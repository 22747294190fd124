#include "operators/pii_hasher.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

namespace riskstream {

Result<PiiHasher> PiiHasher::FromEnvironment(const std::string& env_var) {
  const char* key = std::getenv(env_var.c_str());
  if (key == nullptr || *key == '\0') {
    return Status::InvalidConfig("environment variable " + env_var +
                                 " (the PII hashing secret) is not set");
  }
  std::string value(key);
  if (value.size() < 16) {
    return Status::InvalidConfig("environment variable " + env_var +
                                 " (the PII hashing secret) is shorter than 16 bytes");
  }
  return PiiHasher(std::move(value));
}

std::string PiiHasher::Hash(std::string_view value) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), digest, &digest_len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace riskstream
