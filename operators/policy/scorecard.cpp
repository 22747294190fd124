#include "operators/policy/scorecard.h"

#include <algorithm>
#include <cmath>

#include "common/yaml_file.h"
#include "common/yaml_position.h"

namespace riskstream {
namespace {

Status At(const std::string& source, const YAML::Node& node, const std::string& message) {
  return Status::InvalidConfig(YamlPosition(source, node) + ": " + message);
}

Result<double> Number(const std::string& source, const YAML::Node& node, const char* what,
                      double min) {
  if (!node) return At(source, node, std::string("missing '") + what + "'");
  double value = node.as<double>();
  if (!std::isfinite(value) || value < min) {
    return At(source, node,
              std::string("'") + what +
                  "' must be a number >= " + std::to_string(static_cast<int64_t>(min)));
  }
  return value;
}

}  // namespace

Result<std::shared_ptr<const Scorecard>> Scorecard::LoadFile(
    const std::string& path, const std::vector<std::string>& feature_names) {
  auto document = LoadYamlFile(path, "scorecard");
  if (!document.ok()) return document.status();
  return Load(*document, path, feature_names);
}

Result<std::shared_ptr<const Scorecard>> Scorecard::Load(
    const YAML::Node& document, const std::string& source,
    const std::vector<std::string>& feature_names) {
  std::shared_ptr<Scorecard> card(new Scorecard());
  auto slots = DecisionSlots::Create(feature_names, source);
  if (!slots.ok()) return slots.status();
  card->slots_.emplace(std::move(*slots));
  try {
    if (!document.IsMap() || !document["version"] || !document["score"] || !document["decision"] ||
        !document["limit"]) {
      return Status::InvalidConfig(source +
                                   ": expected 'version', 'score', 'decision' and 'limit'");
    }
    card->version_ = document["version"].as<std::string>();
    if (Status s = card->LoadScore(document["score"], source); !s.ok()) return s;
    const YAML::Node& decision = document["decision"];
    card->approve_at_ = decision["approve_at"].as<int>();
    card->review_at_ = decision["review_at"].as<int>();
    if (card->review_at_ > card->approve_at_) {
      return At(source, decision, "review_at must not exceed approve_at");
    }
    if (Status s = card->LoadLimits(document["limit"], source); !s.ok()) return s;
    if (Status s = card->LoadCredit(document["credit"], source); !s.ok()) return s;
  } catch (const YAML::Exception& e) {
    return Status::InvalidConfig(YamlPosition(source, e.mark) + ": " + e.msg);
  }
  return std::shared_ptr<const Scorecard>(std::move(card));
}

Status Scorecard::LoadScore(const YAML::Node& node, const std::string& source) {
  base_ = node["base"] ? node["base"].as<int>() : 0;
  for (const auto& item : node["characteristics"]) {
    Characteristic c;
    if (!item["name"] || !item["value"] || !item["bands"] || !item["bands"].IsSequence()) {
      return At(source, item, "a characteristic needs 'name', 'value' and 'bands'");
    }
    c.name = item["name"].as<std::string>();
    auto fail = [&](const YAML::Node& at, const std::string& message) {
      return At(source, at, "characteristic " + c.name + ": " + message);
    };
    c.value_text = item["value"].as<std::string>();
    auto value = CompileExpression(c.value_text, slots_->context());
    if (!value.ok()) {
      return value.status().WithContext(YamlPosition(source, item["value"]) + ": characteristic " +
                                        c.name);
    }
    c.value.emplace(std::move(*value));
    slots_->Use(*c.value);
    if (item["missing"]) c.missing_points = item["missing"].as<int>();
    for (const auto& band_node : item["bands"]) {
      ScoreBand band;
      band.points = band_node["points"].as<int>();
      if (band_node["below"]) band.below = band_node["below"].as<double>();
      if (!c.bands.empty() && !(band.below > c.bands.back().below)) {
        return fail(band_node, "bands must ascend by 'below'");
      }
      c.bands.push_back(band);
    }
    if (c.bands.empty() || std::isfinite(c.bands.back().below)) {
      return fail(item["bands"], "the last band must have no 'below' (it takes the rest)");
    }
    characteristics_.push_back(std::move(c));
  }
  return Status::Ok();
}

Status Scorecard::LoadLimits(const YAML::Node& node, const std::string& source) {
  auto cap = Number(source, node["cap"], "cap", 0);
  if (!cap.ok()) return cap.status();
  cap_ = *cap;
  round_down_to_ = node["round_down_to"] ? node["round_down_to"].as<double>() : 1;
  if (!(round_down_to_ > 0)) return At(source, node["round_down_to"], "round_down_to must be > 0");
  min_limit_ = node["min_limit"] ? node["min_limit"].as<double>() : round_down_to_;
  for (const auto& item : node["bands"]) {
    LimitBand band;
    band.min_score = item["min_score"].as<double>();
    auto multiple = Number(source, item["income_multiple"], "income_multiple", 0);
    if (!multiple.ok()) return multiple.status();
    auto max = Number(source, item["max"], "max", 0);
    if (!max.ok()) return max.status();
    band.income_multiple = *multiple;
    band.max = *max;
    limit_bands_.push_back(band);
  }
  if (limit_bands_.empty()) return At(source, node, "'limit' needs at least one band");
  std::sort(limit_bands_.begin(), limit_bands_.end(),
            [](const LimitBand& a, const LimitBand& b) { return a.min_score > b.min_score; });
  return Status::Ok();
}

Status Scorecard::LoadCredit(const YAML::Node& node, const std::string& source) {
  if (!node) return Status::Ok();
  if (const YAML::Node& cash_out = node["cash_out"]) {
    auto share = Number(source, cash_out["share_of_limit"], "share_of_limit", 0);
    if (!share.ok()) return share.status();
    credit_.cash_out_share = *share;
    auto within = ParseDuration(cash_out["within"].as<std::string>());
    if (!within.ok()) return within.status().WithContext(YamlPosition(source, cash_out["within"]));
    credit_.cash_out_within_ms = *within;
  }
  if (node["freeze_on_fraud_label"]) {
    credit_.freeze_on_fraud_label = node["freeze_on_fraud_label"].as<bool>();
  }
  if (const YAML::Node& unknown = node["unknown_account"]) {
    std::string text = unknown.as<std::string>();
    if (text == "approve") {
      credit_.unknown_account = Decision::kApprove;
    } else if (text == "review") {
      credit_.unknown_account = Decision::kReview;
    } else if (text == "decline") {
      credit_.unknown_account = Decision::kDecline;
    } else {
      return At(source, unknown, "unknown_account must be approve, review or decline");
    }
  }
  return Status::Ok();
}

ScoreResult Scorecard::Score(const Event& application, const std::vector<Value>& features,
                             const std::optional<CreditAccount>& account, int extra_points) const {
  ScoreResult result;
  result.score = base_ + extra_points;
  // Reused per thread: one allocation per thread, not one per event (the set is shared, const).
  thread_local std::vector<Value> slots;
  slots_->Fill(application, features, account, slots);
  for (const Characteristic& c : characteristics_) {
    Value value = c.value->Evaluate(slots);
    int points = c.missing_points;
    if (value.kind() == Value::Kind::kNumber) {
      for (const ScoreBand& band : c.bands) {
        if (value.number() < band.below) {
          points = band.points;
          break;
        }
      }
    }
    result.score += points;
    result.parts.push_back({&c, std::move(value), points});
  }
  result.decision = result.score >= approve_at_  ? Decision::kApprove
                    : result.score >= review_at_ ? Decision::kReview
                                                 : Decision::kDecline;
  return result;
}

double Scorecard::Limit(int score, std::optional<double> declared_income) const {
  double income = declared_income.value_or(0);
  if (!(income > 0)) return 0;
  for (const LimitBand& band : limit_bands_) {
    if (score < band.min_score) continue;
    double limit = std::min({income * band.income_multiple, band.max, cap_});
    // The epsilon keeps 1.15 * 2000 (2299.999...) in the 2300 step.
    return std::floor(limit / round_down_to_ + 1e-9) * round_down_to_;
  }
  return 0;
}

}  // namespace riskstream
