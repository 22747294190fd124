#include "pipeline/log_file_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

// `count` numbered lines, gzip-compressed into `path`; returns the compressed bytes.
std::string WriteGzipLines(const std::string& path, int count) {
  gzFile file = gzopen(path.c_str(), "wb");
  for (int i = 1; i <= count; ++i) {
    std::string line =
        "{\"line\":" + std::to_string(i) + ",\"padding\":\"" + std::to_string(i * 7919) + "\"}\n";
    gzwrite(file, line.data(), static_cast<unsigned>(line.size()));
  }
  gzclose(file);
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Reads every line; the status of the read that ended it.
Status ReadAll(const std::string& path, std::vector<std::string>& lines) {
  auto reader = LogFileReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::string line;
  while (true) {
    auto more = (*reader)->Next(line);
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    lines.push_back(line);
  }
}

TEST(LogFileReader, ReadsACompleteGzipFileToItsEnd) {
  TempDir dir;
  std::string path = dir.Sub("log.jsonl.gz");
  WriteGzipLines(path, 50000);
  std::vector<std::string> lines;
  ASSERT_TRUE(ReadAll(path, lines).ok());
  ASSERT_EQ(lines.size(), 50000u);
  EXPECT_EQ(lines.back().substr(0, 15), "{\"line\":50000,\"");
}

TEST(LogFileReader, TruncatedGzipFileIsAnErrorNamingTheFileAndLine) {
  TempDir dir;
  std::string path = dir.Sub("cut.jsonl.gz");
  std::string bytes = WriteGzipLines(path, 50000);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  std::vector<std::string> lines;
  Status status = ReadAll(path, lines);
  ASSERT_FALSE(status.ok()) << "read " << lines.size() << " lines of a truncated file";
  EXPECT_EQ(status.code(), Status::Code::kIoError);
  EXPECT_NE(status.message().find(path + ": after line " + std::to_string(lines.size())),
            std::string::npos)
      << status.ToString();
  EXPECT_NE(status.message().find("cut short"), std::string::npos) << status.ToString();
  EXPECT_GT(lines.size(), 0u);
  EXPECT_LT(lines.size(), 50000u);
}

TEST(LogFileReader, PlainFileLastLineWithoutNewlineIsALine) {
  TempDir dir;
  std::string path = dir.Sub("log.jsonl");
  std::ofstream(path) << "a\r\nb\n\nc";
  std::vector<std::string> lines;
  ASSERT_TRUE(ReadAll(path, lines).ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "", "c"}));
}

}  // namespace
}  // namespace riskstream
