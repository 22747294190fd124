#include "state/db/sorted_rows.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace riskstream {
namespace {

// Records what it is given, in order.
struct Recorder final : RowWriter {
  void Put(StateFamily family, std::string_view key, std::string_view value) override {
    rows.push_back(std::to_string(static_cast<int>(family)) + " " + std::string(key) + "=" +
                   std::string(value));
  }
  void Delete(StateFamily family, std::string_view key) override {
    rows.push_back(std::to_string(static_cast<int>(family)) + " " + std::string(key) + " deleted");
  }
  void MarkPrefixWritten(StateFamily family, std::string_view prefix) override {
    rows.push_back(std::to_string(static_cast<int>(family)) + " " + std::string(prefix) + "*");
  }
  std::vector<std::string> rows;
};

TEST(SortedRows, HandsRowsOnInFamilyAndKeyOrderKeepingTheOrderOfOneKey) {
  SortedRows rows;
  rows.Put(StateFamily::kEvents, "b", "1");
  rows.Put(StateFamily::kWindows, "z", "2");
  rows.Put(StateFamily::kWindows, "b", "old");
  rows.Delete(StateFamily::kWindows, "b");
  rows.Put(StateFamily::kWindows, "b", "new");
  rows.Put(StateFamily::kWindows, "a", "");
  // Bytes compare unsigned, as RocksDB's default comparator does.
  rows.Put(StateFamily::kWindows, std::string("\xff", 1), "high");
  rows.Put(StateFamily::kWindows, std::string("\x01", 1), "low");
  EXPECT_EQ(rows.size(), 8u);
  Recorder out;
  rows.WriteTo(out);
  EXPECT_EQ(out.rows, (std::vector<std::string>{"0 \x01=low", "0 a=", "0 b=old", "0 b deleted",
                                                "0 b=new", "0 z=2", "0 \xff=high", "2 b=1"}));
}

// A prefix noted while staging reaches the writer before any row (rows under it may be among them).
TEST(SortedRows, HandsNotedPrefixesOnBeforeTheRows) {
  SortedRows rows;
  rows.Put(StateFamily::kWindows, "a", "1");
  rows.MarkPrefixWritten(StateFamily::kWindows, "z");
  rows.Put(StateFamily::kWindows, "z1", "2");
  Recorder out;
  rows.WriteTo(out);
  EXPECT_EQ(out.rows, (std::vector<std::string>{"0 z*", "0 a=1", "0 z1=2"}));
}

TEST(SortedRows, KeepsBytesOfRowsLargerThanItsChunks) {
  SortedRows rows;
  const std::string large(3 << 20, 'x');
  for (int i = 9; i >= 0; --i) rows.Put(StateFamily::kWindows, "k" + std::to_string(i), "v");
  rows.Put(StateFamily::kWindows, "k5", large);
  for (int i = 0; i < 10000; ++i) rows.Put(StateFamily::kCredit, "c" + std::to_string(i), "v");
  Recorder out;
  rows.WriteTo(out);
  ASSERT_EQ(out.rows.size(), 10011u);
  EXPECT_EQ(out.rows[0], "0 k0=v");
  EXPECT_EQ(out.rows[6], "0 k5=" + large);
  EXPECT_EQ(out.rows[10], "0 k9=v");
  EXPECT_EQ(out.rows[11], "3 c0=v");
}

}  // namespace
}  // namespace riskstream
