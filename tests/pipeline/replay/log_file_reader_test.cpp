#include "pipeline/replay/log_file_reader.h"

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

// Reads `path` expecting an IoError that names the file, the last line read and `reason`; returns
// the lines read before it.
size_t ExpectReadErrorAfterLastLine(const std::string& path, const std::string& reason) {
  std::vector<std::string> lines;
  Status status = ReadAll(path, lines);
  EXPECT_FALSE(status.ok()) << "read " << lines.size() << " lines of " << path;
  EXPECT_EQ(status.code(), Status::Code::kIoError);
  EXPECT_NE(status.message().find(path + ": after line " + std::to_string(lines.size())),
            std::string::npos)
      << status.ToString();
  EXPECT_NE(status.message().find(reason), std::string::npos) << status.ToString();
  return lines.size();
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
  size_t read = ExpectReadErrorAfterLastLine(path, "cut short");
  EXPECT_GT(read, 0u);
  EXPECT_LT(read, 50000u);
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
  ExpectReadErrorAfterLastLine(path, "CRC-32");

  bytes = WriteGzipLines(path, 50000);
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) bytes[i] = '\xff';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_LT(ExpectReadErrorAfterLastLine(path, "corrupt"), 50000u);
}

// A last line without '\n' is still a line, '\r' before '\n' is dropped, and a file is gzip only
// when it starts with the whole magic number.
TEST(LogFileReader, PlainFilesSplitIntoLines) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"a\r\nb\n\nc", {"a", "b", "", "c"}}, {"", {}}, {"\x1f", {"\x1f"}}};
  for (const auto& [content, expected] : cases) {
    std::string path = dir.Sub("log.jsonl");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    std::vector<std::string> lines;
    ASSERT_TRUE(ReadAll(path, lines).ok()) << content;
    EXPECT_EQ(lines, expected) << content;
  }
}

}  // namespace
}  // namespace riskstream
