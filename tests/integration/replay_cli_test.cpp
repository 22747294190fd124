// tests/integration/replay_cli_test.cpp
//
// `riskstream replay` as a user runs it: a generated log replayed with the window state cache
// given on the command line, and a cache size that is not one refused before anything runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

using namespace std::chrono_literals;

size_t LineCount(const std::string& path) {
  std::ifstream in(path);
  size_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

ProcessSpec Replay(const TempDir& dir, const std::string& cache) {
  ProcessSpec spec;
  spec.argv = {RISKSTREAM_BINARY, "replay",
               "--config",        "configs/riskstream.yaml",
               "--input",         dir.Sub("log.jsonl"),
               "--out",           dir.Sub("out"),
               "--cache",         cache};
  spec.cwd = RISKSTREAM_SOURCE_DIR;
  spec.output_file = dir.Sub("replay.log");
  spec.env = {{"RISKSTREAM_PII_KEY", "replay-cli-test-pii-key-0123456789"}};
  return spec;
}

TEST(ReplayCli, CacheOptionSetsTheBudgetAndRefusesWhatIsNotASize) {
  TempDir dir;
  ProcessSpec generate;
  generate.argv = {RISKSTREAM_BINARY, "generate", "--events",          "500",
                   "--truth",         "--out",    dir.Sub("log.jsonl")};
  generate.output_file = dir.Sub("generate.log");
  CommandResult generated = RunCommand(generate, 60s);
  ASSERT_EQ(generated.exit_code, 0) << generated.output;

  CommandResult bad = RunCommand(Replay(dir, "12GB"), 60s);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("'12GB' is not a byte size"), std::string::npos) << bad.output;
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("out/decisions.jsonl")));

  CommandResult good = RunCommand(Replay(dir, "1MiB"), 120s);
  ASSERT_EQ(good.exit_code, 0) << good.output;
  EXPECT_GE(LineCount(dir.Sub("out/decisions.jsonl")), 490u) << good.output;
}

}  // namespace
}  // namespace riskstream
