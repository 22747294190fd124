#include "generator/event_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/time.h"
#include "generator/scenarios/fraud_scenario.h"

namespace riskstream {
namespace {

using Json = nlohmann::json;

std::vector<GeneratedEvent> Take(GeneratorOptions options, size_t count) {
  EventGenerator generator(options);
  std::vector<GeneratedEvent> events;
  events.reserve(count);
  for (size_t i = 0; i < count; ++i) events.push_back(generator.Next());
  return events;
}

// Sparse event time, so that days pass and late labels arrive within a short stream.
GeneratorOptions SparseOptions() {
  GeneratorOptions options;
  options.events_per_second_event_time = 0.2;
  return options;
}

bool IsDigits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ISO 7064 MOD 11-2, written out here independently of the generator's own.
bool HasValidIdChecksum(const std::string& id) {
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  if (id.size() != 18 || !IsDigits(id.substr(0, 17))) return false;
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[static_cast<size_t>(i)] - '0') * kWeights[i];
  return id[17] == "10X98765432"[sum % 11];
}

bool IsNonEmptyString(const Json& json, const char* field) {
  return json.contains(field) && json[field].is_string() && !json[field].get<std::string>().empty();
}

bool IsPositiveNumber(const Json& json, const char* field) {
  return json.contains(field) && json[field].is_number() && json[field].get<double>() > 0;
}

bool IsOneOf(const Json& json, const char* field, const std::set<std::string>& allowed) {
  return json.contains(field) && json[field].is_string() &&
         allowed.count(json[field].get<std::string>()) == 1;
}

// "" when `json` has exactly the fields of its type with valid values; otherwise what is wrong.
std::string ProblemWith(const Json& json, const GeneratedEvent& event) {
  for (const char* field : {"event_id", "event_time", "type"}) {
    if (!IsNonEmptyString(json, field)) return std::string("bad ") + field;
  }
  const Result<TimestampMs> time = ParseRfc3339(json["event_time"].get<std::string>());
  if (!time.ok() || *time != event.event_time_ms) return "event_time disagrees with event_time_ms";
  if (FormatRfc3339(event.event_time_ms) != json["event_time"]) return "event_time not canonical";
  std::set<std::string> allowed = {"event_id", "event_time", "type"};
  const std::string type = json["type"];
  if (type == "application") {
    allowed.insert({"applicant_id", "account_id", "id_number", "phone", "device_id", "ip", "geo",
                    "channel", "product", "requested_amount", "declared_income", "employer"});
    for (const char* field : {"applicant_id", "account_id", "id_number", "phone"}) {
      if (!IsNonEmptyString(json, field)) return std::string("bad ") + field;
    }
    if (!HasValidIdChecksum(json["id_number"])) return "id_number is not a valid id";
    const std::string phone = json["phone"];
    if (phone.size() != 11 || phone[0] != '1' || !IsDigits(phone)) return "bad phone " + phone;
    if (!IsOneOf(json, "channel", {"app", "web", "h5", "partner"})) return "bad channel";
    if (!IsOneOf(json, "product", {"cash_loan", "installment"})) return "bad product";
    if (!IsPositiveNumber(json, "requested_amount")) return "bad requested_amount";
    if (!IsPositiveNumber(json, "declared_income")) return "bad declared_income";
    if (json.contains("employer") && !IsNonEmptyString(json, "employer")) return "bad employer";
  } else if (type == "transaction") {
    allowed.insert({"account_id", "kind", "amount", "currency", "merchant_id", "merchant_category",
                    "device_id", "ip", "geo"});
    if (!IsNonEmptyString(json, "account_id")) return "bad account_id";
    if (!IsOneOf(json, "kind", {"withdrawal", "purchase", "repayment"})) return "bad kind";
    if (!IsPositiveNumber(json, "amount")) return "bad amount";
    if (json.value("currency", "") != "CNY") return "bad currency";
    if (IsNonEmptyString(json, "merchant_id") != (json["kind"] == "purchase")) {
      return "merchant_id must be there exactly for purchases";
    }
    if (!IsNonEmptyString(json, "merchant_category")) return "bad merchant_category";
  } else if (type == "label") {
    allowed.insert({"labelled_event_id", "label", "labelled_at"});
    if (!IsNonEmptyString(json, "labelled_event_id")) return "bad labelled_event_id";
    if (!IsOneOf(json, "label", {"fraud", "legit", "chargeback"})) return "bad label";
    if (json.value("labelled_at", "") != json["event_time"]) return "labelled_at != event_time";
  } else {
    return "unknown type " + type;
  }
  if (type != "label") {
    for (const char* field : {"device_id", "ip"}) {
      if (!json.contains(field) || !json[field].is_string()) return std::string("bad ") + field;
    }
  }
  if (json.contains("geo")) {
    const Json& geo = json["geo"];
    if (!geo.is_object() || geo.size() != 2 || !geo.contains("lat") || !geo.contains("lon") ||
        !geo["lat"].is_number() || !geo["lon"].is_number() ||
        std::abs(geo["lat"].get<double>()) > 90 || std::abs(geo["lon"].get<double>()) > 180) {
      return "bad geo";
    }
  }
  for (const auto& [field, value] : json.items()) {
    if (allowed.count(field) == 0) return "unexpected field " + field;
  }
  return "";
}

std::string KeyFieldOf(const Json& json) {
  if (json["type"] == "application") return json["applicant_id"];
  if (json["type"] == "transaction") return json["account_id"];
  return "";
}

TEST(EventGenerator, SameSeedGivesByteIdenticalStream) {
  const std::vector<GeneratedEvent> a = Take(SparseOptions(), 20000);
  const std::vector<GeneratedEvent> b = Take(SparseOptions(), 20000);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].json, b[i].json) << "event " << i;
    ASSERT_EQ(a[i].topic, b[i].topic);
    ASSERT_EQ(a[i].key, b[i].key);
    ASSERT_EQ(a[i].scenario, b[i].scenario);
    ASSERT_EQ(a[i].fraud, b[i].fraud);
    ASSERT_EQ(a[i].event_time_ms, b[i].event_time_ms);
  }
}

TEST(EventGenerator, DifferentSeedGivesDifferentStream) {
  GeneratorOptions other = SparseOptions();
  other.seed = 43;
  const std::vector<GeneratedEvent> a = Take(SparseOptions(), 2000);
  const std::vector<GeneratedEvent> b = Take(other, 2000);
  std::set<std::string> ids_a, ids_b;
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    same += a[i].json == b[i].json;
    ids_a.insert(Json::parse(a[i].json)["event_id"].get<std::string>());
    ids_b.insert(Json::parse(b[i].json)["event_id"].get<std::string>());
  }
  EXPECT_EQ(same, 0u);
  std::vector<std::string> shared;
  std::set_intersection(ids_a.begin(), ids_a.end(), ids_b.begin(), ids_b.end(),
                        std::back_inserter(shared));
  EXPECT_TRUE(shared.empty()) << "event ids should depend on the seed";
}

TEST(EventGenerator, EveryEventIsValidJsonWithTheFieldsOfItsType) {
  GeneratorOptions dirty = SparseOptions();
  dirty.dirty_share = 0.2;
  dirty.out_of_order_share = 0.05;
  for (const GeneratorOptions& options : {GeneratorOptions(), dirty}) {
    std::map<std::string, int> types;
    for (const GeneratedEvent& event : Take(options, 20000)) {
      const Json json = Json::parse(event.json, nullptr, /*allow_exceptions=*/false);
      ASSERT_TRUE(json.is_object()) << event.json;
      ASSERT_EQ(ProblemWith(json, event), "") << event.json;
      ASSERT_EQ(event.json.find('\n'), std::string::npos);
      ++types[json["type"]];
    }
    EXPECT_GT(types["application"], 0);
    EXPECT_GT(types["transaction"], 0);
  }
}

TEST(EventGenerator, EveryScenarioAppearsInTwentyThousandEventsWithItsTopicAndKey) {
  std::map<std::string, int> per_scenario;
  for (const GeneratedEvent& event : Take(GeneratorOptions(), 20000)) {
    const Json json = Json::parse(event.json);
    ++per_scenario[event.scenario];
    EXPECT_EQ(event.fraud, event.scenario != kHonestScenario) << event.scenario;
    const std::string type = json["type"];
    if (type == "label") continue;
    EXPECT_EQ(event.topic, type == "application" ? "applications" : "transactions");
    EXPECT_EQ(event.key, KeyFieldOf(json));
  }
  std::set<std::string> expected = {std::string(kHonestScenario)};
  for (const FraudScenario& scenario : FraudScenarios())
    expected.insert(std::string(scenario.name));
  EXPECT_EQ(expected.size(), 8u);
  for (const std::string& name : expected) EXPECT_GT(per_scenario[name], 0) << name;
  EXPECT_EQ(per_scenario.size(), expected.size()) << "no scenario outside the known ones";
}

TEST(EventGenerator, LabelsComeLateNameAnEarlierEventAndShareItsKey) {
  struct Seen {
    TimestampMs time_ms;
    std::string key, scenario;
    bool fraud;
  };
  std::map<std::string, Seen> seen;
  std::map<std::string, int> per_label;
  GeneratorOptions options = SparseOptions();
  options.events_per_second_event_time = 0.05;  // 20000 events take about 4.6 days
  for (const GeneratedEvent& event : Take(options, 20000)) {
    const Json json = Json::parse(event.json);
    if (event.topic != "labels") {
      seen[json["event_id"]] = {event.event_time_ms, event.key, event.scenario, event.fraud};
      continue;
    }
    ++per_label[json["label"]];
    const auto labelled = seen.find(json["labelled_event_id"]);
    ASSERT_NE(labelled, seen.end()) << "label before (or without) its event: " << event.json;
    EXPECT_GE(event.event_time_ms - labelled->second.time_ms, kHourMs) << event.json;
    EXPECT_EQ(event.key, labelled->second.key);
    EXPECT_EQ(event.scenario, labelled->second.scenario);
    EXPECT_EQ(event.fraud, labelled->second.fraud);
    if (json["label"] == "fraud") {
      EXPECT_TRUE(event.fraud);
    } else if (json["label"] == "legit") {
      EXPECT_FALSE(event.fraud);
    }
  }
  EXPECT_GT(per_label["fraud"], 50);
  EXPECT_GT(per_label["legit"], 50);
  EXPECT_GT(per_label["chargeback"], 0);
}

TEST(EventGenerator, EventTimeIsOrderedButForBoundedLateness) {
  GeneratorOptions late = SparseOptions();
  late.out_of_order_share = 0.05;
  late.events_per_second_event_time = 50;
  size_t out_of_order = 0;
  TimestampMs latest_ms = 0;
  for (const GeneratedEvent& event : Take(late, 20000)) {
    EXPECT_LE(latest_ms - event.event_time_ms, kMaxOutOfOrderMs);
    out_of_order += event.event_time_ms < latest_ms;
    latest_ms = std::max(latest_ms, event.event_time_ms);
  }
  EXPECT_GT(out_of_order, 200u);

  GeneratorOptions in_order = late;
  in_order.out_of_order_share = 0;
  latest_ms = 0;
  for (const GeneratedEvent& event : Take(in_order, 20000)) {
    EXPECT_GE(event.event_time_ms, latest_ms);
    latest_ms = event.event_time_ms;
  }
}

TEST(EventGenerator, EventTimeAdvancesAtTheConfiguredDensity) {
  GeneratorOptions options;
  options.events_per_second_event_time = 50;
  const std::vector<GeneratedEvent> events = Take(options, 20000);
  const double seconds =
      static_cast<double>(events.back().event_time_ms - options.start_time_ms) / kSecondMs;
  EXPECT_NEAR(seconds, 20000 / 50.0, 0.15 * 20000 / 50.0);
  EXPECT_GE(events.front().event_time_ms, options.start_time_ms);
}

TEST(EventGenerator, FraudIsAtItsShareFromTheStart) {
  size_t fraud = 0;
  const std::vector<GeneratedEvent> events = Take(GeneratorOptions(), 20000);
  for (const GeneratedEvent& event : events) fraud += event.fraud;
  EXPECT_NEAR(static_cast<double>(fraud) / events.size(), GeneratorOptions().fraud_share, 0.015);
}

TEST(EventGenerator, FraudShareApproachesTheTargetInTheLongRun) {
  GeneratorOptions options = SparseOptions();
  options.events_per_second_event_time = 1;
  options.fraud_share = 0.06;
  options.emit_labels = false;
  size_t fraud = 0;
  const std::vector<GeneratedEvent> events = Take(options, 100000);
  for (const GeneratedEvent& event : events) fraud += event.fraud;
  EXPECT_NEAR(static_cast<double>(fraud) / events.size(), 0.06, 0.02);
}

// Runs `options` with and without dirt; the clean run must have no flaws, the dirty one some, and
// otherwise the same events.
TEST(EventGenerator, DirtyShareProducesUnknownIdsAndMissingFieldsOnly) {
  GeneratorOptions clean = SparseOptions();
  clean.dirty_share = 0;
  GeneratorOptions dirty = clean;
  dirty.dirty_share = 0.25;
  const std::vector<GeneratedEvent> a = Take(clean, 20000);
  const std::vector<GeneratedEvent> b = Take(dirty, 20000);
  auto is_unknown = [](const Json& value) { return value == "" || value == "unknown"; };
  std::map<std::string, int> clean_flaws, dirty_flaws;
  for (size_t i = 0; i < a.size(); ++i) {
    const Json x = Json::parse(a[i].json);
    const Json y = Json::parse(b[i].json);
    ASSERT_EQ(x["event_id"], y["event_id"]) << "dirt must not change which events come";
    if (x["type"] == "label") continue;
    for (auto [json, flaws] : {std::pair{&x, &clean_flaws}, std::pair{&y, &dirty_flaws}}) {
      (*flaws)["device_id"] += is_unknown((*json)["device_id"]);
      (*flaws)["ip"] += is_unknown((*json)["ip"]);
      (*flaws)["geo"] += !json->contains("geo");
      (*flaws)["employer"] += (*json)["type"] == "application" && !json->contains("employer");
    }
    for (const char* field : {"account_id", "amount", "kind", "requested_amount", "phone"}) {
      EXPECT_EQ(x.contains(field), y.contains(field)) << field;
      if (x.contains(field)) {
        EXPECT_EQ(x[field], y[field]) << field;
      }
    }
  }
  EXPECT_EQ(clean_flaws["device_id"], 0);
  EXPECT_EQ(clean_flaws["ip"], 0);
  EXPECT_GT(dirty_flaws["device_id"], 500);
  EXPECT_GT(dirty_flaws["ip"], 500);
  EXPECT_GT(dirty_flaws["geo"], clean_flaws["geo"] + 500);
  EXPECT_GT(dirty_flaws["employer"], clean_flaws["employer"]);
}

TEST(EventGenerator, TurningLabelsOffRemovesOnlyTheLabels) {
  GeneratorOptions without = SparseOptions();
  without.emit_labels = false;
  const std::vector<GeneratedEvent> with_labels = Take(SparseOptions(), 20000);
  const std::vector<GeneratedEvent> no_labels = Take(without, 20000);
  std::vector<std::string> expected;
  for (const GeneratedEvent& event : with_labels) {
    if (event.topic != "labels") expected.push_back(event.json);
  }
  ASSERT_LT(expected.size(), with_labels.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_NE(no_labels[i].topic, "labels");
    ASSERT_EQ(no_labels[i].json, expected[i]) << "event " << i;
  }
}

TEST(EventGenerator, RejectsOptionsOutOfRange) {
  GeneratorOptions options;
  options.fraud_share = 1.5;
  EXPECT_FALSE(options.Validate().ok());
  EXPECT_THROW(EventGenerator{options}, std::invalid_argument);
  options = GeneratorOptions();
  options.events_per_second_event_time = 0;
  EXPECT_FALSE(options.Validate().ok());
  EXPECT_TRUE(GeneratorOptions().Validate().ok());
}

TEST(WriteJsonLines, WritesOneEventPerLineWithOptionalGroundTruth) {
  EventGenerator plain(GeneratorOptions{});
  std::ostringstream out;
  ASSERT_TRUE(WriteJsonLines(plain, 100, out).ok());
  EventGenerator reference(GeneratorOptions{});
  std::istringstream lines(out.str());
  std::string line;
  size_t count = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(line, reference.Next().json);
    ++count;
  }
  EXPECT_EQ(count, 100u);

  EventGenerator with_truth(GeneratorOptions{});
  std::ostringstream truth_out;
  ASSERT_TRUE(WriteJsonLines(with_truth, 10, truth_out, JsonLinesLayout::kWithGroundTruth).ok());
  std::istringstream truth_lines(truth_out.str());
  EventGenerator truth_reference(GeneratorOptions{});
  while (std::getline(truth_lines, line)) {
    const GeneratedEvent expected = truth_reference.Next();
    const Json json = Json::parse(line);
    EXPECT_EQ(json["topic"], expected.topic);
    EXPECT_EQ(json["key"], expected.key);
    EXPECT_EQ(json["scenario"], expected.scenario);
    EXPECT_EQ(json["fraud"], expected.fraud);
    EXPECT_EQ(json["event"], Json::parse(expected.json));
  }
}

TEST(WriteJsonLines, ReportsAFailedStream) {
  EventGenerator generator(GeneratorOptions{});
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  const Status status = WriteJsonLines(generator, 3, out);
  EXPECT_EQ(status.code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace riskstream
