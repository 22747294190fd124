// state/windows/window_state.h
//
// WindowState is one entity's window state for one WindowStore, in memory: the aggregate over the
// window last read, and the retained event log ordered by (time, sequence). It lives in the
// StateDb's RowCache inside the CachedEntity of its entity (cached_entity.h), which knows the
// entity prefix its rows start with (so a window does not keep a copy), and writes itself as rows:
//   prefix 'H'                the aggregate ("head"), with the newest chunk of the log inline
//   prefix 'C' chunk(u32)     an older chunk of up to ~2 * kChunkEntries consecutive log entries
// Chunks are contiguous runs of the log, so an in-order event rewrites only the head row (a small
// entity is one row), and expiry deletes a chunk row once all its entries are gone (entries of a
// partly expired chunk are dropped when it is read back). Only changed rows are staged. The
// multisets behind count_distinct and min/max are not stored: the store rebuilds them from the
// window's entries when it reads the entity back. Invariants: log entries are sorted by
// (time, seq); each chunk's entries are contiguous in that order; the newest chunk has the
// highest id and never has a row of its own.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "common/status.h"
#include "common/time.h"
#include "state/cache/row_cache.h"
#include "state/windows/string_map.h"

namespace riskstream {

// Keeps `text` in `data` (allocated to its size; nothing when empty) and its size in `size`: a
// text out of line for objects held by the million, whose size sits beside their other small
// fields.
void AssignOutOfLine(std::string_view text, std::unique_ptr<char[]>& data, uint32_t& size);

// One contribution in a window's log. Its text (a distinct value, or what last() returns) is kept
// out of line and only when not empty: counts and sums carry none. 40 bytes.
struct WindowEntry {
  TimestampMs time = 0;
  uint64_t seq = 0;
  double value = 0;

  std::string_view text() const { return {text_.get(), text_size_}; }
  void set_text(std::string_view text) { AssignOutOfLine(text, text_, text_size_); }
  void clear_text() { set_text({}); }

 private:
  std::unique_ptr<char[]> text_;
  uint32_t text_size_ = 0;

 public:
  // After text_size_, in the four bytes it leaves. Chunk ids count up from 0 per window and stay
  // below 2^31; `uncounted`: left out of the distinct multiset (the distinct cap was full).
  uint32_t chunk : 31 = 0;
  uint32_t uncounted : 1 = 0;
};

class WindowState {
 public:
  static constexpr size_t kChunkEntries = 16;
  static constexpr size_t kInlineEntries = 1;
  static constexpr char kHeadTag = 'H';
  static constexpr char kChunkTag = 'C';
  // Before every event time; far from the int64 limits so that bound arithmetic never overflows.
  static constexpr TimestampMs kBeforeAll = INT64_MIN / 4;

  // The aggregate (see WindowStore); `present` (declared last, where it costs no padding) too.
  TimestampMs newest_read = kBeforeAll, lo = kBeforeAll, hi = kBeforeAll;
  TimestampMs capped_until = kBeforeAll, newest_time = kBeforeAll;
  uint64_t next_seq = 0;
  int64_t count = 0;
  double sum = 0;
  int64_t distinct = 0;
  // The text of the newest contribution (what last() returns), up to the store's limit.
  std::string_view newest_text() const { return {newest_text_.get(), newest_text_size_}; }
  void set_newest_text(std::string_view text) {
    AssignOutOfLine(text, newest_text_, newest_text_size_);
  }
  // Rebuilt, never stored: value -> entries counted, over the window's entries.
  struct Multisets {
    StringMap<int64_t> distinct;  // inline slots: no node per value
    std::map<double, int64_t> extremes;
  };
  Multisets& sets() {
    if (!sets_) {
      sets_ = std::make_unique<Multisets>();
      CountHeapBytes(sizeof(Multisets));
    }
    return *sets_;
  }
  // Keeps the byte estimate of the multisets current (call after changing them).
  void CountMultisetBytes(int64_t delta) { CountHeapBytes(delta); }

  // Reads the head row written by Stage(), with its inline entries. False when corrupt.
  bool DecodeHead(std::string_view row);
  // True when the log has entries in chunk rows of their own (to read after the head).
  bool HasChunkRows() const { return stored_entries_ > size(); }
  // Adds the entries of a chunk row (key suffix after prefix + kChunkTag, and value); call
  // SortLoaded() after the last one. False when corrupt.
  bool DecodeChunk(std::string_view key_suffix, std::string_view row);
  void SortLoaded();

  // The log: entries [begin(), end()).
  size_t begin() const { return front_; }
  size_t end() const { return log_.size(); }
  size_t size() const { return log_.size() - front_; }
  WindowEntry& at(size_t i) { return log_[i]; }
  // The first index whose entry has time > t.
  size_t UpperBound(TimestampMs t) const;
  // Inserts an entry after every entry at or before its time and returns its index.
  size_t Insert(TimestampMs time, uint64_t seq, double value, std::string_view text);
  // Removes the oldest entry.
  void PopFront();
  // The chunk of entry `i` must be written again (a flag of the entry changed).
  void Touch(size_t i) { MarkChunk(i); }
  // The head must be written again.
  void TouchHead() { head_dirty_ = true; }

  // As CachedRow's (row_cache.h); `prefix` is the entity prefix of this window's rows.
  size_t Bytes() const;
  void Stage(std::string_view prefix, RowWriter& out) const;
  void Committed();

 private:
  struct DirtyChunk {
    uint32_t id;
    TimestampMs time;  // an entry of it when it was marked: where to look for it
    uint64_t seq;
  };
  static constexpr uint32_t kNoChunk = UINT32_MAX;
  void MarkChunk(size_t i);
  // The entries [first, last) of chunk `id`, found from its mark; first == last when gone.
  std::pair<size_t, size_t> ChunkRange(const DirtyChunk& chunk) const;
  // Splits the chunk around entry `i` when it grew past twice the chunk size.
  void SplitIfLarge(size_t i);
  uint32_t TailChunk() const { return size() == 0 ? kNoChunk : log_.back().chunk; }
  static std::string ChunkKey(std::string_view prefix, uint32_t id);
  static void AppendEntries(std::string& row, const WindowEntry* first, const WindowEntry* last);
  bool DecodeEntries(std::string_view row, size_t pos, uint32_t chunk);

  // Chunks to write or delete at the next Stage(); allocated only while there are some (an
  // in-order event changes only the newest chunk, which is inline in the head).
  struct ChunkChanges {
    std::vector<DirtyChunk> dirty;
    std::vector<uint32_t> expired_chunks;
    // Their memory, as heap_bytes_ counts it (changes() and AppendChange add it piece by piece).
    size_t Bytes() const {
      return sizeof(ChunkChanges) + dirty.capacity() * sizeof(DirtyChunk) +
             expired_chunks.capacity() * sizeof(uint32_t);
    }
  };
  ChunkChanges& changes() {
    if (!changes_) {
      changes_ = std::make_unique<ChunkChanges>();
      CountHeapBytes(sizeof(ChunkChanges));
    }
    return *changes_;
  }
  // Appends `item` to `list`, a vector of changes_, counting what its growth allocates.
  template <typename List, typename Item>
  void AppendChange(List& list, Item item) {
    const size_t capacity = list.capacity();
    list.push_back(item);
    CountHeapBytes(static_cast<int64_t>((list.capacity() - capacity) * sizeof(Item)));
  }
  void CountHeapBytes(int64_t delta) {
    heap_bytes_ = static_cast<uint32_t>(static_cast<int64_t>(heap_bytes_) + delta);
  }

  // Most entities are seen once: a log of one entry sits in the object (no allocation, and no
  // second cache miss to read it). Two inline entries cost more memory and were no faster.
  absl::InlinedVector<WindowEntry, kInlineEntries> log_;
  std::unique_ptr<ChunkChanges> changes_;
  std::unique_ptr<Multisets> sets_;
  std::unique_ptr<char[]> newest_text_;
  uint32_t newest_text_size_ = 0;
  uint32_t stored_entries_ = 0;  // entries in the head row and chunk rows, as read
  uint32_t front_ = 0;
  uint32_t next_chunk_ = 0;
  uint32_t tail_chunk_entries_ = 0;    // entries of the newest chunk
  uint32_t stored_inline_ = kNoChunk;  // the chunk inline in the committed head row
  // Memory held outside this object and its log's array: the entries' texts, the multisets (an
  // estimate) and the chunk changes. Kept as they change, so that Bytes() (every release) reads no
  // other allocation.
  uint32_t heap_bytes_ = 0;
  bool head_dirty_ = false;
  bool noted_ = false;  // its prefix was noted as written (RowWriter::MarkPrefixWritten)

 public:
  bool present = false;  // the entity has stored state
};

}  // namespace riskstream
