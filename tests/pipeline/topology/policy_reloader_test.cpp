#include "pipeline/topology/policy_reloader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "generator/event_generator.h"
#include "pipeline/topology/decision_topology.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

using Json = nlohmann::json;

const std::string kConfigs = std::string(RISKSTREAM_SOURCE_DIR) + "/configs/";

std::vector<FeatureSpec> DefaultFeatures() {
  auto specs = ParseFeatureSpecs(YAML::LoadFile(kConfigs + "features.yaml")["features"],
                                 "features.yaml", 10 * kMinuteMs);
  EXPECT_TRUE(specs.ok()) << specs.status().ToString();
  return specs.ok() ? *specs : std::vector<FeatureSpec>{};
}

std::vector<std::string> Names(const std::vector<FeatureSpec>& specs) {
  std::vector<std::string> names;
  for (const auto& spec : specs) names.push_back(spec.name);
  return names;
}

// Writes `text` to `path` atomically (a reader sees the old or the new file, never a partial one).
void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path + ".tmp") << text;
  std::filesystem::rename(path + ".tmp", path);
}

std::string Rules(const std::string& version, int device_threshold) {
  return "version: \"" + version + "\"\nrules:\n" +
         "  - {id: RING, events: [application], reason_code: DEVICE_RING, action: decline,\n"
         "     when: distinct_applicants_per_device_24h >= " +
         std::to_string(device_threshold) +
         "}\n"
         "  - {id: BIG, events: [transaction], reason_code: LARGE, action: review,\n"
         "     when: kind == \"withdrawal\" and amount >= 5000, points: -10}\n";
}

// One topology over a fresh state, fed the same generated stream each time.
class GeneratedRun {
 public:
  GeneratedRun(const TempDir& dir, const std::string& name,
               std::shared_ptr<ActivePolicies> policies)
      : hasher_("policy-reloader-test-key-0123456789") {
    auto db = StateDb::Open(dir.Sub(name));
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    topology_ = std::make_unique<DecisionTopology>(*db_, hasher_, DefaultFeatures(),
                                                   std::move(policies), 6, 10 * kMinuteMs, true);
    GeneratorOptions options;
    options.seed = 7;
    options.events_per_second_event_time = 5;
    generator_ = std::make_unique<EventGenerator>(options);
  }

  // Processes the next generated event; returns its outputs.
  std::vector<OutputRecord> Next() {
    GeneratedEvent event = generator_->Next();
    std::optional<EventType> role;
    if (event.topic == "applications") role = EventType::kApplication;
    if (event.topic == "transactions") role = EventType::kTransaction;
    if (event.topic == "labels") role = EventType::kLabel;
    SourcePosition source{event.topic, 0, offset_++};
    auto processed = topology_->Process(event.json, role, source, event.event_time_ms);
    EXPECT_TRUE(processed.ok()) << processed.status().ToString();
    if (offset_ % 1000 == 0) {
      EXPECT_TRUE(db_->Commit().ok());
    }
    return processed.ok() ? processed->outputs : std::vector<OutputRecord>{};
  }

  // The values of `stream` among the outputs of the next `count` events.
  std::vector<std::string> Collect(int count, OutputStream stream) {
    std::vector<std::string> values;
    for (int i = 0; i < count; ++i) {
      for (auto& record : Next()) {
        if (record.stream == stream) values.push_back(std::move(record.value));
      }
    }
    return values;
  }

 private:
  PiiHasher hasher_;
  std::unique_ptr<StateDb> db_;
  std::unique_ptr<DecisionTopology> topology_;
  std::unique_ptr<EventGenerator> generator_;
  int64_t offset_ = 0;
};

TEST(PolicyReloader, ReloadUnderLoadDecidesEveryEventOnceAndKeepsState) {
  TempDir dir;
  const std::string rules = dir.Sub("rules.yaml");
  WriteFile(rules, Rules("v1", 3));
  auto reloader = PolicyReloader::Create({rules, kConfigs + "scorecard.yaml", "", ""},
                                         Names(DefaultFeatures()));
  ASSERT_TRUE(reloader.ok()) << reloader.status().ToString();
  GeneratedRun live(dir, "reloaded", (*reloader)->policies());

  constexpr int kReloads = 20;
  constexpr int kEvents = 4000;
  std::atomic<int> processed{0};
  std::atomic<bool> reloads_done{false};
  std::vector<std::string> reload_errors;
  std::string rejected_error;
  std::thread reloads([&] {
    for (int k = 2; k <= kReloads; ++k) {
      // Wait until the pipeline has moved on, so reloads land among events (no sleep).
      while (processed.load() < k * kEvents / (kReloads + 2)) std::this_thread::yield();
      if (k == kReloads / 2) {  // a broken version is rejected; the running one stays
        WriteFile(rules,
                  "version: broken\nrules:\n  - {id: X, when: amount >, reason_code: X, "
                  "action: alert}\n");
        auto rejected = (*reloader)->Reload();
        if (rejected.ok()) reload_errors.push_back("a broken rule file was accepted");
        if (!rejected.ok()) rejected_error = rejected.status().message();
      }
      WriteFile(rules, Rules("v" + std::to_string(k), 3 + k % 2));
      if (auto result = (*reloader)->Reload(); !result.ok()) {
        reload_errors.push_back(result.status().ToString());
      }
    }
    reloads_done.store(true);
  });
  // At least kEvents, and 100 more after the last reload.
  std::vector<std::string> decisions, features;
  int total = 0;
  for (int after_last = 0; total < kEvents || after_last < 100; ++total) {
    if (reloads_done.load()) ++after_last;
    for (auto& record : live.Next()) {
      if (record.stream == OutputStream::kCreditEvents &&
          record.value.starts_with("{\"record_type\":\"decision\"")) {
        decisions.push_back(record.value);
      }
      if (record.stream == OutputStream::kFeatures) features.push_back(record.value);
    }
    processed.fetch_add(1);
  }
  reloads.join();
  ASSERT_TRUE(reloads_done.load());
  EXPECT_TRUE(reload_errors.empty()) << reload_errors.front();
  EXPECT_NE(rejected_error.find("line 1, column"), std::string::npos) << rejected_error;
  EXPECT_NE(rejected_error.find("rule X"), std::string::npos) << rejected_error;

  // Every event decided exactly once, each by one version, versions only moving forward.
  std::set<std::string> ids;
  int last_version = 1;
  std::set<int> versions_seen;
  for (const auto& text : decisions) {
    Json record = Json::parse(text);
    EXPECT_TRUE(ids.insert(record["event_id"].get<std::string>()).second) << text;
    std::string version = record["rule_set_version"];
    ASSERT_EQ(version[0], 'v') << version;
    int number = std::stoi(version.substr(1));
    EXPECT_GE(number, last_version);
    last_version = number;
    versions_seen.insert(number);
  }
  EXPECT_GE(decisions.size(), static_cast<size_t>(total * 99 / 100));  // all but dead letters
  EXPECT_EQ(last_version, kReloads);
  EXPECT_GE(versions_seen.size(), static_cast<size_t>(kReloads / 2));

  // State is untouched by reloads: the feature vectors equal a run that never reloaded.
  auto fixed = PolicyReloader::Create({rules, kConfigs + "scorecard.yaml", "", ""},
                                      Names(DefaultFeatures()));
  ASSERT_TRUE(fixed.ok());
  GeneratedRun unreloaded(dir, "fixed", (*fixed)->policies());
  EXPECT_EQ(unreloaded.Collect(total, OutputStream::kFeatures), features);
}

TEST(PolicyReloader, ShadowDecisionsEqualTheShadowPolicyMadeLive) {
  TempDir dir;
  WriteFile(dir.Sub("live.yaml"), Rules("live-1", 3));
  WriteFile(dir.Sub("shadow.yaml"), Rules("shadow-1", 2));
  std::ifstream card_file(kConfigs + "scorecard.yaml");
  std::string card((std::istreambuf_iterator<char>(card_file)), {});
  card.replace(card.find("approve_at: 600"), 15, "approve_at: 640");
  card.replace(card.find("version: \""), 10, "version: \"strict-");
  WriteFile(dir.Sub("strict.yaml"), card);
  const auto names = Names(DefaultFeatures());
  auto live = Policy::LoadFiles(dir.Sub("live.yaml"), kConfigs + "scorecard.yaml", names);
  auto shadow = Policy::LoadFiles(dir.Sub("shadow.yaml"), dir.Sub("strict.yaml"), names);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  ASSERT_TRUE(shadow.ok()) << shadow.status().ToString();

  constexpr int kEvents = 3000;
  GeneratedRun with_shadow(dir, "both", std::make_shared<ActivePolicies>(*live, *shadow));
  std::vector<std::string> shadow_out, live_out;
  for (int i = 0; i < kEvents; ++i) {
    for (auto& record : with_shadow.Next()) {
      if (record.stream == OutputStream::kShadowDecisions) shadow_out.push_back(record.value);
      if (record.stream == OutputStream::kCreditEvents) live_out.push_back(record.value);
    }
  }
  GeneratedRun shadow_live(dir, "shadow-live", std::make_shared<ActivePolicies>(*shadow));
  EXPECT_EQ(shadow_live.Collect(kEvents, OutputStream::kCreditEvents), shadow_out);
  // The shadow is never enforced: live decisions equal a run without it.
  GeneratedRun live_only(dir, "live-only", std::make_shared<ActivePolicies>(*live));
  EXPECT_EQ(live_only.Collect(kEvents, OutputStream::kCreditEvents), live_out);
  // And the two policies do decide differently, so the comparison above means something.
  EXPECT_NE(shadow_out, live_out);
}

TEST(PolicyReloader, WatchedFileChangeReloadsAndABrokenOneIsRejected) {
  TempDir dir;
  const std::string rules = dir.Sub("rules.yaml");
  WriteFile(rules, Rules("w1", 3));
  auto reloader = PolicyReloader::Create({rules, "", "", ""}, Names(DefaultFeatures()));
  ASSERT_TRUE(reloader.ok()) << reloader.status().ToString();
  auto policies = (*reloader)->policies();
  (*reloader)->WatchFiles(20);
  // The modification time must differ from the first file's, whatever the file system's clock
  // granularity: set it explicitly.
  auto bump = [&](int seconds) {
    std::filesystem::last_write_time(
        rules, std::filesystem::file_time_type::clock::now() + std::chrono::seconds(seconds));
  };
  auto wait_for = [&](auto predicate) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!predicate() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    return predicate();
  };
  WriteFile(rules, Rules("w2", 3));
  bump(5);
  EXPECT_TRUE(wait_for([&] { return policies->Get().live->version() == "w2"; }));
  WriteFile(rules, "version: w3\nrules: [{id: X}]\n");
  bump(10);
  EXPECT_TRUE(wait_for([&] { return Json::parse((*reloader)->StatusJson())["rejected"] == 1; }));
  EXPECT_EQ(policies->Get().live->version(), "w2");
  Json status = Json::parse((*reloader)->StatusJson());
  EXPECT_NE(status["last_error"].get<std::string>().find("rule X"), std::string::npos) << status;
}

}  // namespace
}  // namespace riskstream
