#include "generator/scenarios/fraud_scenario.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "generator/scenarios/fraud_building_blocks.h"
#include "tests/generator/small_population.h"

namespace riskstream {
namespace {

constexpr TimestampMs kStartMs = kTestStartMs;

std::vector<ApplicationRecord> Applications(const std::vector<EventDraft>& episode) {
  std::vector<ApplicationRecord> out;
  for (const EventDraft& draft : episode) {
    if (const auto* app = std::get_if<ApplicationRecord>(&draft.record)) out.push_back(*app);
  }
  return out;
}

std::vector<std::pair<TimestampMs, TransactionRecord>> Transactions(
    const std::vector<EventDraft>& episode) {
  std::vector<std::pair<TimestampMs, TransactionRecord>> out;
  for (const EventDraft& draft : episode) {
    if (const auto* tx = std::get_if<TransactionRecord>(&draft.record)) {
      out.emplace_back(draft.event_time_ms, *tx);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

DurationMs Span(const std::vector<EventDraft>& episode) {
  const auto [first, last] = std::minmax_element(
      episode.begin(), episode.end(),
      [](const EventDraft& a, const EventDraft& b) { return a.event_time_ms < b.event_time_ms; });
  return last->event_time_ms - first->event_time_ms;
}

template <typename Container, typename Field>
std::set<std::string> Distinct(const Container& items, Field field) {
  std::set<std::string> out;
  for (const auto& item : items) out.insert(field(item));
  return out;
}

class FraudScenarioTest : public ::testing::Test {
 protected:
  std::vector<std::vector<EventDraft>> Episodes(ScenarioFn run, int count = 40) {
    ScenarioInputs inputs = world_.inputs();
    std::vector<std::vector<EventDraft>> episodes;
    for (int i = 0; i < count; ++i) episodes.push_back(run(kStartMs, inputs));
    return episodes;
  }

  SmallPopulation world_{7};
  std::map<std::string, AccountProfile>& established_ = world_.established;
};

TEST_F(FraudScenarioTest, EveryScenarioWritesEventsAtOrAfterItsStartOnly) {
  ASSERT_EQ(FraudScenarios().size(), 7u);
  for (const FraudScenario& scenario : FraudScenarios()) {
    for (const auto& episode : Episodes(scenario.run, 20)) {
      ASSERT_FALSE(episode.empty()) << scenario.name;
      for (const EventDraft& draft : episode) EXPECT_GE(draft.event_time_ms, kStartMs);
    }
  }
}

TEST_F(FraudScenarioTest, DeviceRingPutsManyIdentitiesOnFewDevicesWithinHours) {
  std::set<size_t> sizes;
  for (const auto& episode : Episodes(DeviceRing)) {
    const auto apps = Applications(episode);
    sizes.insert(apps.size());
    EXPECT_GE(apps.size(), 6u);
    EXPECT_LE(apps.size(), 30u);
    const auto devices = Distinct(apps, [](const auto& app) { return app.device_id; });
    EXPECT_LE(devices.size(), 3u);
    EXPECT_EQ(Distinct(apps, [](const auto& app) { return app.applicant_id; }).size(), apps.size());
    EXPECT_EQ(Distinct(apps, [](const auto& app) { return app.phone; }).size(), apps.size());
    const auto accounts = Distinct(apps, [](const auto& app) { return app.account_id; });
    for (const auto& [at_ms, tx] : Transactions(episode)) {
      EXPECT_EQ(tx.kind, TransactionKind::kWithdrawal);
      EXPECT_EQ(accounts.count(tx.account_id), 1u) << "withdraws from a ring account";
      EXPECT_EQ(devices.count(tx.device_id), 1u) << "on a ring device";
    }
    EXPECT_LE(Span(episode), 12 * kHourMs) << "6 hours of applications, withdrawals within 6 more";
  }
  EXPECT_GE(sizes.size(), 8u) << "ring sizes should vary between episodes";
}

TEST_F(FraudScenarioTest, IpBurstSendsManyApplicationsFromOneIpWithinMinutes) {
  for (const auto& episode : Episodes(IpBurst)) {
    const auto apps = Applications(episode);
    EXPECT_EQ(apps.size(), episode.size());
    EXPECT_GE(apps.size(), 8u);
    EXPECT_EQ(Distinct(apps, [](const auto& app) { return app.ip; }).size(), 1u);
    EXPECT_EQ(Distinct(apps, [](const auto& app) { return app.applicant_id; }).size(), apps.size());
    EXPECT_LE(Span(episode), 15 * kMinuteMs);
  }
}

TEST_F(FraudScenarioTest, IdentityReuseSharesAnIdNumberOrPhoneAcrossApplicants) {
  int id_shared = 0, phone_shared = 0;
  for (const auto& episode : Episodes(IdentityReuse)) {
    const auto apps = Applications(episode);
    EXPECT_GE(apps.size(), 3u);
    EXPECT_LE(apps.size(), 8u);
    EXPECT_EQ(Distinct(apps, [](const auto& app) { return app.applicant_id; }).size(), apps.size());
    const bool same_id = Distinct(apps, [](const auto& app) { return app.id_number; }).size() == 1;
    const bool same_phone = Distinct(apps, [](const auto& app) { return app.phone; }).size() == 1;
    EXPECT_TRUE(same_id || same_phone);
    id_shared += same_id;
    phone_shared += same_phone;
    EXPECT_LE(Span(episode), 2 * kDayMs);
  }
  EXPECT_GT(id_shared, 0);
  EXPECT_GT(phone_shared, 0);
}

TEST_F(FraudScenarioTest, CashOutWithdrawsNinetyPercentOfThePlausibleLimitWithinMinutes) {
  for (const auto& episode : Episodes(CashOutAfterApproval)) {
    const auto apps = Applications(episode);
    ASSERT_EQ(apps.size(), 1u);
    const double limit = PlausibleLimit(apps[0]);
    double withdrawn = 0;
    for (const auto& [at_ms, tx] : Transactions(episode)) {
      EXPECT_EQ(tx.kind, TransactionKind::kWithdrawal);
      EXPECT_EQ(tx.account_id, apps[0].account_id);
      EXPECT_GT(at_ms, kStartMs);
      EXPECT_LE(at_ms, kStartMs + 20 * kMinuteMs);
      withdrawn += tx.amount_cny;
    }
    EXPECT_GE(withdrawn, 0.9 * limit - 0.01);
    EXPECT_LE(withdrawn, limit + 0.01);
  }
}

TEST_F(FraudScenarioTest, AccountTakeoverDrainsAnEstablishedAccountFromAFarNewDevice) {
  for (const auto& episode : Episodes(AccountTakeover)) {
    const auto txs = Transactions(episode);
    ASSERT_FALSE(txs.empty());
    const auto victim = established_.find(txs[0].second.account_id);
    ASSERT_NE(victim, established_.end()) << "the victim is an established account";
    const AccountProfile& owner = victim->second;
    double withdrawn = 0;
    for (const auto& [at_ms, tx] : txs) {
      EXPECT_EQ(tx.account_id, owner.account_id);
      EXPECT_NE(tx.device_id, owner.device_id);
      EXPECT_NE(tx.device_id, owner.second_device_id.value_or(""));
      EXPECT_NE(tx.ip, owner.home_ip);
      if (tx.geo) {
        EXPECT_GE(DistanceKm(*tx.geo, owner.home), 950);
      }
      if (tx.kind == TransactionKind::kWithdrawal) withdrawn += tx.amount_cny;
      EXPECT_LE(at_ms, kStartMs + 100 * kMinuteMs);
    }
    EXPECT_GE(withdrawn, 0.7 * owner.credit_limit_cny - 100);
    EXPECT_LE(withdrawn, owner.credit_limit_cny + 0.01);
  }
}

TEST_F(FraudScenarioTest, MerchantCollusionSendsSimilarPurchasesFromFreshAccountsToANewMerchant) {
  std::set<std::string> established_merchants;
  for (uint64_t m = 0; m < MerchantCatalog::kMerchantCount; ++m) {
    established_merchants.insert(world_.ids.MerchantId(m));
  }
  std::set<double> bases;
  for (const auto& episode : Episodes(MerchantCollusion)) {
    std::map<std::string, TimestampMs> opened_ms;
    for (const EventDraft& draft : episode) {
      if (const auto* app = std::get_if<ApplicationRecord>(&draft.record)) {
        opened_ms[app->account_id] = draft.event_time_ms;
      }
    }
    const auto purchases = Transactions(episode);
    EXPECT_GE(purchases.size(), 8u);
    EXPECT_EQ(purchases.size(), opened_ms.size());
    const auto merchants = Distinct(purchases, [](const auto& p) { return *p.second.merchant_id; });
    ASSERT_EQ(merchants.size(), 1u);
    EXPECT_EQ(established_merchants.count(*merchants.begin()), 0u);
    std::vector<double> amounts;
    for (const auto& [at_ms, tx] : purchases) {
      EXPECT_EQ(tx.kind, TransactionKind::kPurchase);
      ASSERT_EQ(opened_ms.count(tx.account_id), 1u);
      EXPECT_GT(at_ms, opened_ms[tx.account_id]) << "the account is opened first";
      amounts.push_back(tx.amount_cny);
    }
    std::sort(amounts.begin(), amounts.end());
    const double median = amounts[amounts.size() / 2];
    bases.insert(median);
    EXPECT_GE(amounts.front(), 0.7 * median);
    EXPECT_LE(amounts.back(), 1.3 * median);
  }
  EXPECT_GE(bases.size(), 30u) << "amounts should vary between episodes";
}

TEST_F(FraudScenarioTest, VelocityMakesManyWithdrawalsFromOneAccountWithinAnHour) {
  for (const auto& episode : Episodes(Velocity)) {
    const auto txs = Transactions(episode);
    EXPECT_GE(txs.size(), 6u);
    EXPECT_LE(txs.size(), 25u);
    EXPECT_EQ(Distinct(txs, [](const auto& tx) { return tx.second.account_id; }).size(), 1u);
    EXPECT_LT(txs.back().first - txs.front().first, kHourMs);
    for (const auto& [at_ms, tx] : txs) EXPECT_EQ(tx.kind, TransactionKind::kWithdrawal);
  }
}

TEST(SplitAmount, PartsAddUpToTheTotal) {
  RandomSource rng(1);
  for (int parts = 1; parts <= 4; ++parts) {
    const std::vector<double> amounts = SplitAmount(12345.67, parts, 100, rng);
    ASSERT_EQ(amounts.size(), static_cast<size_t>(parts));
    double sum = 0;
    for (double amount : amounts) {
      EXPECT_GT(amount, 0);
      sum += amount;
    }
    EXPECT_NEAR(sum, 12345.67, 0.001);
  }
}

}  // namespace
}  // namespace riskstream
