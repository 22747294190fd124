// generator/scenarios/fraud_building_blocks.h
//
// The moves the fraud scenarios are made of: taking on a fresh identity, filing an application the
// way fraudsters do (large requests, inflated and often round incomes), withdrawing, and spreading
// events and amounts out. Shared so that each scenario reads as its pattern only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "generator/event_record.h"
#include "generator/population/account_profile.h"
#include "generator/random_source.h"
#include "generator/scenarios/fraud_scenario.h"

namespace riskstream {

// A person no one has seen: a stolen or made-up identity with its own applicant and account ids.
AccountProfile FreshIdentity(ScenarioInputs& in);

// A device id of a kind that fits `channel`, never used before.
std::string NewDevice(Channel channel, RandomSource& rng);

// An application as `person` from `device_id`, `ip` and `geo`: mostly cash loans of
// 8000-50000 CNY, an inflated income (often a round thousand), an employer about two times in
// three.
ApplicationRecord FraudApplication(const AccountProfile& person, Channel channel,
                                   std::string device_id, std::string ip,
                                   std::optional<GeoPoint> geo, ScenarioInputs& in);

// The line a lender would plausibly grant for `app`: the requested amount, but at most three
// months of declared income; in steps of 100 CNY.
double PlausibleLimit(const ApplicationRecord& app);

TransactionRecord Withdrawal(std::string account_id, double amount_cny, std::string device_id,
                             std::string ip, std::optional<GeoPoint> geo);

// `count` (>= 1) sorted times in [start_ms, start_ms + span_ms], the first at start_ms.
std::vector<TimestampMs> SpreadTimes(TimestampMs start_ms, DurationMs span_ms, int count,
                                     RandomSource& rng);

// `total` split into `parts` (>= 1) uneven amounts: all but the last in multiples of `step`, the
// last takes the rest (to the cent). The parts add up to `total` when it is at least parts * step.
std::vector<double> SplitAmount(double total, int parts, double step, RandomSource& rng);

}  // namespace riskstream
