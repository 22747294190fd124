#include "operators/policy/scorecard.h"

#include <gtest/gtest.h>

namespace riskstream {
namespace {

const std::vector<std::string> kFeatures = {"applicants_per_device"};

const char* kCard = R"(
version: "sc1"
score:
  base: 600
  characteristics:
    - name: income
      value: declared_income
      missing: -40
      bands:
        - {below: 3000, points: -30}
        - {below: 6000, points: 0}
        - {points: 20}
    - name: device
      value: applicants_per_device
      bands:
        - {below: 2, points: 10}
        - {points: -60}
decision:
  approve_at: 600
  review_at: 540
limit:
  bands:
    - {min_score: 640, income_multiple: 3, max: 60000}
    - {min_score: 600, income_multiple: 1.15, max: 30000}
  cap: 50000
  round_down_to: 500
  min_limit: 1000
credit:
  cash_out: {share_of_limit: 0.8, within: 10m}
  freeze_on_fraud_label: false
  unknown_account: review
)";

std::shared_ptr<const Scorecard> Card() {
  auto card = Scorecard::Load(YAML::Load(kCard), "scorecard.yaml", kFeatures);
  EXPECT_TRUE(card.ok()) << card.status().ToString();
  return card.ok() ? *card : nullptr;
}

Event Application(std::optional<double> income) {
  Event e;
  e.type = EventType::kApplication;
  e.declared_income = income;
  return e;
}

int ScoreOf(std::optional<double> income, Value device, int extra = 0) {
  return Card()->Score(Application(income), {device}, std::nullopt, extra).score;
}

TEST(Scorecard, BandEdgesBelongToTheHigherBand) {
  EXPECT_EQ(ScoreOf(2999.99, Value::Number(1)), 600 - 30 + 10);
  EXPECT_EQ(ScoreOf(3000, Value::Number(1)), 600 + 0 + 10);
  EXPECT_EQ(ScoreOf(5999, Value::Number(1)), 610);
  EXPECT_EQ(ScoreOf(6000, Value::Number(1)), 630);
  EXPECT_EQ(ScoreOf(6000, Value::Number(2)), 600 + 20 - 60);
}

TEST(Scorecard, MissingValuesTakeTheirMissingPoints) {
  EXPECT_EQ(ScoreOf(std::nullopt, Value::Number(1)), 600 - 40 + 10);
  // No `missing:` given: 0 points.
  EXPECT_EQ(ScoreOf(6000, Value::Missing()), 620);
}

TEST(Scorecard, ThresholdsDecideAtTheirExactScore) {
  auto card = Card();
  ASSERT_TRUE(card);
  // income 3000 (0) + device 1 (10) = 610; rule points move it.
  auto at = [&](int extra) {
    return card->Score(Application(3000), {Value::Number(1)}, std::nullopt, extra).decision;
  };
  EXPECT_EQ(at(-10), Decision::kApprove);  // 600
  EXPECT_EQ(at(-11), Decision::kReview);   // 599
  EXPECT_EQ(at(-70), Decision::kReview);   // 540
  EXPECT_EQ(at(-71), Decision::kDecline);  // 539
  auto result = card->Score(Application(3000), {Value::Number(1)}, std::nullopt, 0);
  ASSERT_EQ(result.parts.size(), 2u);
  EXPECT_EQ(result.parts[0].characteristic->name, "income");
  EXPECT_EQ(result.parts[0].points, 0);
  EXPECT_EQ(result.parts[1].points, 10);
}

TEST(Scorecard, LimitIsIncomeTimesBandMultipleCappedAndRoundedDown) {
  auto card = Card();
  ASSERT_TRUE(card);
  EXPECT_EQ(card->Limit(640, 10000), 30000);  // 3x
  EXPECT_EQ(card->Limit(639, 10000), 11500);  // 1.15x = 11500 exactly, not 11000
  EXPECT_EQ(card->Limit(639, 2000), 2000);    // 2300 rounds down to 2000
  EXPECT_EQ(card->Limit(639, 40000), 30000);  // band max
  EXPECT_EQ(card->Limit(700, 40000), 50000);  // 120000 > band max 60000 > cap 50000
  EXPECT_EQ(card->Limit(640, 16666), 49500);  // 49998 rounds down to 49500
  EXPECT_EQ(card->Limit(640, 333), 500);      // 999 rounds down to 500
  EXPECT_EQ(card->Limit(599, 10000), 0);      // below every band
  EXPECT_EQ(card->Limit(700, std::nullopt), 0);
  EXPECT_EQ(card->Limit(700, 0), 0);
  EXPECT_EQ(card->Limit(700, -5), 0);
  EXPECT_EQ(card->min_limit(), 1000);
  EXPECT_EQ(card->credit().cash_out_share, 0.8);
  EXPECT_EQ(card->credit().cash_out_within_ms, 10 * kMinuteMs);
  EXPECT_FALSE(card->credit().freeze_on_fraud_label);
  EXPECT_EQ(card->credit().unknown_account, Decision::kReview);
}

TEST(Scorecard, ErrorsNameFileLineAndCharacteristic) {
  auto load = [](const std::string& yaml) {
    return Scorecard::Load(YAML::Load(yaml), "scorecard.yaml", kFeatures);
  };
  const std::string head = "version: 1\nscore:\n  characteristics:\n    - name: c\n";
  const std::string tail =
      "decision: {approve_at: 1, review_at: 0}\nlimit: {cap: 1, bands: [{min_score: 0, "
      "income_multiple: 1, max: 1}]}\n";
  auto bad_expr = load(head + "      value: nope * 2\n      bands: [{points: 1}]\n" + tail);
  ASSERT_FALSE(bad_expr.ok());
  EXPECT_NE(bad_expr.status().message().find("scorecard.yaml:5:14: characteristic c"),
            std::string::npos)
      << bad_expr.status().message();
  EXPECT_NE(bad_expr.status().message().find("nope"), std::string::npos);

  auto unordered = load(head +
                        "      value: amount\n      bands: [{below: 5, points: 1}, {below: 2, "
                        "points: 1}, {points: 0}]\n" +
                        tail);
  ASSERT_FALSE(unordered.ok());
  EXPECT_NE(unordered.status().message().find("ascend"), std::string::npos);

  auto no_rest = load(head + "      value: amount\n      bands: [{below: 5, points: 1}]\n" + tail);
  ASSERT_FALSE(no_rest.ok());
  EXPECT_NE(no_rest.status().message().find("last band"), std::string::npos);

  auto thresholds =
      load(head + "      value: amount\n      bands: [{points: 0}]\n" +
           "decision: {approve_at: 1, review_at: 5}\nlimit: {cap: 1, bands: [{min_score: 0, "
           "income_multiple: 1, max: 1}]}\n");
  ASSERT_FALSE(thresholds.ok());
  EXPECT_NE(thresholds.status().message().find("review_at"), std::string::npos);
}

TEST(Scorecard, DefaultScorecardLoads) {
  std::vector<std::string> names;
  auto features_doc = YAML::LoadFile(std::string(RISKSTREAM_SOURCE_DIR) + "/configs/features.yaml");
  for (const auto& f : features_doc["features"]) names.push_back(f["name"].as<std::string>());
  auto card =
      Scorecard::LoadFile(std::string(RISKSTREAM_SOURCE_DIR) + "/configs/scorecard.yaml", names);
  ASSERT_TRUE(card.ok()) << card.status().ToString();
}

}  // namespace
}  // namespace riskstream
