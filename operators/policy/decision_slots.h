// operators/policy/decision_slots.h
//
// DecisionSlots is the variable layout every policy expression (rule conditions, scorecard
// characteristics) is compiled against: slot i < F is feature i, then one slot per event field
// (`amount`, `kind`, `geo.lat`, ...), then the account's credit state (`account.limit`,
// `account.used`, `account.available`, `account.frozen`, `account.seconds_since_approval`,
// missing when the account has no credit state). Fill() writes only the slots some compiled
// expression reads. A feature may not be named like an event field. Immutable once built.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "operators/event/event.h"
#include "operators/event/event_fields.h"
#include "operators/policy/expr/expression.h"
#include "state/credit/credit_account.h"

namespace riskstream {

class DecisionSlots {
 public:
  // The layout for `feature_names` (slot i = feature i). Fails when a feature hides an event field
  // or is not a valid variable name; `source` names the config in errors.
  static Result<DecisionSlots> Create(const std::vector<std::string>& feature_names,
                                      const std::string& source);

  // Where names resolve; lists may be added to it before compiling.
  ExpressionContext& context() { return context_; }
  // Records that `expression` will be evaluated, so Fill() provides what it reads.
  void Use(const CompiledExpression& expression);

  // The slot values for one decision; `account` is the credit state before the event. Slots no
  // expression reads are left as they were (Missing in a new vector).
  void Fill(const Event& event, const std::vector<Value>& features,
            const std::optional<CreditAccount>& account, std::vector<Value>& slots) const;
  const std::string& name(int slot) const { return names_[slot]; }

 private:
  DecisionSlots() = default;
  ExpressionContext context_;
  std::vector<std::string> names_;
  size_t feature_count_ = 0;
  int account_slot_ = 0;                                 // first account variable
  std::vector<std::pair<int, EventField>> field_slots_;  // event fields some expression reads
  bool reads_account_ = false;
};

}  // namespace riskstream
