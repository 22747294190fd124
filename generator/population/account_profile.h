// generator/population/account_profile.h
//
// AccountProfile is one person as the generator imagines them: who they are, where they live, the
// devices and lines they use, what they earn and what credit they could plausibly get. The
// ProfileFactory derives a profile from the person's index alone, so millions of people exist
// without being stored, and the same index always gives the same person.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "generator/event_record.h"
#include "generator/population/entity_ids.h"
#include "generator/population/geo.h"
#include "generator/population/synthetic_identity.h"

namespace riskstream {

struct AccountProfile {
  uint64_t person = 0;  // index in EntityIds
  std::string applicant_id;
  std::string account_id;
  std::string id_number;
  std::string phone;
  size_t city = 0;  // index in Cities()
  GeoPoint home;
  Channel channel = Channel::kApp;
  Product product = Product::kCashLoan;
  std::string device_id;
  std::optional<std::string> second_device_id;  // a home PC or a tablet
  std::string home_ip;
  std::optional<std::string> employer;
  std::string office_ip;  // the employer's NAT address, shared by colleagues; empty if unemployed
  double monthly_income_cny = 0;
  double credit_limit_cny = 0;   // what a lender would plausibly grant
  bool approved_looking = true;  // steady income that covers what they ask for
};

class ProfileFactory {
 public:
  // `ids` names the people; it is not owned and must outlive the factory.
  ProfileFactory(uint64_t seed, const EntityIds& ids) : seed_(seed), ids_(ids) {}

  // The person at index `person`. Households are pairs of neighbouring indices (2k, 2k+1): about a
  // third share their home line, a few also share one phone for the app. Colleagues share their
  // office's NAT address; big employers have many people.
  AccountProfile Profile(uint64_t person) const;

 private:
  uint64_t seed_;
  const EntityIds& ids_;
};

// The device kind a person using `channel` shows up with.
DeviceKind DeviceKindFor(Channel channel, uint64_t bits);

}  // namespace riskstream
