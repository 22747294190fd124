#include "pipeline/admin/admin_endpoints.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

using Json = nlohmann::json;

const char* kFeatures = R"yaml(
features:
  - {name: transactions_1h, key: account_id, events: [transaction], function: count, window: 1h}
  - {name: withdrawals_1h, key: account_id, events: [transaction], where: kind == withdrawal,
     function: count, window: 1h}
  - {name: withdrawn_1h, key: account_id, events: [transaction], where: kind == withdrawal,
     function: sum(amount), window: 1h}
  - {name: avg_amount_1h, key: account_id, events: [transaction], function: avg(amount), window: 1h}
  - {name: max_amount_1h, key: account_id, events: [transaction], function: max(amount), window: 1h}
  - {name: devices_1h, key: account_id, events: [transaction], function: count_distinct(device_id),
     window: 1h}
  - {name: last_ip, key: account_id, events: [transaction], function: last(ip), window: 1h}
  - {name: uses_of_device, key: [account_id, device_id], function: count, window: 1h}
  - {name: withdrawal_share, function: "ratio(withdrawals_1h, transactions_1h)"}
)yaml";

const std::string kSep = "\x1f";

class AdminEndpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = StateDb::Open(dir_.Sub("db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto specs = ParseFeatureSpecs(YAML::Load(kFeatures)["features"], "features.yaml", 0);
    ASSERT_TRUE(specs.ok()) << specs.status().ToString();
    engine_ = std::make_unique<FeatureEngine>(*db_, std::move(*specs), 6);
  }

  void Transaction(const std::string& account, const std::string& device, TransactionKind kind,
                   double amount, TimestampMs t) {
    Event e;
    e.type = EventType::kTransaction;
    e.event_id = "txn-" + std::to_string(++events_);
    e.account_id = account;
    e.device_id = device;
    e.ip = "10.0.0." + std::to_string(events_);
    e.kind = kind;
    e.amount = amount;
    e.event_time = t;
    auto result = engine_->Evaluate(e);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }

  Value Committed(const std::string& feature, const std::string& key) {
    auto value = engine_->CommittedValue(feature, key);
    EXPECT_TRUE(value.ok()) << feature << ": " << value.status().ToString();
    return value.ok() ? *value : Value::String("error");
  }

  // The three withdrawals and one purchase of `acc` within an hour, committed.
  void CommitFourTransactions() {
    Transaction("acc", "dev1", TransactionKind::kWithdrawal, 100, 1 * kMinuteMs);
    Transaction("acc", "dev2", TransactionKind::kPurchase, 40, 2 * kMinuteMs);
    Transaction("acc", "dev1", TransactionKind::kWithdrawal, 300, 3 * kMinuteMs);
    Transaction("acc", "dev1", TransactionKind::kWithdrawal, 60, 4 * kMinuteMs);
    ASSERT_TRUE(db_->Commit().ok());
  }

  TempDir dir_;
  std::unique_ptr<StateDb> db_;
  std::unique_ptr<FeatureEngine> engine_;
  int events_ = 0;
};

TEST_F(AdminEndpointsTest, CommittedValuesAreComputedAsEvaluateComputesThem) {
  CommitFourTransactions();
  EXPECT_EQ(Committed("transactions_1h", "acc"), Value::Number(4));
  EXPECT_EQ(Committed("withdrawals_1h", "acc"), Value::Number(3));
  EXPECT_EQ(Committed("withdrawn_1h", "acc"), Value::Number(460));
  EXPECT_EQ(Committed("avg_amount_1h", "acc"), Value::Number(125));
  EXPECT_EQ(Committed("max_amount_1h", "acc"), Value::Number(300));
  EXPECT_EQ(Committed("devices_1h", "acc"), Value::Number(2));
  EXPECT_EQ(Committed("last_ip", "acc"), Value::String("10.0.0.4"));
  EXPECT_EQ(Committed("uses_of_device", "acc" + kSep + "dev1"), Value::Number(3));
  EXPECT_EQ(Committed("uses_of_device", "acc" + kSep + "dev2"), Value::Number(1));
  EXPECT_EQ(Committed("withdrawal_share", "acc"), Value::Number(0.75));

  auto read = engine_->ReadCommitted("transactions_1h", "acc");
  ASSERT_TRUE(read.ok());
  ASSERT_TRUE(read->window && read->window->as_of_ms);
  EXPECT_EQ(*read->window->as_of_ms, 4 * kMinuteMs);
  EXPECT_EQ(read->window->lo_ms, 4 * kMinuteMs - kHourMs);
  EXPECT_EQ(read->window->hi_ms, 4 * kMinuteMs);
}

TEST_F(AdminEndpointsTest, UncommittedChangesAreNotVisible) {
  Transaction("acc", "dev1", TransactionKind::kWithdrawal, 100, 1 * kMinuteMs);
  EXPECT_EQ(engine_->CommittedValue("transactions_1h", "acc").status().code(),
            Status::Code::kNotFound);
  CommitFourTransactions();
  EXPECT_EQ(Committed("transactions_1h", "acc"), Value::Number(5));
  Transaction("acc", "dev3", TransactionKind::kWithdrawal, 1000, 5 * kMinuteMs);
  Transaction("acc", "dev3", TransactionKind::kWithdrawal, 1000, 90 * kMinuteMs);  // moves window
  EXPECT_EQ(Committed("transactions_1h", "acc"), Value::Number(5));
  EXPECT_EQ(Committed("max_amount_1h", "acc"), Value::Number(300));
  EXPECT_EQ(Committed("devices_1h", "acc"), Value::Number(2));
  db_->DiscardPending();
  EXPECT_EQ(Committed("transactions_1h", "acc"), Value::Number(5));
  Transaction("acc", "dev3", TransactionKind::kWithdrawal, 1000, 90 * kMinuteMs);
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(Committed("transactions_1h", "acc"), Value::Number(1));  // the rest left the window
  EXPECT_EQ(Committed("max_amount_1h", "acc"), Value::Number(1000));
}

TEST_F(AdminEndpointsTest, UnknownFeaturesKeysAndWrongKeyShapesAreErrors) {
  CommitFourTransactions();
  EXPECT_EQ(engine_->CommittedValue("nope", "acc").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(engine_->CommittedValue("transactions_1h", "other").status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(engine_->CommittedValue("withdrawal_share", "other").status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(engine_->CommittedValue("transactions_1h", "").status().code(),
            Status::Code::kInvalidInput);
  EXPECT_EQ(engine_->CommittedValue("transactions_1h", "acc" + kSep + "dev1").status().code(),
            Status::Code::kInvalidInput);
  EXPECT_EQ(engine_->CommittedValue("uses_of_device", "acc").status().code(),
            Status::Code::kInvalidInput);
}

TEST_F(AdminEndpointsTest, RulesJsonNamesVersionAndRules) {
  auto rules = RuleSet::Load(YAML::Load(R"(
version: "2026-11-27.1"
rules:
  - {id: R1, events: [transaction], when: withdrawals_1h >= 3, severity: high, reason_code: V,
     action: decline}
  - {id: R2, events: [transaction], when: withdrawn_1h > 5000, severity: medium, reason_code: A,
     action: review, enabled: false}
)"),
                             "rules.yaml", {"withdrawals_1h", "withdrawn_1h"});
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  Json json = Json::parse(RulesJson(**rules));
  EXPECT_EQ(json.at("active_version"), "2026-11-27.1");
  EXPECT_TRUE(json.at("shadow_version").is_null());
  ASSERT_EQ(json.at("rules").size(), 2u);
  EXPECT_EQ(json["rules"][0].at("id"), "R1");
  EXPECT_EQ(json["rules"][0].at("enabled"), true);
  EXPECT_EQ(json["rules"][0].at("action"), "decline");
  EXPECT_EQ(json["rules"][1].at("enabled"), false);
}

// The whole path: real state, committed, read over HTTP while nothing else runs.
TEST_F(AdminEndpointsTest, StateEndpointServesCommittedState) {
  CommitFourTransactions();
  Transaction("acc", "dev1", TransactionKind::kWithdrawal, 5, 5 * kMinuteMs);  // pending only
  AdminHandlers handlers;
  handlers.healthz = [] { return true; };
  handlers.readyz = [] { return std::make_pair(true, std::string()); };
  handlers.rules = [] { return std::string("{}"); };
  handlers.state = [this](const std::string& feature, const std::string& key) {
    return CommittedStateJson(*engine_, feature, key);
  };
  handlers.features = [this] {
    std::vector<std::string> names;
    for (const auto& spec : engine_->specs()) names.push_back(spec.name);
    return names;
  };
  auto server = AdminServer::Start("127.0.0.1:0", "", std::move(handlers));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const int port = (*server)->port();

  HttpReply reply = HttpGet(port, "/state/withdrawn_1h/acc");
  ASSERT_EQ(reply.status, 200) << reply.body << reply.error;
  Json json = Json::parse(reply.body);
  EXPECT_EQ(json.at("feature"), "withdrawn_1h");
  EXPECT_EQ(json.at("key"), "acc");
  EXPECT_EQ(json.at("value"), 460.0);
  EXPECT_EQ(json.at("count"), 3);
  EXPECT_EQ(json.at("exact"), true);
  EXPECT_EQ(json.at("window").at("lo"), 4 * kMinuteMs - kHourMs);
  EXPECT_EQ(json.at("window").at("hi"), 4 * kMinuteMs);

  reply = HttpGet(port, "/state/uses_of_device/acc+dev1");
  ASSERT_EQ(reply.status, 200) << reply.body << reply.error;
  json = Json::parse(reply.body);
  EXPECT_EQ(json.at("key"), Json({"acc", "dev1"}));
  EXPECT_EQ(json.at("value"), 3.0);

  reply = HttpGet(port, "/state/withdrawal_share/acc");
  ASSERT_EQ(reply.status, 200) << reply.body << reply.error;
  json = Json::parse(reply.body);
  EXPECT_EQ(json.at("value"), 0.75);
  EXPECT_TRUE(json.at("window").is_null());

  EXPECT_EQ(HttpGet(port, "/state/withdrawn_1h/nobody").status, 404);
  EXPECT_EQ(HttpGet(port, "/state/uses_of_device/acc").status, 400);
  reply = HttpGet(port, "/state/nope/acc");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(Json::parse(reply.body).at("features").size(), engine_->specs().size());
}

}  // namespace
}  // namespace riskstream
