#include "generator/scenarios/fraud_scenario.h"

namespace riskstream {

std::span<const FraudScenario> FraudScenarios() {
  static constexpr FraudScenario kScenarios[] = {
      {"device_ring", DeviceRing},
      {"ip_burst", IpBurst},
      {"identity_reuse", IdentityReuse},
      {"cash_out_after_approval", CashOutAfterApproval},
      {"account_takeover", AccountTakeover},
      {"merchant_collusion", MerchantCollusion},
      {"velocity", Velocity},
  };
  return kScenarios;
}

}  // namespace riskstream
