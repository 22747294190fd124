#include "operators/policy/policy.h"

#include <algorithm>

namespace riskstream {
namespace {

int Strength(Decision decision) {
  switch (decision) {
    case Decision::kDecline:
      return 2;
    case Decision::kReview:
      return 1;
    default:
      return 0;
  }
}

// Raises `decision` to `at_least` (decline > review > approve).
void Raise(Decision& decision, Decision at_least) {
  if (Strength(at_least) > Strength(decision)) decision = at_least;
}

}  // namespace

std::vector<std::string> PolicyDecision::ReasonCodes() const {
  std::vector<std::string> codes;
  auto add = [&](const std::string& code) {
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
  };
  for (const auto& fired : rules.fired) add(fired.rule->reason_code);
  for (const auto& code : credit_reasons) add(code);
  return codes;
}

Policy::Policy(std::shared_ptr<const RuleSet> rules, std::shared_ptr<const Scorecard> scorecard)
    : rules_(std::move(rules)), scorecard_(std::move(scorecard)) {
  // Without a scorecard there are no credit settings: no label freezes (freeze_limit rules only).
  if (scorecard_) credit_ = scorecard_->credit();
  if (!scorecard_) credit_.freeze_on_fraud_label = false;
  version_ = rules_->version();
  if (scorecard_) version_ += "+" + scorecard_->version();
}

Result<std::shared_ptr<const Policy>> Policy::LoadFiles(
    const std::string& rules_path, const std::string& scorecard_path,
    const std::vector<std::string>& feature_names) {
  auto rules = RuleSet::LoadFile(rules_path, feature_names);
  if (!rules.ok()) return rules.status();
  std::shared_ptr<const Scorecard> scorecard;
  if (!scorecard_path.empty()) {
    auto loaded = Scorecard::LoadFile(scorecard_path, feature_names);
    if (!loaded.ok()) return loaded.status();
    scorecard = std::move(*loaded);
  }
  return std::make_shared<const Policy>(std::move(*rules), std::move(scorecard));
}

PolicyDecision Policy::Decide(const Event& event, const std::vector<Value>& features,
                              const std::optional<CreditAccount>& account) const {
  PolicyDecision out;
  out.rules = rules_->Evaluate(event, features, account);
  out.decision = out.rules.decision;
  out.account = account;
  switch (event.type) {
    case EventType::kApplication:
      DecideApplication(event, features, out);
      break;
    case EventType::kTransaction:
      if (event.kind == TransactionKind::kRepayment) {
        if (out.account) out.account->used = std::max(0.0, out.account->used - event.amount);
      } else {
        DecideSpend(event, out);
      }
      break;
    case EventType::kLabel:
      if (event.label == LabelKind::kFraud && credit_.freeze_on_fraud_label) {
        Freeze(event, "FRAUD_LABEL", out);
      }
      break;
  }
  if (out.rules.freeze_limit) {
    for (const auto& fired : out.rules.fired) {
      if (fired.rule->action == RuleAction::kFreezeLimit) {
        Freeze(event, fired.rule->reason_code, out);
        break;
      }
    }
  }
  out.account_changed = out.account != account;
  return out;
}

void Policy::DecideApplication(const Event& event, const std::vector<Value>& features,
                               PolicyDecision& out) const {
  if (!scorecard_) return;
  out.score = scorecard_->Score(event, features, out.account, out.rules.points);
  if (out.score->decision == Decision::kReview) out.credit_reasons.push_back("SCORE_REVIEW");
  if (out.score->decision == Decision::kDecline) out.credit_reasons.push_back("SCORE_DECLINE");
  Raise(out.decision, out.score->decision);
  if (out.account && out.account->frozen) {
    out.credit_reasons.push_back("ACCOUNT_FROZEN");
    out.decision = Decision::kDecline;
  }
  if (out.decision != Decision::kApprove) return;
  double limit = scorecard_->Limit(out.score->score, event.declared_income);
  if (limit < scorecard_->min_limit()) {
    out.credit_reasons.push_back("LIMIT_BELOW_MINIMUM");
    out.decision = Decision::kReview;
    return;
  }
  out.limit_granted = limit;
  if (event.account_id.empty()) return;
  CreditAccount& account = out.account.emplace(out.account.value_or(CreditAccount{}));
  account.limit = limit;
  account.approved_at = event.event_time;
  account.withdrawn_since_approval = 0;
}

void Policy::DecideSpend(const Event& event, PolicyDecision& out) const {
  if (!out.account) {
    if (credit_.unknown_account != Decision::kApprove) {
      out.credit_reasons.push_back("NO_CREDIT_LINE");
      Raise(out.decision, credit_.unknown_account);
    }
    return;
  }
  CreditAccount& account = *out.account;
  if (account.frozen) {
    out.credit_reasons.push_back("ACCOUNT_FROZEN");
    out.decision = Decision::kDecline;
    return;
  }
  if (event.amount > account.available()) {
    out.credit_reasons.push_back("LIMIT_EXCEEDED");
    out.decision = Decision::kDecline;
    return;
  }
  if (out.decision != Decision::kApprove) return;
  if (event.kind == TransactionKind::kWithdrawal) {
    double withdrawn = account.withdrawn_since_approval + event.amount;
    bool fresh = event.event_time - account.approved_at <= credit_.cash_out_within_ms;
    if (fresh && account.limit > 0 && withdrawn >= credit_.cash_out_share * account.limit) {
      out.decision = Decision::kDecline;
      Freeze(event, "CASH_OUT_FRESH_LIMIT", out);
      return;
    }
    account.withdrawn_since_approval = withdrawn;
  }
  account.used += event.amount;
}

void Policy::Freeze(const Event& event, const std::string& reason, PolicyDecision& out) const {
  if (event.account_id.empty() || (out.account && out.account->frozen)) return;
  if (!out.account) out.account.emplace();
  out.account->frozen = true;
  out.freeze_reason = reason;
  if (std::find(out.credit_reasons.begin(), out.credit_reasons.end(), reason) ==
      out.credit_reasons.end()) {
    out.credit_reasons.push_back(reason);
  }
}

}  // namespace riskstream
