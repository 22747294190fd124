#include "operators/policy/policy.h"

#include <gtest/gtest.h>

namespace riskstream {
namespace {

const std::vector<std::string> kFeatures = {"applicants_per_device"};

const char* kRules = R"(
version: r1
rules:
  - {id: RING, events: [application], when: applicants_per_device >= 3, reason_code: DEVICE_RING,
     action: alert, points: -100}
  - {id: HUGE, events: [transaction], when: amount >= 100000, reason_code: HUGE, action: review}
  - {id: STOLEN, events: [transaction], when: merchant_id == "m-stolen", reason_code: STOLEN,
     action: freeze_limit}
  - {id: LOW_AVAILABLE, events: [transaction], when: account.available < 100,
     reason_code: NEARLY_USED, action: alert}
)";

const char* kCard = R"(
version: s1
score:
  base: 600
  characteristics:
    - {name: income, value: declared_income, missing: -100,
       bands: [{below: 300, points: -30}, {points: 20}]}
decision: {approve_at: 600, review_at: 500}
limit:
  bands: [{min_score: 600, income_multiple: 2, max: 50000}]
  cap: 50000
  round_down_to: 100
  min_limit: 1000
credit:
  cash_out: {share_of_limit: 0.9, within: 30m}
)";

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules = RuleSet::Load(YAML::Load(kRules), "rules.yaml", kFeatures);
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    auto card = Scorecard::Load(YAML::Load(kCard), "scorecard.yaml", kFeatures);
    ASSERT_TRUE(card.ok()) << card.status().ToString();
    policy_ = std::make_shared<Policy>(*rules, *card);
  }

  // Decides `event` against the account state this test keeps, as the pipeline would.
  PolicyDecision Decide(const Event& event, double applicants = 1) {
    PolicyDecision d = policy_->Decide(event, {Value::Number(applicants)}, account_);
    if (d.account_changed) account_ = d.account;
    return d;
  }

  static Event Application(std::optional<double> income, TimestampMs at = 0) {
    Event e;
    e.type = EventType::kApplication;
    e.event_id = "app";
    e.account_id = "acc";
    e.declared_income = income;
    e.event_time = at;
    return e;
  }
  static Event Spend(TransactionKind kind, double amount, TimestampMs at) {
    Event e;
    e.type = EventType::kTransaction;
    e.event_id = "tx";
    e.account_id = "acc";
    e.kind = kind;
    e.amount = amount;
    e.event_time = at;
    return e;
  }

  std::shared_ptr<const Policy> policy_;
  std::optional<CreditAccount> account_;
};

TEST_F(PolicyTest, ApprovedApplicationGrantsALimitToItsAccount) {
  PolicyDecision d = Decide(Application(5000, 1000));
  EXPECT_EQ(d.decision, Decision::kApprove);
  ASSERT_TRUE(d.score);
  EXPECT_EQ(d.score->score, 620);
  EXPECT_EQ(d.limit_granted, 10000);
  ASSERT_TRUE(account_);
  EXPECT_EQ(account_->limit, 10000);
  EXPECT_EQ(account_->used, 0);
  EXPECT_EQ(account_->approved_at, 1000);
  EXPECT_EQ(policy_->version(), "r1+s1");
}

TEST_F(PolicyTest, RulePointsLowerTheScoreAndTheStrongerDecisionWins) {
  PolicyDecision review = Decide(Application(5000), 3);  // 620 - 100 = 520: review
  EXPECT_EQ(review.decision, Decision::kReview);
  EXPECT_EQ(review.score->score, 520);
  EXPECT_FALSE(review.limit_granted);
  EXPECT_FALSE(account_);
  EXPECT_EQ(review.ReasonCodes(), (std::vector<std::string>{"DEVICE_RING", "SCORE_REVIEW"}));

  PolicyDecision decline = Decide(Application(std::nullopt), 3);  // 500 - 100 = 400
  EXPECT_EQ(decline.decision, Decision::kDecline);
  EXPECT_EQ(decline.ReasonCodes(), (std::vector<std::string>{"DEVICE_RING", "SCORE_DECLINE"}));
}

TEST_F(PolicyTest, TooSmallALimitGoesToReview) {
  // 620 points but 400 * 2 = 800 < min_limit 1000.
  PolicyDecision d = Decide(Application(400));
  EXPECT_EQ(d.decision, Decision::kReview);
  EXPECT_EQ(d.credit_reasons, std::vector<std::string>{"LIMIT_BELOW_MINIMUM"});
  EXPECT_FALSE(account_);
}

TEST_F(PolicyTest, WithdrawalsUseTheLimitAndAreDeclinedAboveWhatIsLeft) {
  Decide(Application(5000, 0));           // limit 10000
  const TimestampMs later = 2 * kHourMs;  // not fresh any more
  EXPECT_EQ(Decide(Spend(TransactionKind::kWithdrawal, 6000, later)).decision, Decision::kApprove);
  EXPECT_EQ(account_->used, 6000);
  EXPECT_EQ(Decide(Spend(TransactionKind::kPurchase, 4000, later)).decision, Decision::kApprove);
  EXPECT_EQ(account_->available(), 0);
  PolicyDecision over = Decide(Spend(TransactionKind::kWithdrawal, 0.01, later));
  EXPECT_EQ(over.decision, Decision::kDecline);
  EXPECT_EQ(over.credit_reasons, std::vector<std::string>{"LIMIT_EXCEEDED"});
  EXPECT_EQ(account_->used, 10000);  // a declined withdrawal uses nothing
  // Repayments free the limit, never below zero used.
  EXPECT_EQ(Decide(Spend(TransactionKind::kRepayment, 3000, later)).decision, Decision::kApprove);
  EXPECT_EQ(account_->used, 7000);
  EXPECT_EQ(Decide(Spend(TransactionKind::kWithdrawal, 3000, later)).decision, Decision::kApprove);
  Decide(Spend(TransactionKind::kRepayment, 50000, later));
  EXPECT_EQ(account_->used, 0);
}

TEST_F(PolicyTest, CashOutOfAFreshLimitFreezesTheAccountOnce) {
  Decide(Application(5000, 0));  // limit 10000 at t=0
  // 8999 < 90%: approved.
  EXPECT_EQ(Decide(Spend(TransactionKind::kWithdrawal, 8999, 10 * kMinuteMs)).decision,
            Decision::kApprove);
  // Reaching exactly 90% within 30 minutes: declined, account frozen.
  PolicyDecision cash_out = Decide(Spend(TransactionKind::kWithdrawal, 1, 30 * kMinuteMs));
  EXPECT_EQ(cash_out.decision, Decision::kDecline);
  EXPECT_EQ(cash_out.freeze_reason, "CASH_OUT_FRESH_LIMIT");
  EXPECT_TRUE(account_->frozen);
  EXPECT_EQ(account_->used, 8999);
  // Frozen: further spending declined, no second freeze.
  PolicyDecision after = Decide(Spend(TransactionKind::kPurchase, 1, 31 * kMinuteMs));
  EXPECT_EQ(after.decision, Decision::kDecline);
  EXPECT_EQ(after.credit_reasons, std::vector<std::string>{"ACCOUNT_FROZEN"});
  EXPECT_FALSE(after.freeze_reason);
}

TEST_F(PolicyTest, CashOutAfterTheFreshWindowIsOnlyLimitChecked) {
  Decide(Application(5000, 0));
  PolicyDecision d = Decide(Spend(TransactionKind::kWithdrawal, 9500, 30 * kMinuteMs + 1));
  EXPECT_EQ(d.decision, Decision::kApprove);
  EXPECT_FALSE(d.freeze_reason);
}

TEST_F(PolicyTest, FraudLabelAndFreezeRuleFreezeTheAccount) {
  Decide(Application(5000, 0));
  Event label;
  label.type = EventType::kLabel;
  label.account_id = "acc";
  label.label = LabelKind::kLegit;
  EXPECT_FALSE(Decide(label).freeze_reason);
  label.label = LabelKind::kFraud;
  PolicyDecision frozen = Decide(label);
  EXPECT_EQ(frozen.decision, Decision::kRecorded);
  EXPECT_EQ(frozen.freeze_reason, "FRAUD_LABEL");
  EXPECT_TRUE(account_->frozen);

  account_.reset();
  Event stolen = Spend(TransactionKind::kPurchase, 10, 0);
  stolen.merchant_id = "m-stolen";
  PolicyDecision rule = Decide(stolen);
  EXPECT_EQ(rule.decision, Decision::kDecline);
  EXPECT_EQ(rule.freeze_reason, "STOLEN");
  ASSERT_TRUE(account_);  // an account without a limit is frozen too
  EXPECT_TRUE(account_->frozen);

  Event anonymous = stolen;
  anonymous.account_id.clear();
  account_.reset();
  EXPECT_FALSE(Decide(anonymous).freeze_reason);
  EXPECT_FALSE(account_);
}

TEST_F(PolicyTest, RulesReadTheAccountState) {
  Decide(Application(5000, 0));
  Decide(Spend(TransactionKind::kPurchase, 9950, 2 * kHourMs));
  PolicyDecision d = Decide(Spend(TransactionKind::kPurchase, 10, 2 * kHourMs));
  ASSERT_EQ(d.rules.fired.size(), 1u);
  EXPECT_EQ(d.rules.fired[0].rule->id, "LOW_AVAILABLE");
  EXPECT_EQ(d.rules.fired[0].inputs[0].second, Value::Number(50));
}

// The slots expressions read are reused from decision to decision: nothing of an earlier event or
// account may show in the next one.
TEST_F(PolicyTest, NothingOfAnEarlierDecisionShowsInTheNext) {
  Decide(Application(5000, 0));
  Decide(Spend(TransactionKind::kPurchase, 9950, 2 * kHourMs));
  Event stolen = Spend(TransactionKind::kPurchase, 10, 2 * kHourMs);
  stolen.merchant_id = "m-stolen";
  PolicyDecision d = Decide(stolen);
  ASSERT_EQ(d.rules.fired.size(), 2u);  // STOLEN and LOW_AVAILABLE

  Event unknown = Spend(TransactionKind::kPurchase, 10, 2 * kHourMs);  // no merchant, no account
  unknown.account_id = "other";
  d = policy_->Decide(unknown, {Value::Number(1)}, std::nullopt);
  EXPECT_TRUE(d.rules.fired.empty()) << d.rules.fired[0].rule->id;
}

TEST_F(PolicyTest, UnknownAccountsFollowTheConfiguredDecision) {
  EXPECT_EQ(Decide(Spend(TransactionKind::kWithdrawal, 500, 0)).decision, Decision::kApprove);
  EXPECT_FALSE(account_);
}

}  // namespace
}  // namespace riskstream
