// operators/output/output_records.h
//
// The JSON records riskstream writes: one credit event per input event (its decision), plus one
// `limit_freeze` credit event when that event froze its account; one fraud alert per event on which
// any rule fired; one dead letter per rejected input. Field order is fixed
// and numbers print the same way everywhere, so the same inputs give byte-identical records (live
// or replayed) apart from `processing_time`. Formats are documented in docs/OUTPUTS.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "operators/event/event.h"
#include "operators/event/event_parser.h"
#include "operators/features/feature_engine.h"
#include "operators/features/feature_spec.h"
#include "operators/policy/policy.h"
#include "operators/policy/rule_set.h"

namespace riskstream {

// Where an input record came from.
struct SourcePosition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

struct DecisionInputs {
  const Event& event;
  const std::vector<FeatureSpec>& specs;
  const FeatureVector& features;
  const RuleOutcome& outcome;
  const std::string& rule_set_version;
  const SourcePosition& source;
  bool late = false;
  TimestampMs processing_time = 0;
  // The credit side: score, limit, credit reasons, freeze. Null: rules only (decision from
  // `outcome`).
  const PolicyDecision* policy = nullptr;
  const std::string* scorecard_version = nullptr;  // null: no scorecard
};

// The key output records carry: the applicant for applications, the account otherwise.
std::string_view OutputKey(const Event& event);

std::string FormatCreditEvent(const DecisionInputs& inputs);
// The `limit_freeze` credit event for the account `inputs.policy` froze; nullopt when the event
// froze nothing.
std::optional<std::string> FormatLimitFreeze(const DecisionInputs& inputs);
// The point-in-time feature vector a decision saw: event id, time, type, then one field per feature
// in declaration order. Training data equal to what the live decision used.
std::string FormatFeatureVector(const DecisionInputs& inputs);
// nullopt when no rule fired.
std::optional<std::string> FormatFraudAlert(const DecisionInputs& inputs);
// `raw` is kept whole (base64) so the record can be repaired and re-sent.
std::string FormatDeadLetter(const ParseError& error, const SourcePosition& source,
                             std::string_view raw, TimestampMs processing_time);

}  // namespace riskstream
