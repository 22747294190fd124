// tests/generator/small_population.h
//
// SmallPopulation wires the generator's parts the way EventGenerator does, around a population of
// only 2000 established accounts, so that tests can look up any account's profile by its id.
#pragma once

#include <map>
#include <string>

#include "generator/population/account_profile.h"
#include "generator/population/entity_ids.h"
#include "generator/population/honest_population.h"
#include "generator/population/merchant_catalog.h"
#include "generator/random_source.h"
#include "generator/scenarios/fraud_scenario.h"

namespace riskstream {

inline constexpr TimestampMs kTestStartMs = 1795737600000;  // 2026-11-27T00:00:00Z

struct SmallPopulation {
  explicit SmallPopulation(uint64_t seed)
      : ids(seed),
        profiles(seed, ids),
        merchants(seed, ids),
        population(seed, /*events_per_second=*/0.01, profiles, ids, merchants),
        rng(seed) {
    for (uint64_t person = 0; person < population.established_count(); ++person) {
      AccountProfile profile = profiles.Profile(person);
      established.emplace(profile.account_id, std::move(profile));
    }
  }
  SmallPopulation(const SmallPopulation&) = delete;
  SmallPopulation& operator=(const SmallPopulation&) = delete;

  ScenarioInputs inputs() { return {rng, ids, profiles, population, merchants}; }

  EntityIds ids;
  ProfileFactory profiles;
  MerchantCatalog merchants;
  HonestPopulation population;
  RandomSource rng;
  std::map<std::string, AccountProfile> established;  // by account id
};

}  // namespace riskstream
