#include "generator/population/entity_ids.h"

#include "generator/population/synthetic_identity.h"
#include "generator/random_source.h"

namespace riskstream {

EntityIds::EntityIds(uint64_t seed) : salt_(Mix64(seed ^ 0x656e746974790000ULL)) {}

std::string EntityIds::Format(const char* prefix, uint64_t kind_salt, uint64_t index) const {
  // index -> index ^ salt -> Mix64 is a bijection, so distinct indices give distinct ids.
  return prefix + Hex(Mix64(index ^ Mix64(salt_ + kind_salt)), 16);
}

std::string EntityIds::ApplicantId(uint64_t person) const { return Format("apl_", 1, person); }
std::string EntityIds::AccountId(uint64_t person) const { return Format("acc_", 2, person); }
std::string EntityIds::MerchantId(uint64_t merchant) const { return Format("mch_", 3, merchant); }
std::string EntityIds::EventId(uint64_t serial) const { return Format("evt_", 4, serial); }

}  // namespace riskstream
