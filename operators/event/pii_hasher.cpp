#include "operators/event/pii_hasher.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <stdexcept>

namespace riskstream {
namespace {

[[noreturn]] void Fail(const char* what) {
  char reason[256] = "unknown reason";
  if (unsigned long code = ERR_get_error(); code != 0)
    ERR_error_string_n(code, reason, sizeof reason);
  throw std::runtime_error(std::string("PII hashing: ") + what + ": " + reason);
}

}  // namespace

Result<PiiHasher> PiiHasher::FromEnvironment(const std::string& env_var) {
  const char* key = std::getenv(env_var.c_str());
  if (key == nullptr || *key == '\0') {
    return Status::InvalidConfig("environment variable " + env_var +
                                 " (the PII hashing secret) is not set");
  }
  std::string_view value(key);
  if (value.size() < 16) {
    return Status::InvalidConfig("environment variable " + env_var +
                                 " (the PII hashing secret) is shorter than 16 bytes");
  }
  return PiiHasher(value);
}

PiiHasher::PiiHasher(std::string_view key) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) Fail("OpenSSL has no HMAC");
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);
  if (ctx == nullptr) Fail("cannot make an HMAC context");
  keyed_.reset(ctx, EVP_MAC_CTX_free);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) !=
      1) {
    Fail("cannot key HMAC-SHA256");
  }
}

void PiiHasher::Context::Free::operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }

PiiHasher::Context PiiHasher::NewContext() const {
  EVP_MAC_CTX* copy = EVP_MAC_CTX_dup(keyed_.get());
  if (copy == nullptr) Fail("cannot copy the keyed HMAC context");
  return Context(copy);
}

std::string PiiHasher::Hash(std::string_view value) const { return NewContext().Hash(value); }

std::string PiiHasher::Context::Hash(std::string_view value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t digest_len = 0;
  // Without a key, init restarts the message and keeps the key set up.
  if (EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx_.get(), reinterpret_cast<const unsigned char*>(value.data()),
                     value.size()) != 1 ||
      EVP_MAC_final(ctx_.get(), digest, &digest_len, sizeof digest) != 1 || digest_len < 16) {
    Fail("HMAC-SHA256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace riskstream
