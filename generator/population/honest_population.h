// generator/population/honest_population.h
//
// HonestPopulation is the "honest" scenario: the lender's existing customers and the new people who
// apply. Established accounts (their applications predate the stream) buy from many merchants,
// withdraw and repay a few times a day at most, mostly from their own devices, home line or carrier
// gateway; family members share a home line, colleagues share an office NAT address, and people
// sometimes travel or switch phones. New applicants apply once; most look approvable, and many of
// those transact soon after (some draw their whole line at once, as real borrowers do).
// Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "generator/event_record.h"
#include "generator/population/account_profile.h"
#include "generator/population/merchant_catalog.h"
#include "generator/random_source.h"

namespace riskstream {

class HonestPopulation {
 public:
  // `events_per_second` (event time) sizes the population so that a typical account transacts a
  // few times a day. `profiles`, `ids` and `merchants` are not owned and must outlive this.
  HonestPopulation(uint64_t seed, double events_per_second, const ProfileFactory& profiles,
                   EntityIds& ids, const MerchantCatalog& merchants);

  // The next unit of honest behaviour starting at `now_ms`: one transaction of an existing
  // account, or a new person's application, sometimes with their first transaction later. Every
  // draft's event time is >= now_ms.
  std::vector<EventDraft> NextUnit(TimestampMs now_ms, RandomSource& rng);

  // An account that transacted recently, so the stream has seen its usual devices and places (any
  // established account before anyone has). For takeovers and bust-outs.
  AccountProfile PickVictim(RandomSource& rng) const;

  // Established accounts are the people [0, established_count()).
  uint64_t established_count() const { return established_count_; }

 private:
  ApplicationRecord Application(const AccountProfile& person, TimestampMs now_ms,
                                RandomSource& rng) const;
  // `kind` is a withdrawal, purchase or repayment; a withdrawal takes `withdrawal_share` of the
  // line.
  TransactionRecord Transaction(const AccountProfile& person, TransactionKind kind,
                                double withdrawal_share, TimestampMs now_ms,
                                RandomSource& rng) const;
  uint64_t PickTransactingPerson(RandomSource& rng) const;
  std::string UsualIp(const AccountProfile& person, TimestampMs now_ms, RandomSource& rng) const;
  std::string UsualDevice(const AccountProfile& person, RandomSource& rng) const;
  std::optional<GeoPoint> UsualGeo(const AccountProfile& person, RandomSource& rng) const;

  uint64_t salt_;
  uint64_t established_count_;
  uint64_t gateways_per_city_;  // carrier gateway addresses per city
  const ProfileFactory& profiles_;
  EntityIds& ids_;
  const MerchantCatalog& merchants_;
  std::vector<uint64_t> recently_active_;  // ring of people who transacted lately
  size_t next_active_slot_ = 0;
  std::vector<uint64_t> new_accounts_;  // ring of recently opened, approvable accounts
  size_t next_new_slot_ = 0;
};

}  // namespace riskstream
