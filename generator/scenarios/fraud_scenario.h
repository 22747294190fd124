// generator/scenarios/fraud_scenario.h
//
// The labelled fraud scenarios. A scenario is a function that, started at an event time, writes one
// episode: the events of one fraud pattern, such as a ring of applicants on one phone or a burst of
// applications from one IP. Every event of an episode is fraud, and no event is earlier than the
// start. Each episode draws its parameters from ranges (stated at each scenario), so no rule can be
// tuned to one magic number of the generator. Scenario functions use only `in` for randomness,
// names and people, so the same inputs give the same episode.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "generator/event_record.h"
#include "generator/population/account_profile.h"
#include "generator/population/honest_population.h"
#include "generator/population/merchant_catalog.h"
#include "generator/random_source.h"

namespace riskstream {

// What a scenario may draw on. None of it is owned.
struct ScenarioInputs {
  RandomSource& rng;
  EntityIds& ids;
  const ProfileFactory& profiles;
  const HonestPopulation& population;  // victims of takeovers and bust-outs
  MerchantCatalog& merchants;
};

using ScenarioFn = std::vector<EventDraft> (*)(TimestampMs start_ms, ScenarioInputs& in);

struct FraudScenario {
  std::string_view name;  // tags every event of its episodes
  ScenarioFn run;
};

// All fraud scenarios, in a fixed order: device_ring, ip_burst, identity_reuse,
// cash_out_after_approval, account_takeover, merchant_collusion, velocity.
std::span<const FraudScenario> FraudScenarios();

// 6-30 applicants with different identities apply within 1-6 hours from 1-3 shared devices (behind
// 1-4 IPs, in one neighbourhood or with geo hidden); 20-60% of them then withdraw 50-100% of their
// plausible limit 10 minutes to 6 hours later from the same device.
std::vector<EventDraft> DeviceRing(TimestampMs start_ms, ScenarioInputs& in);

// 8-40 applications with different identities from one IP (a cloud host or a carrier hotspot)
// within 2-15 minutes, mostly web/H5, nearly each from a new browser or device.
std::vector<EventDraft> IpBurst(TimestampMs start_ms, ScenarioInputs& in);

// One stolen id number, phone, or both, used by 3-8 applicants over 30 minutes to 2 days, each
// with their own device, IP and city.
std::vector<EventDraft> IdentityReuse(TimestampMs start_ms, ScenarioInputs& in);

// A fresh applicant asks for a large cash loan, then within 20 minutes withdraws 90-100% of its
// plausible limit (see PlausibleLimit) in 1-3 withdrawals from the application's device.
std::vector<EventDraft> CashOutAfterApproval(TimestampMs start_ms, ScenarioInputs& in);

// A recently active honest account suddenly transacts from a new device and IP in a city at least
// 1000 km from home (sometimes abroad): sometimes a small probing purchase, then 1-3 withdrawals
// taking 70-100% of the account's limit within 10-90 minutes.
std::vector<EventDraft> AccountTakeover(TimestampMs start_ms, ScenarioInputs& in);

// A merchant never seen before receives purchases of similar amounts (a base of 1500-9000 CNY,
// spread 1-6%) from 8-30 accounts opened within 1-12 hours, each purchase 10 minutes to 4 hours
// after its account's application; some of the accounts share devices.
std::vector<EventDraft> MerchantCollusion(TimestampMs start_ms, ScenarioInputs& in);

// 6-25 withdrawals from one account within 15-55 minutes: either an established owner busting out
// from their usual device, or a fresh account that applies first.
std::vector<EventDraft> Velocity(TimestampMs start_ms, ScenarioInputs& in);

}  // namespace riskstream
