#include "pipeline/runtime/pipeline_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/pipeline_test_config.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

// The test pipeline config with `cache_bytes: <value>` in its state section (none when empty).
Result<PipelineConfig> LoadWithCacheBytes(const TempDir& dir, const std::string& value) {
  TestPipelineConfig c;
  c.dir = dir.path().string();
  c.state_dir = dir.Sub("state");
  const std::string path = WriteTestPipelineConfig(c);
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  std::string yaml = text.str();
  if (!value.empty()) {
    const std::string anchor = "  commit_max_events: 2000\n";
    yaml.replace(yaml.find(anchor), anchor.size(), anchor + "  cache_bytes: " + value + "\n");
  }
  std::ofstream(path) << yaml;
  return LoadPipelineConfig(path);
}

TEST(PipelineConfig, StateCacheBytesDefaultsTo64MiB) {
  TempDir dir;
  auto config = LoadWithCacheBytes(dir, "");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->state_cache_bytes, size_t{64} << 20);
}

TEST(PipelineConfig, StateCacheBytesTakesBytesOrBinaryUnits) {
  const std::pair<const char*, size_t> cases[] = {{"1048576", 1048576},
                                                  {"16MiB", size_t{16} << 20},
                                                  {"2GiB", size_t{2} << 30},
                                                  {"512KiB", 512 << 10},
                                                  {"0", 0}};
  for (const auto& [text, bytes] : cases) {
    TempDir dir;
    auto config = LoadWithCacheBytes(dir, text);
    ASSERT_TRUE(config.ok()) << text << ": " << config.status().ToString();
    EXPECT_EQ(config->state_cache_bytes, bytes) << text;
  }
}

TEST(PipelineConfig, StateCacheBytesRejectsOtherTextWithItsPosition) {
  for (const char* text : {"lots", "64MB", "-1", "1.5GiB"}) {
    TempDir dir;
    auto config = LoadWithCacheBytes(dir, text);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_NE(config.status().message().find("pipeline.yaml:"), std::string::npos)
        << config.status().ToString();
    EXPECT_NE(config.status().message().find("not a byte size"), std::string::npos);
  }
}

// How PipelineConfig chooses the processing guarantee and names the exactly-once resources: the
// default follows the broker (transactions need a real one), the embedded broker refuses
// exactly_once, and the transactional id and changelog topic derive from the group.
class PipelineConfigGuarantee : public ::testing::Test {
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

TEST_F(PipelineConfigGuarantee, DefaultIsExactlyOnceWithBrokersAndAtLeastOnceEmbedded) {
  auto real = Load("127.0.0.1:9092", "");
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  EXPECT_EQ(real->guarantee, riskstream::ProcessingGuarantee::kExactlyOnce);
  auto embedded = Load("", "");
  ASSERT_TRUE(embedded.ok()) << embedded.status().ToString();
  EXPECT_EQ(embedded->guarantee, riskstream::ProcessingGuarantee::kAtLeastOnce);
}

TEST_F(PipelineConfigGuarantee, AtLeastOnceCanBeChosenWithBrokers) {
  auto config = Load("127.0.0.1:9092", "at_least_once");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->guarantee, riskstream::ProcessingGuarantee::kAtLeastOnce);
  EXPECT_EQ(ToString(config->guarantee), "at_least_once");
}

TEST_F(PipelineConfigGuarantee, ExactlyOnceOnTheEmbeddedBrokerIsRefused) {
  auto config = Load("", "exactly_once");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("embedded"), std::string::npos)
      << config.status().ToString();
}

TEST_F(PipelineConfigGuarantee, UnknownGuaranteeNamesItsLine) {
  auto config = Load("127.0.0.1:9092", "exactly_twice");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("pipeline.yaml:"), std::string::npos)
      << config.status().ToString();
}

TEST_F(PipelineConfigGuarantee, TransactionalIdAndChangelogDeriveFromTheGroup) {
  auto derived = Load("127.0.0.1:9092", "");
  ASSERT_TRUE(derived.ok()) << derived.status().ToString();
  EXPECT_EQ(derived->transactional_id, "fraud-riskstream");
  EXPECT_EQ(derived->topics.changelog, "fraud-changelog");
}

}  // namespace
}  // namespace riskstream
