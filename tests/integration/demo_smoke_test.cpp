// tests/integration/demo_smoke_test.cpp
//
// The README's main job, bounded: `riskstream demo` (embedded Kafka, generator, pipeline in one
// process) run as a user would from the source tree, checked through what it prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

using namespace std::chrono_literals;

// "[12.3s] produced 3000, decided 2994 (243/s) approve=... | dead letters 6 | alerts by rule: ..."
struct Summary {
  int64_t produced = 0, decided = 0, dead_letters = 0;
};

std::vector<Summary> Summaries(const std::string& output) {
  static const std::regex kLine(
      R"(^\[[0-9]+\.[0-9]s\] produced ([0-9]+), decided ([0-9]+) \([0-9]+/s\)(?: [a-z]+=[0-9]+)* \| dead letters ([0-9]+) \| alerts by rule:.*$)");
  std::vector<Summary> out;
  std::istringstream in(output);
  std::string line;
  std::smatch match;
  while (std::getline(in, line)) {
    if (std::regex_match(line, match, kLine)) {
      out.push_back({std::stoll(match[1]), std::stoll(match[2]), std::stoll(match[3])});
    }
  }
  return out;
}

TEST(DemoSmoke, BoundedDemoDecidesEveryRecordAndDeadLettersTheMalformedOnes) {
  TempDir dir;
  ProcessSpec spec;
  spec.argv = {RISKSTREAM_BINARY, "demo", "--config", "configs/riskstream.yaml",
               "--events",        "3000", "--rate",   "1500",
               "--duration",      "60"};
  spec.cwd = RISKSTREAM_SOURCE_DIR;
  spec.output_file = dir.Sub("demo.log");
  CommandResult result = RunCommand(spec, 120s);
  ASSERT_EQ(result.exit_code, 0) << result.output;

  std::vector<Summary> summaries = Summaries(result.output);
  ASSERT_FALSE(summaries.empty()) << "no summary line in:\n" << result.output;
  const Summary& last = summaries.back();
  EXPECT_EQ(last.produced, 3000) << result.output;
  EXPECT_GT(last.decided, 0);
  // Every 500th record is truncated by the demo: each must come back as a dead letter, and every
  // record as exactly one decision or dead letter.
  EXPECT_GE(last.dead_letters, 6);
  EXPECT_EQ(last.decided + last.dead_letters, last.produced) << result.output;
  EXPECT_THAT(result.output, ::testing::ContainsRegex("\nalerts on [0-9]+ events, [0-9]+ of them "
                                                      "from generated fraud scenarios"));
  EXPECT_THAT(result.output, ::testing::HasSubstr("DEAD-LETTER not_json"));
}

}  // namespace
}  // namespace riskstream
