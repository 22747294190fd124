#include "generator/population/honest_population.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/generator/small_population.h"

namespace riskstream {
namespace {

class HonestPopulationTest : public ::testing::Test {
 protected:
  // 20000 honest units, 5 seconds apart.
  HonestPopulationTest() {
    TimestampMs now_ms = kTestStartMs;
    for (int i = 0; i < 20000; ++i, now_ms += 5 * kSecondMs) {
      for (EventDraft& draft : world_.population.NextUnit(now_ms, world_.rng)) {
        EXPECT_GE(draft.event_time_ms, now_ms);
        drafts_.push_back(std::move(draft));
      }
    }
  }

  SmallPopulation world_{11};
  const std::map<std::string, AccountProfile>& established_ = world_.established;
  std::vector<EventDraft> drafts_;
};

TEST_F(HonestPopulationTest, MostEventsAreTransactionsOfEstablishedAccounts) {
  size_t applications = 0, established_transactions = 0;
  std::set<std::string> applicants;
  for (const EventDraft& draft : drafts_) {
    if (const auto* app = std::get_if<ApplicationRecord>(&draft.record)) {
      ++applications;
      EXPECT_TRUE(applicants.insert(app->applicant_id).second) << "a person applies once";
      EXPECT_EQ(established_.count(app->account_id), 0u) << "applicants are new people";
    } else {
      established_transactions += established_.count(KeyOf(draft));
    }
  }
  EXPECT_GT(applications, 0.03 * drafts_.size());
  EXPECT_LT(applications, 0.10 * drafts_.size());
  EXPECT_GT(established_transactions, 0.8 * drafts_.size());
}

TEST_F(HonestPopulationTest, AccountsTransactMostlyFromTheirOwnDevices) {
  size_t own = 0, total = 0;
  for (const EventDraft& draft : drafts_) {
    const auto* tx = std::get_if<TransactionRecord>(&draft.record);
    if (tx == nullptr || established_.count(tx->account_id) == 0) continue;
    const AccountProfile& owner = established_.at(tx->account_id);
    ++total;
    own += tx->device_id == owner.device_id || tx->device_id == owner.second_device_id;
  }
  ASSERT_GT(total, 1000u);
  EXPECT_GT(own, 0.9 * total);
  EXPECT_LT(own, total) << "people also switch or borrow phones";
}

TEST_F(HonestPopulationTest, SomeIpsAreLegitimatelySharedByManyAccounts) {
  std::map<std::string, std::set<std::string>> accounts_per_ip;
  for (const EventDraft& draft : drafts_) {
    const auto* tx = std::get_if<TransactionRecord>(&draft.record);
    if (tx != nullptr) accounts_per_ip[tx->ip].insert(tx->account_id);
  }
  size_t shared = 0;
  for (const auto& [ip, accounts] : accounts_per_ip) shared += accounts.size() >= 5;
  EXPECT_GT(shared, 10u) << "carrier gateways and office NATs";
}

TEST_F(HonestPopulationTest, VictimsAreAccountsTheStreamHasSeen) {
  std::set<std::string> seen;
  for (const EventDraft& draft : drafts_) seen.insert(KeyOf(draft));
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(seen.count(world_.population.PickVictim(world_.rng).account_id), 1u);
  }
}

}  // namespace
}  // namespace riskstream
