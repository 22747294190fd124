#include "generator/population/honest_population.h"

#include <algorithm>
#include <cmath>

namespace riskstream {
namespace {

constexpr size_t kRecentlyActiveCapacity = 2048;
constexpr size_t kNewAccountCapacity = 4096;
constexpr double kTransactionsPerAccountPerDay = 1.5;
constexpr double kApplicationShare = 0.06;  // of honest units

// Monday to Friday, 09:00 to 18:00 China Standard Time (UTC+8).
bool IsOfficeHours(TimestampMs now_ms) {
  const TimestampMs local_ms = now_ms + 8 * kHourMs;
  const int64_t weekday = (local_ms / kDayMs + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
  const int64_t hour = local_ms % kDayMs / kHourMs;
  return weekday >= 1 && weekday <= 5 && hour >= 9 && hour < 18;
}

// Adds `person` to a ring of at most `capacity` entries, overwriting the oldest once full.
void Remember(std::vector<uint64_t>& ring, size_t& next_slot, size_t capacity, uint64_t person) {
  if (ring.size() < capacity) {
    ring.push_back(person);
  } else {
    ring[next_slot] = person;
    next_slot = (next_slot + 1) % capacity;
  }
}

}  // namespace

HonestPopulation::HonestPopulation(uint64_t seed, double events_per_second,
                                   const ProfileFactory& profiles, EntityIds& ids,
                                   const MerchantCatalog& merchants)
    : salt_(Mix64(seed ^ 0x686f6e657374ULL)),
      established_count_(static_cast<uint64_t>(
          std::clamp(events_per_second * 86400.0 / kTransactionsPerAccountPerDay, 2000.0, 1e11))),
      gateways_per_city_(std::max<uint64_t>(16, established_count_ / 3000)),
      profiles_(profiles),
      ids_(ids),
      merchants_(merchants) {}

std::vector<EventDraft> HonestPopulation::NextUnit(TimestampMs now_ms, RandomSource& rng) {
  std::vector<EventDraft> unit;
  if (rng.Bernoulli(kApplicationShare)) {
    const AccountProfile person = profiles_.Profile(ids_.NewPersonIndex());
    unit.push_back({now_ms, Application(person, now_ms, rng)});
    if (!person.approved_looking) return unit;
    Remember(new_accounts_, next_new_slot_, kNewAccountCapacity, person.person);
    if (rng.Bernoulli(0.45)) {
      // The first use of a new line: a cash loan is drawn, an installment line buys something.
      const auto delay_ms = static_cast<TimestampMs>(rng.LogUniform(10 * kMinuteMs, 2 * kDayMs));
      const TransactionKind kind = person.product == Product::kCashLoan
                                       ? TransactionKind::kWithdrawal
                                       : TransactionKind::kPurchase;
      unit.push_back({now_ms + delay_ms,
                      Transaction(person, kind, rng.Uniform(0.3, 1.0), now_ms + delay_ms, rng)});
    }
    return unit;
  }
  const AccountProfile person = profiles_.Profile(PickTransactingPerson(rng));
  Remember(recently_active_, next_active_slot_, kRecentlyActiveCapacity, person.person);
  static constexpr TransactionKind kKinds[] = {
      TransactionKind::kWithdrawal, TransactionKind::kPurchase, TransactionKind::kRepayment};
  static constexpr double kCashLoanMix[] = {0.35, 0.35, 0.30};
  static constexpr double kInstallmentMix[] = {0.10, 0.65, 0.25};
  const TransactionKind kind = kKinds[rng.PickWeighted(
      person.product == Product::kCashLoan ? kCashLoanMix : kInstallmentMix)];
  // Now and then an honest borrower draws (nearly) the whole line.
  const double withdrawal_share =
      rng.Bernoulli(0.03) ? rng.Uniform(0.9, 1.0) : rng.Uniform(0.05, 0.6);
  unit.push_back({now_ms, Transaction(person, kind, withdrawal_share, now_ms, rng)});
  return unit;
}

AccountProfile HonestPopulation::PickVictim(RandomSource& rng) const {
  if (recently_active_.empty()) {
    return profiles_.Profile(static_cast<uint64_t>(rng.UniformInt(0, established_count_ - 1)));
  }
  return profiles_.Profile(rng.Pick(std::span<const uint64_t>(recently_active_)));
}

uint64_t HonestPopulation::PickTransactingPerson(RandomSource& rng) const {
  if (!new_accounts_.empty() && rng.Bernoulli(0.1)) {
    return rng.Pick(std::span<const uint64_t>(new_accounts_));
  }
  // A tenth of the accounts are busier: they get a fifth of the draws on top of their share.
  const uint64_t range = rng.Bernoulli(0.2) ? established_count_ / 10 : established_count_;
  return static_cast<uint64_t>(rng.UniformInt(0, static_cast<int64_t>(range) - 1));
}

ApplicationRecord HonestPopulation::Application(const AccountProfile& person, TimestampMs now_ms,
                                                RandomSource& rng) const {
  ApplicationRecord app;
  app.applicant_id = person.applicant_id;
  app.account_id = person.account_id;
  app.id_number = person.id_number;
  app.phone = person.phone;
  app.device_id = person.device_id;
  app.ip = UsualIp(person, now_ms, rng);
  app.geo = UsualGeo(person, rng);
  app.channel = person.channel;
  app.product = person.product;
  if (person.product == Product::kCashLoan) {
    const double multiple = person.approved_looking ? rng.Uniform(0.8, 3.0) : rng.Uniform(3, 10);
    app.requested_amount_cny =
        std::min(200000.0, RoundToStep(person.monthly_income_cny * multiple, 1000));
  } else {
    app.requested_amount_cny =
        std::clamp(RoundToStep(rng.LogNormal(4000, 0.7), 100), 500.0, 50000.0);
  }
  app.declared_income_cny = RoundToStep(person.monthly_income_cny * rng.Uniform(0.95, 1.1), 100);
  app.employer = person.employer;
  return app;
}

TransactionRecord HonestPopulation::Transaction(const AccountProfile& person, TransactionKind kind,
                                                double withdrawal_share, TimestampMs now_ms,
                                                RandomSource& rng) const {
  TransactionRecord tx;
  tx.account_id = person.account_id;
  tx.kind = kind;
  if (kind == TransactionKind::kPurchase) {
    Merchant merchant = merchants_.PickForPurchase(rng);
    tx.amount_cny =
        std::min(person.credit_limit_cny, MerchantCatalog::TypicalAmount(merchant.category, rng));
    tx.merchant_id = std::move(merchant.merchant_id);
    tx.merchant_category = merchant.category;
  } else if (kind == TransactionKind::kWithdrawal) {
    tx.amount_cny = RoundToStep(person.credit_limit_cny * withdrawal_share, 100);
    tx.merchant_category = "cash_withdrawal";
  } else {
    tx.amount_cny = rng.Bernoulli(0.7)
                        ? RoundCents(person.credit_limit_cny * rng.Uniform(0.03, 0.15))
                        : RoundToStep(person.credit_limit_cny * rng.Uniform(0.2, 1.0), 100);
    tx.merchant_category = "repayment";
  }
  tx.device_id = UsualDevice(person, rng);
  tx.ip = UsualIp(person, now_ms, rng);
  tx.geo = UsualGeo(person, rng);
  return tx;
}

std::string HonestPopulation::UsualIp(const AccountProfile& person, TimestampMs now_ms,
                                      RandomSource& rng) const {
  const bool at_work = !person.office_ip.empty() && IsOfficeHours(now_ms) && rng.Bernoulli(0.5);
  if (at_work) return person.office_ip;
  const double where = rng.Uniform01();
  if (where < 0.40) {  // on the carrier network, behind one of the city's shared gateways
    const auto gateway = static_cast<uint64_t>(rng.UniformInt(0, gateways_per_city_ - 1));
    return MakeIp(IpKind::kMobile, Mix64(salt_ ^ (person.city << 40) ^ gateway));
  }
  if (where < 0.95) return person.home_ip;
  return MakeIp(IpKind::kBroadband, rng.NextU64());  // a cafe, a hotel, a friend's place
}

std::string HonestPopulation::UsualDevice(const AccountProfile& person, RandomSource& rng) const {
  const double which = rng.Uniform01();
  if (which < 0.88) return person.device_id;
  if (which < 0.96) return person.second_device_id.value_or(person.device_id);
  const uint64_t bits = rng.NextU64();  // a new phone, or a borrowed one
  return MakeDeviceId(DeviceKindFor(person.channel, bits), bits);
}

std::optional<GeoPoint> HonestPopulation::UsualGeo(const AccountProfile& person,
                                                   RandomSource& rng) const {
  static constexpr double kNoGeoShare[] = {0.10, 0.70, 0.40, 0.50};  // app, web, h5, partner
  if (rng.Bernoulli(kNoGeoShare[static_cast<int>(person.channel)])) return std::nullopt;
  if (rng.Bernoulli(0.03)) {  // travelling
    return Near(Cities()[PickHomeCity(rng)].center, 10, rng);
  }
  return Near(person.home, 2, rng);
}

}  // namespace riskstream
