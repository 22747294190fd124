// The default fraud library (configs/rules.yaml over configs/features.yaml): every rule fires on a
// crafted event sequence through the real feature engine, and does not fire just below its
// threshold, outside its window or on missing identifiers.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "operators/features/feature_engine.h"
#include "operators/policy/rule_set.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

const TimestampMs kT0 = 1'790'000'000'000;  // 2026-09-21

class DefaultLibrary : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string configs = std::string(RISKSTREAM_SOURCE_DIR) + "/configs/";
    auto features = ParseFeatureSpecs(YAML::LoadFile(configs + "features.yaml")["features"],
                                      "features.yaml", 10 * kMinuteMs);
    ASSERT_TRUE(features.ok()) << features.status().ToString();
    std::vector<std::string> names;
    for (const auto& spec : *features) names.push_back(spec.name);
    // The shipped rules with deny lists that hold one entry each.
    std::filesystem::create_directories(dir_.path() / "lists");
    std::filesystem::copy_file(configs + "rules.yaml", dir_.Sub("rules.yaml"));
    std::ofstream(dir_.Sub("lists/deny_devices.txt")) << "dev-denied\n";
    std::ofstream(dir_.Sub("lists/deny_ips.txt")) << "203.0.113.66\n";
    std::ofstream(dir_.Sub("lists/deny_phones.txt")) << "phone-hash-denied\n";
    auto rules = RuleSet::LoadFile(dir_.Sub("rules.yaml"), names);
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    rules_ = *rules;
    auto db = StateDb::Open(dir_.Sub("db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    engine_ = std::make_unique<FeatureEngine>(*db_, std::move(*features), 4);
  }

  // The ids of the rules that fire on `event`, after its features are computed and applied.
  std::vector<std::string> Fired(const Event& event) {
    auto features = engine_->Evaluate(event);
    EXPECT_TRUE(features.ok()) << features.status().ToString();
    std::vector<std::string> ids;
    if (!features.ok()) return ids;
    for (const auto& fired : rules_->Evaluate(event, features->values).fired) {
      ids.push_back(fired.rule->id);
    }
    return ids;
  }
  bool Fires(const Event& event, const std::string& rule) {
    auto ids = Fired(event);
    return std::find(ids.begin(), ids.end(), rule) != ids.end();
  }

  Event App(const std::string& applicant, TimestampMs t) {
    Event e;
    e.type = EventType::kApplication;
    e.event_id = "app-" + std::to_string(++sequence_);
    e.event_time = t;
    e.applicant_id = applicant;
    e.account_id = "acc-" + applicant;
    e.device_id = "dev-" + applicant;
    e.phone_hash = "phone-" + applicant;
    e.id_number_hash = "id-" + applicant;
    e.ip = "198.51.100." + std::to_string(sequence_ % 250);
    e.declared_income = 8000;
    e.requested_amount = 10000;
    return e;
  }
  Event Tx(const std::string& account, TransactionKind kind, double amount, TimestampMs t) {
    Event e;
    e.type = EventType::kTransaction;
    e.event_id = "tx-" + std::to_string(++sequence_);
    e.event_time = t;
    e.account_id = account;
    e.kind = kind;
    e.amount = amount;
    e.device_id = "dev-of-" + account;
    e.ip = "198.51.100.7";
    return e;
  }

  TempDir dir_;
  std::unique_ptr<StateDb> db_;
  std::unique_ptr<FeatureEngine> engine_;
  std::shared_ptr<const RuleSet> rules_;
  int sequence_ = 0;
};

TEST_F(DefaultLibrary, DenyListsMatchListedIdentifiersOnly) {
  Event app = App("a", kT0);
  EXPECT_TRUE(Fired(app).empty());
  app = App("b", kT0 + 1);
  app.device_id = "dev-denied";
  EXPECT_TRUE(Fires(app, "DENY_LISTED_DEVICE"));
  app = App("c", kT0 + 2);
  app.ip = "203.0.113.66";
  EXPECT_TRUE(Fires(app, "DENY_LISTED_IP"));
  app = App("d", kT0 + 3);
  app.phone_hash = "phone-hash-denied";
  EXPECT_TRUE(Fires(app, "DENY_LISTED_PHONE"));
  Event tx = Tx("acc-a", TransactionKind::kPurchase, 10, kT0 + 4);
  tx.device_id = "dev-denied";
  EXPECT_TRUE(Fires(tx, "DENY_LISTED_DEVICE"));
}

TEST_F(DefaultLibrary, DeviceRingNeedsThreeApplicantsWithin24Hours) {
  auto on_device = [&](const std::string& who, TimestampMs t, const std::string& device) {
    Event e = App(who, t);
    e.device_id = device;
    return e;
  };
  EXPECT_FALSE(Fires(on_device("a", kT0, "ring"), "DEVICE_SHARED_BY_APPLICANTS"));
  EXPECT_FALSE(Fires(on_device("b", kT0 + kHourMs, "ring"), "DEVICE_SHARED_BY_APPLICANTS"));
  EXPECT_FALSE(Fires(on_device("b", kT0 + 2 * kHourMs, "ring"), "DEVICE_SHARED_BY_APPLICANTS"));
  EXPECT_TRUE(Fires(on_device("c", kT0 + 3 * kHourMs, "ring"), "DEVICE_SHARED_BY_APPLICANTS"));
  // A day later a and b have left the 24 h window: c and d make two.
  EXPECT_FALSE(
      Fires(on_device("d", kT0 + kDayMs + 2 * kHourMs + 1, "ring"), "DEVICE_SHARED_BY_APPLICANTS"));
  // Missing devices are never shared.
  for (const char* who : {"e", "f", "g"}) {
    EXPECT_FALSE(Fires(on_device(who, kT0 + 2 * kDayMs, ""), "DEVICE_SHARED_BY_APPLICANTS"));
  }
}

TEST_F(DefaultLibrary, SlowDeviceRingNeedsFiveApplicantsWithin30Days) {
  std::vector<std::string> fired;
  for (int i = 0; i < 5; ++i) {
    Event e = App("s" + std::to_string(i), kT0 + i * 2 * kDayMs);
    e.device_id = "slow";
    fired.push_back(Fires(e, "DEVICE_SHARED_OVER_MONTH") ? "y" : "n");
  }
  EXPECT_EQ(fired, (std::vector<std::string>{"n", "n", "n", "n", "y"}));
}

TEST_F(DefaultLibrary, IdentityReuseOnPhoneAndIdNumber) {
  for (int i = 0; i < 3; ++i) {
    Event e = App("p" + std::to_string(i), kT0 + i * kDayMs);
    e.phone_hash = "shared-phone";
    EXPECT_EQ(Fires(e, "PHONE_SHARED_BY_APPLICANTS"), i == 2) << i;
  }
  Event first = App("x", kT0);
  first.id_number_hash = "shared-id";
  EXPECT_FALSE(Fires(first, "ID_NUMBER_SHARED_BY_APPLICANTS"));
  Event same_person = App("x", kT0 + kDayMs);
  same_person.id_number_hash = "shared-id";
  EXPECT_FALSE(Fires(same_person, "ID_NUMBER_SHARED_BY_APPLICANTS"));
  Event other = App("y", kT0 + 2 * kDayMs);
  other.id_number_hash = "shared-id";
  EXPECT_TRUE(Fires(other, "ID_NUMBER_SHARED_BY_APPLICANTS"));
  Event later = App("z", kT0 + 40 * kDayMs);  // both earlier ones left the 30 d window
  later.id_number_hash = "shared-id";
  EXPECT_FALSE(Fires(later, "ID_NUMBER_SHARED_BY_APPLICANTS"));
}

TEST_F(DefaultLibrary, BurstsFromOneIpOrIdNumber) {
  for (int i = 0; i < 5; ++i) {
    Event e = App("ip" + std::to_string(i), kT0 + i * 2 * kMinuteMs);  // 8 minutes in all
    e.ip = "192.0.2.1";
    EXPECT_EQ(Fires(e, "APPLICATION_BURST_FROM_IP"), i == 4) << i;
  }
  for (int i = 0; i < 5; ++i) {
    Event e = App("slow" + std::to_string(i), kT0 + kDayMs + i * 3 * kMinuteMs);  // 12 minutes
    e.ip = "192.0.2.2";
    EXPECT_FALSE(Fires(e, "APPLICATION_BURST_FROM_IP")) << i;
  }
  for (int i = 0; i < 3; ++i) {
    Event e = App("same", kT0 + 2 * kDayMs + i * 8 * kHourMs);  // 16 hours
    EXPECT_EQ(Fires(e, "APPLICATION_BURST_FROM_ID"), i == 2) << i;
  }
}

TEST_F(DefaultLibrary, CashOutOfTheRequestedAmountRightAfterApplying) {
  // Each applicant requests 10000; the withdrawal is the new account's first transaction.
  Fired(App("c1", kT0));
  EXPECT_FALSE(Fires(Tx("acc-c1", TransactionKind::kWithdrawal, 8999, kT0 + 5 * kMinuteMs),
                     "CASH_OUT_AFTER_APPLICATION"));
  Fired(App("c2", kT0));
  EXPECT_TRUE(Fires(Tx("acc-c2", TransactionKind::kWithdrawal, 9000, kT0 + 10 * kMinuteMs),
                    "CASH_OUT_AFTER_APPLICATION"));
  Fired(App("c3", kT0));
  EXPECT_FALSE(Fires(Tx("acc-c3", TransactionKind::kPurchase, 9500, kT0 + 11 * kMinuteMs),
                     "CASH_OUT_AFTER_APPLICATION"));
  Fired(App("c4", kT0));
  EXPECT_FALSE(Fires(Tx("acc-c4", TransactionKind::kWithdrawal, 9500, kT0 + 30 * kMinuteMs),
                     "CASH_OUT_AFTER_APPLICATION"));
  // An established account drawing its new loan at once is normal.
  Fired(Tx("acc-c5", TransactionKind::kRepayment, 100, kT0 - kDayMs));
  Fired(App("c5", kT0));
  EXPECT_FALSE(Fires(Tx("acc-c5", TransactionKind::kWithdrawal, 9500, kT0 + kMinuteMs),
                     "CASH_OUT_AFTER_APPLICATION"));
}

TEST_F(DefaultLibrary, TakeoverIsALargeWithdrawalFromANewDeviceOnAnAccountWithHistory) {
  for (int i = 0; i < 5; ++i) Fired(Tx("acc-t", TransactionKind::kPurchase, 100, kT0 + i * kDayMs));
  const TimestampMs t = kT0 + 6 * kDayMs;
  EXPECT_FALSE(
      Fires(Tx("acc-t", TransactionKind::kWithdrawal, 5000, t), "NEW_DEVICE_LARGE_WITHDRAWAL"));
  Event small = Tx("acc-t", TransactionKind::kWithdrawal, 2999, t + 1);
  small.device_id = "new-1";
  EXPECT_FALSE(Fires(small, "NEW_DEVICE_LARGE_WITHDRAWAL"));
  Event large = Tx("acc-t", TransactionKind::kWithdrawal, 3000, t + 2);
  large.device_id = "new-2";
  EXPECT_TRUE(Fires(large, "NEW_DEVICE_LARGE_WITHDRAWAL"));
  // A fresh account (fewer than 5 transactions) is not a takeover target.
  Event fresh = Tx("acc-new", TransactionKind::kWithdrawal, 5000, t + 3);
  fresh.device_id = "new-3";
  EXPECT_FALSE(Fires(fresh, "NEW_DEVICE_LARGE_WITHDRAWAL"));
}

TEST_F(DefaultLibrary, ImpossibleTravelNeedsDistanceSpeedAndANewDevice) {
  auto at = [&](TimestampMs t, double lat, double lon, const std::string& device) {
    Event e = Tx("acc-g", TransactionKind::kPurchase, 50, t);
    e.geo = GeoPoint{lat, lon};
    e.device_id = device;
    return e;
  };
  EXPECT_FALSE(Fires(at(kT0, 39.9042, 116.4074, "d1"), "IMPOSSIBLE_TRAVEL"));  // Beijing
  // A located-less event in between does not reset the previous location.
  EXPECT_FALSE(
      Fires(Tx("acc-g", TransactionKind::kPurchase, 5, kT0 + kMinuteMs), "IMPOSSIBLE_TRAVEL"));
  // Shanghai (1067 km) 30 minutes later, 2134 km/h: from the usual device it is a location jump,
  // from a new device a takeover signal.
  EXPECT_FALSE(Fires(at(kT0 + 30 * kMinuteMs, 31.2304, 121.4737, "d1"), "IMPOSSIBLE_TRAVEL"));
  EXPECT_TRUE(Fires(at(kT0 + 31 * kMinuteMs, 39.9042, 116.4074, "d2"), "IMPOSSIBLE_TRAVEL"));
  // Shanghai again 2 hours later from another new device: 534 km/h, a flight.
  EXPECT_FALSE(Fires(at(kT0 + 151 * kMinuteMs, 31.2304, 121.4737, "d3"), "IMPOSSIBLE_TRAVEL"));
  // 400 km in a minute is under the 500 km floor.
  EXPECT_FALSE(Fires(at(kT0 + 152 * kMinuteMs, 34.6, 121.4737, "d4"), "IMPOSSIBLE_TRAVEL"));
}

TEST_F(DefaultLibrary, VelocityOfWithdrawalsAndOfAllTransactions) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Fires(Tx("acc-v", TransactionKind::kWithdrawal, 100, kT0 + i * 10 * kMinuteMs),
                    "WITHDRAWAL_VELOCITY"),
              i == 4)
        << i;
  }
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Fires(Tx("acc-w", TransactionKind::kPurchase, 10, kT0 + i * 5 * kMinuteMs),
                    "TRANSACTION_VELOCITY"),
              i == 9)
        << i;
  }
  // Ten spread over more than an hour never have ten in one window.
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(Fires(Tx("acc-x", TransactionKind::kPurchase, 10, kT0 + i * 7 * kMinuteMs),
                       "TRANSACTION_VELOCITY"))
        << i;
  }
}

TEST_F(DefaultLibrary, MerchantWithManyFreshAccountsOnSharedDevices) {
  for (int i = 0; i < 5; ++i) {
    const std::string who = "m" + std::to_string(i);
    Event app = App(who, kT0 + i * kHourMs);
    app.device_id = "mule-phone";
    Fired(app);
    Event buy = Tx("acc-" + who, TransactionKind::kPurchase, 3000, kT0 + i * kHourMs + kMinuteMs);
    buy.merchant_id = "merchant-new";
    buy.device_id = "mule-phone";
    EXPECT_EQ(Fires(buy, "MERCHANT_FRESH_ACCOUNT_CLUSTER"), i == 4) << i;
  }
  // Fresh accounts each on their own device at a busy new merchant are ordinary shoppers.
  for (int i = 0; i < 6; ++i) {
    const std::string who = "own" + std::to_string(i);
    Fired(App(who, kT0 + 10 * kDayMs + i * kMinuteMs));
    Event buy = Tx("acc-" + who, TransactionKind::kPurchase, 3000, kT0 + 10 * kDayMs + kHourMs);
    buy.merchant_id = "merchant-b";
    EXPECT_FALSE(Fires(buy, "MERCHANT_FRESH_ACCOUNT_CLUSTER")) << i;
  }
  // Old accounts (applied two days ago) sharing a device are not fresh.
  for (int i = 0; i < 6; ++i) Fired(App("old" + std::to_string(i), kT0 + 20 * kDayMs));
  for (int i = 0; i < 6; ++i) {
    Event buy = Tx("acc-old" + std::to_string(i), TransactionKind::kPurchase, 3000,
                   kT0 + 22 * kDayMs + i * kMinuteMs);
    buy.merchant_id = "merchant-c";
    buy.device_id = "shared-old";
    EXPECT_FALSE(Fires(buy, "MERCHANT_FRESH_ACCOUNT_CLUSTER")) << i;
  }
}

TEST_F(DefaultLibrary, MerchantWithConfirmedFraudHistory) {
  // 20 purchases 10 days ago, 4 of them labelled fraud: 20 %.
  for (int i = 0; i < 20; ++i) {
    Event buy =
        Tx("acc-h" + std::to_string(i), TransactionKind::kPurchase, 100, kT0 + i * kMinuteMs);
    buy.merchant_id = "merchant-h";
    Fired(buy);
    if (i % 5 == 0) {
      Event label;
      label.type = EventType::kLabel;
      label.event_id = "label-" + buy.event_id;
      label.event_time = kT0 + kDayMs;
      label.labelled_event_id = buy.event_id;
      label.label = LabelKind::kFraud;
      Fired(label);
    }
  }
  Event now = Tx("acc-now", TransactionKind::kPurchase, 100, kT0 + 10 * kDayMs);
  now.merchant_id = "merchant-h";
  EXPECT_TRUE(Fires(now, "MERCHANT_CONFIRMED_FRAUD"));
  Event other = Tx("acc-now", TransactionKind::kPurchase, 100, kT0 + 10 * kDayMs + 1);
  other.merchant_id = "merchant-clean";
  EXPECT_FALSE(Fires(other, "MERCHANT_CONFIRMED_FRAUD"));
}

TEST_F(DefaultLibrary, AnHonestCustomerFiresNothing) {
  Event app = App("honest", kT0);
  EXPECT_TRUE(Fired(app).empty());
  for (int i = 0; i < 6; ++i) {
    Event tx = Tx("acc-honest", i % 2 ? TransactionKind::kPurchase : TransactionKind::kWithdrawal,
                  800, kT0 + kDayMs + i * 6 * kHourMs);
    tx.merchant_id = i % 2 ? "merchant-shop" : "";
    tx.geo = GeoPoint{39.9 + i * 0.01, 116.4};
    EXPECT_TRUE(Fired(tx).empty()) << i;
  }
}

}  // namespace
}  // namespace riskstream
