// tests/support/real_kafka_test_base.h
//
// RealKafkaTestBase is a GoogleTest fixture for tests on a real Kafka broker: one broker per test
// suite (started in SetUpTestSuite, stopped by PID in TearDownTestSuite), and per test a fresh
// topic prefix, so tests sharing the broker never see each other's topics or groups, also when a
// test is repeated.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/support/pipeline_test_config.h"
#include "tests/support/real_kafka_broker.h"

namespace riskstream {

class RealKafkaTestBase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv(kTestPiiKeyEnv, kTestPiiKey, 1);
    broker_ = RealKafkaBroker::Start(&start_error_);
  }
  static void TearDownTestSuite() { broker_.reset(); }

  // Requires the broker, picks this test's prefix_ and creates `prefix_ + name` with `partitions`
  // partitions for every name in every list of `topic_lists`. Call with ASSERT_NO_FATAL_FAILURE.
  void CreateTestTopics(const std::vector<std::vector<std::string>>& topic_lists, int partitions) {
    ASSERT_NE(broker_, nullptr) << "real Kafka broker did not start: " << start_error_;
    prefix_ = std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
              std::to_string(std::random_device()() % 1000000) + "-";
    for (const auto& names : topic_lists) {
      for (const auto& name : names) {
        std::string error;
        ASSERT_TRUE(broker_->CreateTopic(prefix_ + name, partitions, &error)) << error;
      }
    }
  }

  static inline std::unique_ptr<RealKafkaBroker> broker_;
  static inline std::string start_error_;
  std::string prefix_;
};

}  // namespace riskstream
