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

TEST(LogFileReader, ConcatenatedMembersAreReadThroughAndTrailingBytesIgnored) {
  TempDir dir;
  std::string path = dir.Sub("members.jsonl.gz");
  std::string bytes;
  for (int member = 0; member < 3; ++member) bytes += WriteGzipLines(dir.Sub("part.gz"), 20000);
  bytes += std::string(5, '\0');  // padding after the last member, which gzread ignores too
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  auto reader = LogFileReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string line;
  int64_t count = 0;
  while (true) {
    auto more = (*reader)->Next(line);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    ++count;
    int expected = static_cast<int>((count - 1) % 20000) + 1;
    ASSERT_EQ(line.substr(0, 8 + std::to_string(expected).size() + 1),
              "{\"line\":" + std::to_string(expected) + ",")
        << "line " << count;
  }
  EXPECT_EQ(count, 60000);
  EXPECT_EQ((*reader)->line_number(), 60000);
  EXPECT_EQ((*reader)->bytes_read(), (*reader)->file_bytes());
}

TEST(LogFileReader, CorruptGzipDataIsAnErrorNamingTheFileAndLine) {
  TempDir dir;
  std::string path = dir.Sub("bad.jsonl.gz");
  std::string bytes = WriteGzipLines(path, 50000);
  bytes[bytes.size() - 8] ^= 0x5a;  // the trailer's CRC-32 no longer matches the data
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  std::vector<std::string> lines;
  Status status = ReadAll(path, lines);
  ASSERT_FALSE(status.ok()) << "read " << lines.size() << " lines of a corrupt file";
  EXPECT_EQ(status.code(), Status::Code::kIoError);
  EXPECT_NE(status.message().find(path + ": after line " + std::to_string(lines.size())),
            std::string::npos)
      << status.ToString();
  EXPECT_NE(status.message().find("CRC-32"), std::string::npos) << status.ToString();

  bytes = WriteGzipLines(path, 50000);
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) bytes[i] = '\xff';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  lines.clear();
  status = ReadAll(path, lines);
  ASSERT_FALSE(status.ok()) << "read " << lines.size() << " lines of a corrupt file";
  EXPECT_NE(status.message().find(path + ": after line "), std::string::npos) << status.ToString();
  EXPECT_LT(lines.size(), 50000u);
}

TEST(LogFileReader, EmptyAndOneByteFilesArePlainText) {
  TempDir dir;
  std::string empty = dir.Sub("empty.jsonl");
  std::ofstream(empty) << "";
  std::vector<std::string> lines;
  ASSERT_TRUE(ReadAll(empty, lines).ok());
  EXPECT_TRUE(lines.empty());
  std::string one = dir.Sub("one.jsonl");
  std::ofstream(one) << "\x1f";  // half a gzip magic number is still text
  ASSERT_TRUE(ReadAll(one, lines).ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"\x1f"}));
}

}  // namespace
}  // namespace riskstream
