// generator/scenarios/label_policy.h
//
// When the truth about an event arrives, and what it says. Labels come late, hours to weeks after
// the event, and only for some events: most honest events are never labelled, and not every fraud
// is ever confirmed.
#pragma once

#include <optional>

#include "common/time.h"
#include "generator/event_record.h"
#include "generator/random_source.h"

namespace riskstream {

struct PlannedLabel {
  LabelKind label = LabelKind::kLegit;
  TimestampMs labelled_at_ms = 0;  // always after the event's time
};

// For an honest event: about 1.5% get "legit" 6 hours to 14 days later (a loan repaid, a review
// closed); about 0.3% of purchases get "chargeback" 2 to 20 days later (a disputed purchase).
std::optional<PlannedLabel> PlanHonestLabel(const EventDraft& draft, RandomSource& rng);

// For a fraud event: a purchase gets "chargeback" 1 to 20 days later with probability 0.55;
// otherwise the event is confirmed "fraud" 2 hours to 10 days later with probability
// `confirm_share` (drawn once per episode).
std::optional<PlannedLabel> PlanFraudLabel(const EventDraft& draft, double confirm_share,
                                           RandomSource& rng);

}  // namespace riskstream
