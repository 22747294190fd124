#include "state/windows/window_state.h"

#include <gtest/gtest.h>

#include <string>

namespace riskstream {
namespace {

TEST(WindowEntry, KeepsItsTextOutOfLineThroughEveryChange) {
  WindowEntry entry;
  EXPECT_EQ(entry.text(), "");
  entry.set_text("device-1");
  EXPECT_EQ(entry.text(), "device-1");
  entry.set_text("device-2");  // the same size: written over in place
  EXPECT_EQ(entry.text(), "device-2");
  entry.set_text(entry.text());  // its own text
  EXPECT_EQ(entry.text(), "device-2");
  entry.set_text(entry.text().substr(2));  // a part of its own text: read before it is freed
  EXPECT_EQ(entry.text(), "vice-2");
  entry.set_text(std::string(300, 'x'));
  EXPECT_EQ(entry.text(), std::string(300, 'x'));
  entry.clear_text();
  EXPECT_EQ(entry.text(), "");
}

TEST(WindowEntry, ChunkAndUncountedShareAWordWithoutTouchingEachOther) {
  WindowEntry entry;
  entry.chunk = (1u << 31) - 1;  // the largest chunk id
  EXPECT_EQ(entry.uncounted, 0u);
  entry.uncounted = 1;
  EXPECT_EQ(entry.chunk, (1u << 31) - 1);
  entry.chunk = 0;
  EXPECT_EQ(entry.uncounted, 1u);
  EXPECT_EQ(sizeof(WindowEntry), 40u);  // memory per logged contribution (docs/CONFIG.md)
}

TEST(WindowState, CountsTheMemoryItHoldsAsideAndGivesBackTheChangesWhenCommitted) {
  WindowState e;
  const size_t empty = e.Bytes();
  e.sets();  // made on first use
  EXPECT_EQ(e.Bytes(), empty + sizeof(WindowState::Multisets));
  e.CountMultisetBytes(64);
  EXPECT_EQ(e.Bytes(), empty + sizeof(WindowState::Multisets) + 64);
  e.CountMultisetBytes(-64);
  EXPECT_EQ(e.Bytes(), empty + sizeof(WindowState::Multisets));

  // The same log built in order (no chunk changes) and backwards (every insert changes an older
  // chunk), then its oldest entries expired (chunks to delete).
  WindowState in_order, backwards, no_texts;
  for (int i = 0; i < 100; ++i) in_order.Insert(i, static_cast<uint64_t>(i), 1, "text");
  for (int i = 99; i >= 0; --i) backwards.Insert(i, static_cast<uint64_t>(i), 1, "text");
  for (int i = 0; i < 100; ++i) no_texts.Insert(i, static_cast<uint64_t>(i), 1, "");
  in_order.Committed();
  no_texts.Committed();
  for (WindowState* w : {&in_order, &backwards, &no_texts}) {
    for (int i = 0; i < 40; ++i) w->PopFront();
  }
  EXPECT_GT(backwards.Bytes(), in_order.Bytes());  // its chunk changes are counted
  for (WindowState* w : {&in_order, &backwards, &no_texts}) w->Committed();
  EXPECT_EQ(backwards.Bytes(), in_order.Bytes());          // and given back, to the byte
  EXPECT_EQ(in_order.Bytes(), no_texts.Bytes() + 60 * 4);  // the 60 texts left, 4 bytes each
}

TEST(WindowState, RemembersTheNewestTextAcrossChangesOfSize) {
  WindowState e;
  EXPECT_EQ(e.newest_text(), "");
  e.set_newest_text("apl_1");
  EXPECT_EQ(e.newest_text(), "apl_1");
  e.set_newest_text("apl_1000");
  EXPECT_EQ(e.newest_text(), "apl_1000");
  e.set_newest_text("");
  EXPECT_EQ(e.newest_text(), "");
  const size_t empty_bytes = e.Bytes();
  e.set_newest_text(std::string(100, 'a'));
  EXPECT_EQ(e.Bytes(), empty_bytes + 100);  // its text counts toward the cache's memory
}

TEST(WindowState, KeepsTheCapMarkInItsHeadRow) {
  struct Rows : RowWriter {
    std::string head;
    void Put(StateFamily, std::string_view key, std::string_view value) override {
      if (key.back() == WindowState::kHeadTag) head = value;
    }
    void Delete(StateFamily, std::string_view) override {}
  } rows;
  WindowState e;
  e.Insert(5, 0, 1, "");
  e.capped_until = 70;
  e.TouchHead();
  e.Stage("p", rows);
  WindowState read;
  ASSERT_TRUE(read.DecodeHead(rows.head));
  EXPECT_EQ(read.capped_until, 70);
  EXPECT_EQ(read.size(), 1u);
}

}  // namespace
}  // namespace riskstream
