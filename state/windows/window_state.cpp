#include "state/windows/window_state.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "state/cache/keyed_allocation.h"
#include "state/db/key_codec.h"

namespace riskstream {
// Windows come from the slots that entity objects and credit accounts round up to.
static_assert(sizeof(WindowState) == kCachedSlotBytes, "keep kCachedSlotBytes a window's size");

namespace {

bool Before(const WindowEntry& a, const WindowEntry& b) {
  return std::tie(a.time, a.seq) < std::tie(b.time, b.seq);
}

}  // namespace

void AssignOutOfLine(std::string_view text, std::unique_ptr<char[]>& data, uint32_t& size) {
  if (!text.empty() && text.size() == size) {  // the memory it has fits (text may be its own)
    std::memmove(data.get(), text.data(), text.size());
    return;
  }
  std::unique_ptr<char[]> fresh;
  if (!text.empty()) {
    fresh = std::make_unique_for_overwrite<char[]>(text.size());
    std::memcpy(fresh.get(), text.data(), text.size());
  }
  data = std::move(fresh);
  size = static_cast<uint32_t>(text.size());
}

void WindowState::AppendEntries(std::string& row, const WindowEntry* first,
                                const WindowEntry* last) {
  for (const WindowEntry* e = first; e != last; ++e) {
    AppendTimestamp(row, e->time);
    AppendU64(row, e->seq);
    AppendDouble(row, e->value);
    row.push_back(e->uncounted ? 1 : 0);
    AppendLengthPrefixed(row, e->text());
  }
}

bool WindowState::DecodeEntries(std::string_view row, size_t pos, uint32_t chunk) {
  while (pos < row.size()) {
    WindowEntry entry;
    std::string_view text;
    if (!ReadTimestamp(row, pos, entry.time) || !ReadU64(row, pos, entry.seq) ||
        !ReadDouble(row, pos, entry.value) || pos >= row.size()) {
      return false;
    }
    entry.uncounted = row[pos++] != 0 ? 1 : 0;
    if (!ReadLengthPrefixed(row, pos, text)) return false;
    entry.chunk = chunk;
    entry.set_text(text);
    CountHeapBytes(static_cast<int64_t>(text.size()));
    log_.push_back(std::move(entry));
  }
  return true;
}

bool WindowState::DecodeHead(std::string_view row) {
  size_t pos = 0;
  uint64_t c = 0, d = 0, chunk = 0, stored = 0;
  std::string_view text;
  for (TimestampMs* t : {&newest_read, &lo, &hi, &capped_until, &newest_time}) {
    if (!ReadTimestamp(row, pos, *t)) return false;
  }
  if (!ReadU64(row, pos, next_seq) || !ReadU64(row, pos, c) || !ReadDouble(row, pos, sum) ||
      !ReadU64(row, pos, d) || !ReadU64(row, pos, chunk) || !ReadU32(row, pos, stored_inline_) ||
      !ReadU64(row, pos, stored) || !ReadLengthPrefixed(row, pos, text)) {
    return false;
  }
  count = static_cast<int64_t>(c);
  distinct = static_cast<int64_t>(d);
  next_chunk_ = static_cast<uint32_t>(chunk);
  stored_entries_ = static_cast<uint32_t>(stored);
  set_newest_text(text);
  present = true;
  noted_ = true;
  return DecodeEntries(row, pos, stored_inline_);
}

bool WindowState::DecodeChunk(std::string_view key_suffix, std::string_view row) {
  size_t pos = 0;
  uint32_t id = 0;
  if (key_suffix.size() != 4 || !ReadU32(key_suffix, pos, id)) return false;
  return DecodeEntries(row, 0, id);
}

void WindowState::SortLoaded() {
  std::sort(log_.begin() + static_cast<std::ptrdiff_t>(front_), log_.end(), Before);
  tail_chunk_entries_ = 0;
  for (size_t i = end(); i > begin() && log_[i - 1].chunk == log_.back().chunk; --i) {
    ++tail_chunk_entries_;
  }
}

size_t WindowState::UpperBound(TimestampMs t) const {
  // Most searches end at one end of the log: an in-order insert, a window edge with nothing
  // between it and the newest or the oldest entry. Those cost no search.
  if (size() == 0 || t < log_[front_].time) return front_;
  if (t >= log_.back().time) return end();
  auto it =
      std::upper_bound(log_.begin() + static_cast<std::ptrdiff_t>(front_) + 1, log_.end() - 1, t,
                       [](TimestampMs time, const WindowEntry& e) { return time < e.time; });
  return static_cast<size_t>(it - log_.begin());
}

size_t WindowState::Insert(TimestampMs time, uint64_t seq, double value, std::string_view text) {
  const size_t at = UpperBound(time);
  uint32_t chunk;
  if (size() == 0) {
    chunk = next_chunk_++;
    tail_chunk_entries_ = 1;
  } else if (at == end()) {
    if (tail_chunk_entries_ < kChunkEntries) {
      chunk = log_.back().chunk;
      ++tail_chunk_entries_;
    } else {
      MarkChunk(end() - 1);  // no longer inline in the head: it gets a row of its own
      chunk = next_chunk_++;
      tail_chunk_entries_ = 1;
    }
  } else {
    // Joins a neighbour's chunk, so chunks stay contiguous.
    chunk = at > front_ ? log_[at - 1].chunk : log_[at].chunk;
    if (chunk == log_.back().chunk) ++tail_chunk_entries_;
  }
  WindowEntry entry;
  entry.time = time;
  entry.seq = seq;
  entry.value = value;
  entry.chunk = chunk;
  entry.set_text(text);
  CountHeapBytes(static_cast<int64_t>(text.size()));
  log_.insert(log_.begin() + static_cast<std::ptrdiff_t>(at), std::move(entry));
  if (at + 1 == end()) {
    head_dirty_ = true;  // the newest chunk is inline in the head
  } else {
    MarkChunk(at);
    SplitIfLarge(at);
  }
  return at;
}

void WindowState::SplitIfLarge(size_t i) {
  const uint32_t id = log_[i].chunk;
  size_t first = i, last = i + 1;
  while (first > front_ && log_[first - 1].chunk == id) --first;
  while (last < end() && log_[last].chunk == id) ++last;
  if (last - first <= 2 * kChunkEntries) return;
  const size_t mid = first + (last - first) / 2;
  // The upper half takes a new id: when it is the newest chunk, it stays the one with the highest.
  const uint32_t split = next_chunk_++;
  for (size_t j = mid; j < last; ++j) log_[j].chunk = split;
  if (last == end()) tail_chunk_entries_ = static_cast<uint32_t>(last - mid);
  for (auto& d : changes().dirty) {
    if (d.id == id) std::tie(d.time, d.seq) = std::tie(log_[first].time, log_[first].seq);
  }
  MarkChunk(mid);
}

void WindowState::PopFront() {
  WindowEntry& gone = log_[front_];
  const uint32_t chunk = gone.chunk;
  CountHeapBytes(-static_cast<int64_t>(gone.text().size()));
  gone.clear_text();
  ++front_;
  head_dirty_ = true;
  if (front_ == end() || log_[front_].chunk != chunk) AppendChange(changes().expired_chunks, chunk);
  if (front_ == end()) {
    log_.clear();
    front_ = 0;
    tail_chunk_entries_ = 0;
  } else if (chunk == log_.back().chunk) {
    --tail_chunk_entries_;
  }
  if (front_ > 32 && front_ * 2 > log_.size()) {
    log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(front_));
    front_ = 0;
  }
}

void WindowState::MarkChunk(size_t i) {
  head_dirty_ = true;
  const WindowEntry& e = log_[i];
  auto& dirty = changes().dirty;
  for (const auto& d : dirty) {
    if (d.id == e.chunk) return;
  }
  AppendChange(dirty, DirtyChunk{e.chunk, e.time, e.seq});
}

std::pair<size_t, size_t> WindowState::ChunkRange(const DirtyChunk& chunk) const {
  WindowEntry mark;
  mark.time = chunk.time;
  mark.seq = chunk.seq;
  auto it = std::lower_bound(log_.begin() + static_cast<std::ptrdiff_t>(front_), log_.end(), mark,
                             Before);
  size_t at = static_cast<size_t>(it - log_.begin());
  if (at == end() || log_[at].chunk != chunk.id) {
    // The marked entry expired (the chunk's rest, if any, is at the front), or moved by a split.
    at = front_;
    while (at < end() && log_[at].chunk != chunk.id) ++at;
    if (at == end()) return {at, at};
  }
  size_t first = at, last = at;
  while (first > front_ && log_[first - 1].chunk == chunk.id) --first;
  while (last < end() && log_[last].chunk == chunk.id) ++last;
  return {first, last};
}

std::string WindowState::ChunkKey(std::string_view prefix, uint32_t id) {
  std::string key;
  key.reserve(prefix.size() + 5);
  key.append(prefix);
  key.push_back(kChunkTag);
  AppendU32(key, id);
  return key;
}

size_t WindowState::Bytes() const {
  return sizeof(*this) + newest_text_size_ +
         (log_.capacity() > kInlineEntries ? log_.capacity() * sizeof(WindowEntry) : 0) +
         heap_bytes_;
}

void WindowState::Stage(std::string_view prefix, RowWriter& out) const {
  if (!noted_) out.MarkPrefixWritten(StateFamily::kWindows, prefix);
  const uint32_t tail = TailChunk();
  if (head_dirty_) {
    std::string row;
    for (TimestampMs t : {newest_read, lo, hi, capped_until, newest_time}) AppendTimestamp(row, t);
    AppendU64(row, next_seq);
    AppendU64(row, static_cast<uint64_t>(count));
    AppendDouble(row, sum);
    AppendU64(row, static_cast<uint64_t>(distinct));
    AppendU64(row, next_chunk_);
    AppendU32(row, tail);
    AppendU64(row, size());
    AppendLengthPrefixed(row, newest_text());
    const size_t first = end() - tail_chunk_entries_;
    AppendEntries(row, log_.data() + first, log_.data() + end());
    std::string key;
    key.reserve(prefix.size() + 1);
    key.append(prefix).push_back(kHeadTag);
    out.Put(StateFamily::kWindows, key, row);
  }
  if (!changes_) return;
  std::string row;
  for (const auto& chunk : changes_->dirty) {
    if (chunk.id == tail) continue;  // inline in the head
    auto [first, last] = ChunkRange(chunk);
    if (first == last) continue;  // expired whole: deleted below
    row.clear();
    AppendEntries(row, log_.data() + first, log_.data() + last);
    out.Put(StateFamily::kWindows, ChunkKey(prefix, chunk.id), row);
  }
  for (uint32_t id : changes_->expired_chunks) {
    if (id != stored_inline_ && id != tail) out.Delete(StateFamily::kWindows, ChunkKey(prefix, id));
  }
}

void WindowState::Committed() {
  head_dirty_ = false;
  noted_ = true;
  if (changes_) {
    CountHeapBytes(-static_cast<int64_t>(changes_->Bytes()));
    changes_.reset();
  }
  stored_inline_ = TailChunk();
  stored_entries_ = static_cast<uint32_t>(size());
}

}  // namespace riskstream
