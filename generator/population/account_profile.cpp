#include "generator/population/account_profile.h"

#include <algorithm>
#include <cmath>

namespace riskstream {
namespace {

constexpr int kReferenceYear = 2026;
constexpr int kEmployersPerCity = 3000;

Channel PickChannel(RandomSource& rng) {
  static constexpr double kWeights[] = {0.55, 0.10, 0.15, 0.20};  // app, web, h5, partner
  static constexpr Channel kChannels[] = {Channel::kApp, Channel::kWeb, Channel::kH5,
                                          Channel::kPartner};
  return kChannels[rng.PickWeighted(kWeights)];
}

}  // namespace

DeviceKind DeviceKindFor(Channel channel, uint64_t bits) {
  switch (channel) {
    case Channel::kApp:
      return bits % 10 < 7 ? DeviceKind::kAndroid : DeviceKind::kIos;
    case Channel::kWeb:
    case Channel::kH5:
      return DeviceKind::kBrowser;
    case Channel::kPartner:
      return DeviceKind::kPartnerSdk;
  }
  return DeviceKind::kAndroid;
}

AccountProfile ProfileFactory::Profile(uint64_t person) const {
  RandomSource rng(Mix64(seed_ ^ Mix64(person ^ 0x70726f66696c65ULL)));
  RandomSource household(Mix64(seed_ ^ Mix64((person >> 1) ^ 0x686f757365ULL)));
  AccountProfile p;
  p.person = person;
  p.applicant_id = ids_.ApplicantId(person);
  p.account_id = ids_.AccountId(person);
  p.city = PickHomeCity(rng);
  const City& city = Cities()[p.city];
  p.home = Near(city.center, 15, rng);
  const int age = 20 + static_cast<int>(36 * std::pow(rng.Uniform01(), 1.4));
  p.id_number = MakeIdNumber(city, kReferenceYear - age, rng);
  p.phone = MakePhone(rng);
  p.channel = PickChannel(rng);
  p.product = rng.Bernoulli(0.6) ? Product::kCashLoan : Product::kInstallment;

  const bool shares_line = household.Bernoulli(0.3);
  const bool shares_phone = household.Bernoulli(0.08);
  const uint64_t household_line = household.NextU64();
  const uint64_t household_phone = household.NextU64();
  const uint64_t own_device = rng.NextU64();
  p.device_id = shares_phone && p.channel == Channel::kApp
                    ? MakeDeviceId(DeviceKind::kAndroid, household_phone)
                    : MakeDeviceId(DeviceKindFor(p.channel, own_device), own_device);
  if (rng.Bernoulli(0.2)) p.second_device_id = MakeDeviceId(DeviceKind::kBrowser, rng.NextU64());
  const uint64_t own_line = rng.NextU64();
  p.home_ip = MakeIp(IpKind::kBroadband, shares_line ? household_line : own_line);

  const bool employed = rng.Bernoulli(0.85);
  const double employer_draw = rng.Uniform01();
  if (employed) {
    // Employer sizes are skewed: index 0 is the biggest employer in town.
    const auto employer = static_cast<uint64_t>(kEmployersPerCity * employer_draw * employer_draw);
    const uint64_t employer_key = Mix64(seed_ ^ (p.city << 32) ^ employer);
    p.employer = MakeEmployerName(city.name, employer_key);
    p.office_ip = MakeIp(IpKind::kBroadband, Mix64(employer_key));
  }
  const double income = rng.LogNormal(employed ? 7500 : 5000, 0.55);
  p.monthly_income_cny = RoundToStep(std::clamp(income, 2200.0, 90000.0), 100);
  p.credit_limit_cny =
      std::clamp(RoundToStep(p.monthly_income_cny * rng.Uniform(1.5, 4.0), 500), 1000.0, 200000.0);
  p.approved_looking = employed ? rng.Bernoulli(0.9) : rng.Bernoulli(0.6);
  return p;
}

}  // namespace riskstream
