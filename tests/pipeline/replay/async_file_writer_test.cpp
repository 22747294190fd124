#include "pipeline/replay/async_file_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Many blocks' worth of records of uneven sizes (some larger than a block) written to `path` reach
// the file whole and in order, the last partial block included.
void ExpectWrittenInOrder(const std::string& path, bool expect_direct, bool ask_direct = true) {
  auto file = AsyncFileWriter::Open(path, ask_direct);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::string expected;
  for (int i = 0; i < 40000; ++i) {
    std::string record = "{\"n\":" + std::to_string(i) + ",\"pad\":\"" +
                         std::string(static_cast<size_t>(i % 97) * 3, 'x') + "\"}\n";
    if (i % 10000 == 0) record += std::string(3 << 20, 'y') + "\n";
    expected += record;
    ASSERT_TRUE((*file)->Append(record).ok());
  }
  EXPECT_EQ((*file)->direct(), expect_direct);
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_TRUE((*file)->Close().ok());  // again: the same answer
  EXPECT_EQ(ReadFile(path), expected);
}

// Whether the file system of `dir` takes O_DIRECT writes of aligned blocks.
bool TakesDirectWrites(const std::string& dir) {
  const std::string probe = dir + "/direct-probe";
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
  if (fd < 0) return false;
  void* block = std::aligned_alloc(4096, 4096);
  std::memset(block, 'p', 4096);
  bool ok = ::write(fd, block, 4096) == 4096;
  std::free(block);
  ::close(fd);
  std::filesystem::remove(probe);
  return ok;
}

TEST(AsyncFileWriterTest, WritesEverythingInOrder) {
  TempDir dir;
  ExpectWrittenInOrder(dir.Sub("out.jsonl"), TakesDirectWrites(dir.path().string()));
}

TEST(AsyncFileWriterTest, WritesThroughThePageCacheWhenAsked) {
  TempDir dir;
  ExpectWrittenInOrder(dir.Sub("out.jsonl"), false, /*ask_direct=*/false);
}

// tmpfs before Linux 6.6 refuses O_DIRECT: every block then goes through the page cache, with the
// same result.
TEST(AsyncFileWriterTest, WritesThroughThePageCacheWhereDirectIsRefused) {
  const std::string shm = "/dev/shm";
  if (!std::filesystem::is_directory(shm) || TakesDirectWrites(shm)) {
    GTEST_SKIP() << "no tmpfs at /dev/shm that refuses O_DIRECT";
  }
  const std::string path = shm + "/riskstream-async-file-writer-" + std::to_string(::getpid());
  ExpectWrittenInOrder(path, false);
  std::filesystem::remove(path);
}

TEST(AsyncFileWriterTest, AnUnwritablePathIsAnErrorNamingIt) {
  TempDir dir;
  const std::string path = dir.Sub("missing-dir") + "/out.jsonl";
  auto file = AsyncFileWriter::Open(path);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find(path), std::string::npos) << file.status().ToString();
}

// A full disk (/dev/full) fails the writes: the error, with the path and the reason, comes back
// from a later Append or from Close, and nothing hangs.
TEST(AsyncFileWriterTest, AFailedWriteIsReportedByAppendOrClose) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  auto file = AsyncFileWriter::Open("/dev/full");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const std::string record(4096, 'z');
  Status failed = Status::Ok();
  for (int i = 0; i < 20000 && failed.ok(); ++i) failed = (*file)->Append(record);
  Status closed = (*file)->Close();
  EXPECT_FALSE(closed.ok());
  const Status& reported = failed.ok() ? closed : failed;
  EXPECT_NE(reported.message().find("/dev/full"), std::string::npos) << reported.ToString();
  EXPECT_NE(reported.message().find("No space left"), std::string::npos) << reported.ToString();
}

TEST(AsyncFileWriterTest, ASmallFileIsWrittenOnClose) {
  TempDir dir;
  const std::string path = dir.Sub("small.txt");
  auto file = AsyncFileWriter::Open(path);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("one line\n").ok());
  EXPECT_EQ(ReadFile(path), "");  // still in the caller's block
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(ReadFile(path), "one line\n");
}

}  // namespace
}  // namespace riskstream
