// tests/pipeline/runtime/processing_guarantee_test.cpp
//
// How PipelineConfig chooses the processing guarantee and names the exactly-once resources: the
// default follows the broker (transactions need a real one), the embedded broker refuses
// exactly_once, and the transactional id and changelog topic derive from the group.
#include <gtest/gtest.h>

#include <string>

#include "pipeline/runtime/pipeline_config.h"
#include "tests/support/pipeline_test_config.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

class ProcessingGuarantee : public ::testing::Test {
 protected:
  // Loads the integration test config with `bootstrap` and `guarantee` ("": not set).
  Result<PipelineConfig> Load(const std::string& bootstrap, const std::string& guarantee) {
    TestPipelineConfig c;
    c.dir = dir_.path().string();
    c.bootstrap_servers = bootstrap;
    c.group_id = "fraud";
    c.state_dir = dir_.Sub("state");
    c.guarantee = guarantee;
    return LoadPipelineConfig(WriteTestPipelineConfig(c));
  }
  TempDir dir_;
};

TEST_F(ProcessingGuarantee, DefaultIsExactlyOnceWithBrokersAndAtLeastOnceEmbedded) {
  auto real = Load("127.0.0.1:9092", "");
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  EXPECT_EQ(real->guarantee, riskstream::ProcessingGuarantee::kExactlyOnce);
  auto embedded = Load("", "");
  ASSERT_TRUE(embedded.ok()) << embedded.status().ToString();
  EXPECT_EQ(embedded->guarantee, riskstream::ProcessingGuarantee::kAtLeastOnce);
}

TEST_F(ProcessingGuarantee, AtLeastOnceCanBeChosenWithBrokers) {
  auto config = Load("127.0.0.1:9092", "at_least_once");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->guarantee, riskstream::ProcessingGuarantee::kAtLeastOnce);
  EXPECT_EQ(ToString(config->guarantee), "at_least_once");
}

TEST_F(ProcessingGuarantee, ExactlyOnceOnTheEmbeddedBrokerIsRefused) {
  auto config = Load("", "exactly_once");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("embedded"), std::string::npos)
      << config.status().ToString();
}

TEST_F(ProcessingGuarantee, UnknownGuaranteeNamesItsLine) {
  auto config = Load("127.0.0.1:9092", "exactly_twice");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("pipeline.yaml:"), std::string::npos)
      << config.status().ToString();
}

TEST_F(ProcessingGuarantee, TransactionalIdAndChangelogDeriveFromTheGroup) {
  auto derived = Load("127.0.0.1:9092", "");
  ASSERT_TRUE(derived.ok()) << derived.status().ToString();
  EXPECT_EQ(derived->transactional_id, "fraud-riskstream");
  EXPECT_EQ(derived->topics.changelog, "fraud-changelog");
}

}  // namespace
}  // namespace riskstream
