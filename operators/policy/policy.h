// operators/policy/policy.h
//
// Policy is what decides: a rule set plus an optional scorecard, evaluated on one event, its
// point-in-time feature vector and the account's credit state before the event. It is a pure
// function of those three (no clock, no I/O), so live decisions, shadow decisions, replays and
// backtests of a challenger policy all call the same Decide(). The credit semantics, in order:
//
// Applications: rules fire; the scorecard scores (its points + the fired rules' points) and its
//   thresholds decide; the stronger of the rule and score decisions wins (decline > review >
//   approve). A frozen account declines (ACCOUNT_FROZEN). An approved application gets a limit
//   (Scorecard::Limit); one below the scorecard's min_limit is sent to review
//   (LIMIT_BELOW_MINIMUM). With an account_id the granted limit replaces the account's limit,
//   restarts the cash-out clock and keeps what is used.
// Withdrawals and purchases: declined on a frozen account (ACCOUNT_FROZEN) or above the available
//   limit (LIMIT_EXCEEDED); on an account without credit state the scorecard's `unknown_account`
//   decision applies (NO_CREDIT_LINE when it is not approve). An approved one is added to `used`.
//   An approved withdrawal that would bring the withdrawals since approval to >= cash_out_share of
//   the limit within cash_out_within of approval is declined instead and freezes the account
//   (CASH_OUT_FRESH_LIMIT).
// Repayments: lower `used` (not below 0); never limit-checked.
// Labels: recorded; a `fraud` label on an account freezes it (FRAUD_LABEL) when configured.
// Any event on which a freeze_limit rule fires freezes its account (the rule's reason code).
// Events without an account_id freeze nothing.
// A freeze happens once per account: `freeze_reason` is set only on the event that froze it.
// Immutable: safe to share between threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "operators/policy/rule_set.h"
#include "operators/policy/scorecard.h"
#include "state/credit/credit_account.h"

namespace riskstream {

struct PolicyDecision {
  Decision decision = Decision::kApprove;
  RuleOutcome rules;                         // the fired rules, their points and severity
  std::optional<ScoreResult> score;          // applications, with a scorecard
  std::optional<double> limit_granted;       // approved applications
  std::vector<std::string> credit_reasons;   // the policy's own reason codes, in the order above
  std::optional<CreditAccount> account;      // the account's state after the event, if it has one
  bool account_changed = false;              // `account` differs from the state before
  std::optional<std::string> freeze_reason;  // set on the event that froze the account

  // Rule reason codes (fired order, without repeats) then credit reasons.
  std::vector<std::string> ReasonCodes() const;
};

class Policy {
 public:
  // `scorecard` may be null: applications are then decided by rules alone and get no limit, and
  // only freeze_limit rules freeze (fraud labels do not).
  Policy(std::shared_ptr<const RuleSet> rules, std::shared_ptr<const Scorecard> scorecard);

  // Loads both files against `feature_names`; an empty `scorecard_path` means no scorecard.
  static Result<std::shared_ptr<const Policy>> LoadFiles(
      const std::string& rules_path, const std::string& scorecard_path,
      const std::vector<std::string>& feature_names);

  // Decides `event`. `features` are aligned with the feature names the policy was loaded with;
  // `account` is the credit state of event.account_id before the event (nullopt: none).
  PolicyDecision Decide(const Event& event, const std::vector<Value>& features,
                        const std::optional<CreditAccount>& account) const;

  const RuleSet& rules() const { return *rules_; }
  const Scorecard* scorecard() const { return scorecard_.get(); }
  // "<rule set version>" or "<rule set version>+<scorecard version>".
  const std::string& version() const { return version_; }

 private:
  void DecideApplication(const Event& event, const std::vector<Value>& features,
                         PolicyDecision& out) const;
  void DecideSpend(const Event& event, PolicyDecision& out) const;
  // Freezes event.account_id's account unless it has none or is frozen already.
  void Freeze(const Event& event, const std::string& reason, PolicyDecision& out) const;

  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const Scorecard> scorecard_;
  CreditSettings credit_;
  std::string version_;
};

}  // namespace riskstream
