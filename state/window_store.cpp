#include "state/window_store.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <unordered_set>
#include <vector>

#include "state/key_codec.h"

namespace riskstream {
namespace {

constexpr char kHeadTag = 'A';
constexpr char kLogTag = 'L';
constexpr char kDistinctTag = 'D';
constexpr char kExtremeTag = 'M';
constexpr auto kFamily = StateDb::Family::kWindows;
// Far from the int64 limits so that bound arithmetic never overflows.
constexpr TimestampMs kBeforeAll = std::numeric_limits<int64_t>::min() / 4;
constexpr TimestampMs kNever = std::numeric_limits<int64_t>::max() / 4;
constexpr size_t kMaxRememberedText = 256;
// Bounds of the head's buffer of log entries (see Head): small, since the head is decoded and
// encoded with every event and lives in the row cache.
constexpr size_t kBufferEntries = 8;
constexpr size_t kBufferTextBytes = 256;

TimestampMs FloorDiv(TimestampMs a, DurationMs b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Order-preserving encoding of a double (for the min/max multiset).
void AppendOrderedDouble(std::string& out, double value) {
  uint64_t bits = std::bit_cast<uint64_t>(value == 0 ? 0.0 : value);  // -0 and 0 are one value
  bits = (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
  AppendU64(out, bits);
}

double ReadOrderedDouble(std::string_view in, size_t pos) {
  uint64_t bits = 0;
  ReadU64(in, pos, bits);
  bits = (bits >> 63) != 0 ? bits & ~(uint64_t{1} << 63) : ~bits;
  return std::bit_cast<double>(bits);
}

std::string EntityPrefix(uint64_t store_id, uint32_t partition, std::string_view entity) {
  std::string prefix;
  AppendU32(prefix, partition);
  AppendU64(prefix, store_id);
  AppendLengthPrefixed(prefix, entity);
  return prefix;
}

struct LogEntry {
  TimestampMs time = 0;
  uint64_t seq = 0;
  double value = 0;
  std::string text;
};

std::string LogKey(const std::string& entity_prefix, TimestampMs time, uint64_t seq) {
  std::string key = entity_prefix + kLogTag;
  AppendTimestamp(key, time);
  AppendU64(key, seq);
  return key;
}

// Where Advance's walks found the entries that move, and where the next hints start.
struct Moves {
  std::vector<LogEntry> leave, enter, doomed;
  TimestampMs in_window = kNever, pending = kNever, retained = kNever;
};

// Collects the entries leaving (old_lo, old_hi] and entering (lo, hi] through `source` (the log or
// the head's buffer), and the oldest entry in (lo, hi] and beyond hi. Each walk also finds where
// the next hint starts, so no extra seek is needed for it.
template <typename Source>
Status FindMoves(Source& source, TimestampMs old_lo, TimestampMs old_hi, TimestampMs old_in_window,
                 TimestampMs lo, TimestampMs hi, bool leaving, bool entering, Moves& moves) {
  Status status;
  TimestampMs after_leave = kNever;
  if (leaving) status = source.Collect(old_lo, std::min(lo, old_hi), moves.leave, &after_leave);
  if (status.ok() && entering) {
    status = source.Collect(std::max(old_hi, lo), hi, moves.enter, &moves.pending);
  }
  if (!status.ok()) return status;
  // The oldest entry in (lo, hi]: what the leave walk stopped at when it ended at lo; otherwise
  // the old hint (it did not leave) or the first entering entry, whichever is older.
  TimestampMs in_window = old_in_window;
  if (leaving && lo <= old_hi) {
    in_window = after_leave;
  } else if (leaving) {
    auto first = source.FirstFrom(lo + 1);
    if (!first.ok()) return first.status();
    in_window = *first;
  }
  if (!moves.enter.empty()) in_window = std::min(in_window, moves.enter.front().time);
  moves.in_window = in_window <= hi ? in_window : kNever;
  return Status::Ok();
}

}  // namespace

std::pair<TimestampMs, TimestampMs> WindowSpec::Bounds(TimestampMs t) const {
  switch (kind) {
    case WindowKind::kSliding:
      return {t - delay_ms - size_ms, t - delay_ms};
    case WindowKind::kTumbling:
      return {FloorDiv(t, size_ms) * size_ms - 1, t};
    case WindowKind::kHopping: {
      TimestampMs end = (FloorDiv(t, advance_ms) + 1) * advance_ms;
      return {end - size_ms - 1, t};
    }
  }
  return {t, t};
}

struct WindowStore::Head {
  bool present = false;
  TimestampMs newest_read = kBeforeAll;
  TimestampMs lo = kBeforeAll, hi = kBeforeAll;
  uint64_t next_seq = 0;
  int64_t count = 0;
  double sum = 0;
  int64_t distinct = 0;
  TimestampMs capped_until = kBeforeAll;
  TimestampMs oldest_in_window = kNever, oldest_pending = kNever, oldest_retained = kNever;
  TimestampMs newest_time = kBeforeAll;  // newest contribution, and its text
  std::string newest_text;
  // A copy of the log entries with time in (buffer_from, buffer_until], in log order (text only
  // when distinct values are tracked), so that in-order events walk no iterator while the
  // entries they move are in it. buffer_until >= newest_time: it holds every entry after
  // buffer_from. An empty range (a row written before the buffer existed) holds nothing.
  struct Buffered {
    TimestampMs time;
    uint64_t seq;
    double value;
    std::string text;
  };
  TimestampMs buffer_from = kBeforeAll, buffer_until = kBeforeAll;
  std::vector<Buffered> buffer;
  uint64_t deferred_deletes = 0;  // events since the log was last walked to delete

  // Adds a log entry to the buffer when its range covers it, then trims the buffer to its bounds.
  void Buffer(TimestampMs t, uint64_t seq, double value, std::string_view text) {
    if (t <= buffer_from || t > buffer_until) return;
    auto at = std::upper_bound(buffer.begin(), buffer.end(), t,
                               [](TimestampMs time, const Buffered& b) { return time < b.time; });
    buffer.insert(at, Buffered{t, seq, value, std::string(text)});
    Trim();
  }

  // Drops the newest entries (all those of one time at once, so the range stays exact) until the
  // buffer is within its bounds.
  void Trim() {
    size_t text_bytes = 0;
    for (const auto& b : buffer) text_bytes += b.text.size();
    while (buffer.size() > kBufferEntries || text_bytes > kBufferTextBytes) {
      const TimestampMs last = buffer.back().time;
      buffer_until = last - 1;
      while (!buffer.empty() && buffer.back().time == last) {
        text_bytes -= buffer.back().text.size();
        buffer.pop_back();
      }
    }
  }

  // Forgets the buffered entries at or before `t` (deleted from the log).
  void Forget(TimestampMs t) {
    if (t <= buffer_from) return;
    auto end = std::upper_bound(buffer.begin(), buffer.end(), t,
                                [](TimestampMs time, const Buffered& b) { return time < b.time; });
    buffer.erase(buffer.begin(), end);
    buffer_from = std::min(t, buffer_until);
  }

  std::string Encode() const {
    std::string out;
    for (TimestampMs t : {newest_read, lo, hi, capped_until, oldest_in_window, oldest_pending,
                          oldest_retained, newest_time}) {
      AppendTimestamp(out, t);
    }
    AppendU64(out, next_seq);
    AppendU64(out, static_cast<uint64_t>(count));
    AppendDouble(out, sum);
    AppendU64(out, static_cast<uint64_t>(distinct));
    AppendLengthPrefixed(out, newest_text);
    AppendTimestamp(out, buffer_from);
    AppendTimestamp(out, buffer_until);
    AppendU64(out, deferred_deletes);
    AppendU64(out, buffer.size());
    for (const auto& b : buffer) {
      AppendTimestamp(out, b.time);
      AppendU64(out, b.seq);
      AppendDouble(out, b.value);
      AppendLengthPrefixed(out, b.text);
    }
    return out;
  }

  bool Decode(std::string_view in) {
    size_t pos = 0;
    for (TimestampMs* t : {&newest_read, &lo, &hi, &capped_until, &oldest_in_window,
                           &oldest_pending, &oldest_retained, &newest_time}) {
      if (!ReadTimestamp(in, pos, *t)) return false;
    }
    uint64_t c = 0, d = 0;
    std::string_view text;
    if (!ReadU64(in, pos, next_seq) || !ReadU64(in, pos, c) || !ReadDouble(in, pos, sum) ||
        !ReadU64(in, pos, d) || !ReadLengthPrefixed(in, pos, text)) {
      return false;
    }
    count = static_cast<int64_t>(c);
    distinct = static_cast<int64_t>(d);
    newest_text.assign(text);
    present = true;
    if (pos == in.size()) return true;  // written before the buffer existed: it holds nothing
    uint64_t n = 0;
    if (!ReadTimestamp(in, pos, buffer_from) || !ReadTimestamp(in, pos, buffer_until) ||
        !ReadU64(in, pos, deferred_deletes) || !ReadU64(in, pos, n) || n > kBufferEntries) {
      return false;
    }
    buffer.resize(n);
    for (auto& b : buffer) {
      if (!ReadTimestamp(in, pos, b.time) || !ReadU64(in, pos, b.seq) ||
          !ReadDouble(in, pos, b.value) || !ReadLengthPrefixed(in, pos, text)) {
        return false;
      }
      b.text.assign(text);
    }
    return pos == in.size();
  }
};

// Reads the log of one entity through one iterator. The batch must not change while it lives.
struct WindowStore::Log {
  Log(StateDb& db, const std::string& entity_prefix)
      : it(db.NewIterator(kFamily, /*within_entity=*/true)), prefix(entity_prefix + kLogTag) {}

  // Appends entries with time in (from_exclusive, to_inclusive] to `out`. `next`, when given, is
  // set to the time of the first entry after to_inclusive (kNever when none): one seek for both.
  Status Collect(TimestampMs from_exclusive, TimestampMs to_inclusive, std::vector<LogEntry>& out,
                 TimestampMs* next = nullptr) {
    if (next != nullptr) *next = kNever;
    if (to_inclusive <= from_exclusive) {
      if (next == nullptr) return Status::Ok();
      auto first = FirstFrom(to_inclusive + 1);
      if (!first.ok()) return first.status();
      *next = *first;
      return Status::Ok();
    }
    for (Seek(from_exclusive + 1); it->Valid(); it->Next()) {
      LogEntry entry;
      Status status = Decode(entry);
      if (!status.ok()) return status;
      if (entry.time == kNever) break;
      if (entry.time > to_inclusive) {
        if (next != nullptr) *next = entry.time;
        break;
      }
      out.push_back(std::move(entry));
    }
    return Check();
  }

  // Appends the first `limit` entries with time after `from_exclusive` to `out`.
  Status CollectFirst(TimestampMs from_exclusive, size_t limit, std::vector<LogEntry>& out) {
    for (Seek(from_exclusive + 1); it->Valid() && out.size() < limit; it->Next()) {
      LogEntry entry;
      Status status = Decode(entry);
      if (!status.ok()) return status;
      if (entry.time == kNever) break;
      out.push_back(std::move(entry));
    }
    return Check();
  }

  // The time of the first entry at or after `from`, kNever when none.
  Result<TimestampMs> FirstFrom(TimestampMs from) {
    Seek(from);
    if (!it->Valid()) return Check().ok() ? Result<TimestampMs>(kNever) : Check();
    LogEntry entry;
    Status status = Decode(entry);
    if (!status.ok()) return status;
    return entry.time;
  }

  // The newest entry with time <= t, if any.
  Result<std::optional<LogEntry>> LastAtOrBefore(TimestampMs t) {
    std::string key = prefix;
    AppendTimestamp(key, t);
    AppendU64(key, std::numeric_limits<uint64_t>::max());
    it->SeekForPrev(key);
    if (!it->Valid()) {
      if (!it->status().ok()) return Check();
      return std::optional<LogEntry>();
    }
    LogEntry entry;
    Status status = Decode(entry);
    if (!status.ok()) return status;
    if (entry.time == kNever) return std::optional<LogEntry>();
    return std::optional<LogEntry>(std::move(entry));
  }

  void Seek(TimestampMs from) {
    std::string start = prefix;
    AppendTimestamp(start, from);
    it->Seek(start);
  }

  // Decodes the current entry; time kNever when the iterator left this entity's log.
  Status Decode(LogEntry& entry) {
    std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(prefix)) {
      entry.time = kNever;
      return Status::Ok();
    }
    size_t pos = prefix.size();
    std::string_view value(it->value().data(), it->value().size());
    size_t value_pos = 0;
    if (!ReadTimestamp(key, pos, entry.time) || !ReadU64(key, pos, entry.seq) ||
        !ReadDouble(value, value_pos, entry.value)) {
      return Status::IoError("corrupt window log entry");
    }
    entry.text.assign(value.substr(value_pos));
    return Status::Ok();
  }

  Status Check() {
    return it->status().ok() ? Status::Ok() : Status::IoError(it->status().ToString());
  }

  std::unique_ptr<rocksdb::Iterator> it;
  std::string prefix;
};

// Serves Advance's walks from the head's buffer, with Log's contracts; `covered` turns false (and
// the walk's results are then meaningless) when a walk needs an entry the buffer may not hold.
namespace {

template <typename Head>
struct BufferWalk {
  explicit BufferWalk(const Head& h) : head(h) {}

  Status Collect(TimestampMs from_exclusive, TimestampMs to_inclusive, std::vector<LogEntry>& out,
                 TimestampMs* next = nullptr) {
    const TimestampMs start = std::min(from_exclusive, to_inclusive);
    if (start < head.buffer_from || to_inclusive > head.buffer_until) {
      covered = false;
      return Status::Ok();
    }
    auto it = First(start);
    for (; it != head.buffer.end() && it->time <= to_inclusive; ++it) {
      if (it->time > from_exclusive)
        out.push_back(LogEntry{it->time, it->seq, it->value, it->text});
    }
    if (next != nullptr) *next = Next(it);
    return Status::Ok();
  }

  Result<TimestampMs> FirstFrom(TimestampMs from) {
    if (from - 1 < head.buffer_from) {
      covered = false;
      return kNever;
    }
    return Next(First(from - 1));
  }

  // The first buffered entry after `t`.
  typename std::vector<typename Head::Buffered>::const_iterator First(TimestampMs t) const {
    return std::upper_bound(
        head.buffer.begin(), head.buffer.end(), t,
        [](TimestampMs time, const typename Head::Buffered& b) { return time < b.time; });
  }

  // The time of the entry at `it` (the first log entry after the ones before it), kNever when
  // none; uncovered when the log may hold entries after the buffer's range.
  TimestampMs Next(typename std::vector<typename Head::Buffered>::const_iterator it) {
    if (it != head.buffer.end()) return it->time;
    if (head.buffer_until < head.newest_time) covered = false;
    return kNever;
  }

  const Head& head;
  bool covered = true;
};

// Fills the buffer of `head` from `log`: with the oldest retained entries (those up to
// `keep_after` are deleted), or when those before the window start `lo` fill it, with the entries
// from lo on (their deletion then waits). Texts are kept only when `keep_text`.
template <typename Head, typename Log>
Status RefillBuffer(Log& log, Head& head, TimestampMs keep_after, TimestampMs lo, bool keep_text) {
  for (TimestampMs from : {keep_after, lo}) {
    std::vector<LogEntry> entries;
    if (Status s = log.CollectFirst(from, kBufferEntries + 1, entries); !s.ok()) return s;
    head.buffer.clear();
    head.buffer_from = from;
    head.buffer_until = kNever;
    for (auto& e : entries) {
      if (!keep_text) e.text.clear();
      head.buffer.push_back(typename Head::Buffered{e.time, e.seq, e.value, std::move(e.text)});
    }
    head.Trim();
    if (head.buffer_until > lo || from >= lo) break;
  }
  return Status::Ok();
}

}  // namespace

WindowStore::WindowStore(StateDb& db, WindowSpec spec) : db_(db), spec_(spec) {}

Result<WindowStore::Head> WindowStore::LoadHead(const std::string& prefix) {
  auto stored = db_.GetCached(kFamily, prefix + kHeadTag);
  if (!stored.ok()) return stored.status();
  Head head;
  if (stored->has_value() && !head.Decode(**stored)) {
    return Status::IoError("corrupt window head in store " + std::to_string(spec_.store_id));
  }
  if (!head.present) head.buffer_until = kNever;  // no log yet: the empty buffer holds all of it
  return head;
}

Status WindowStore::Count(const std::string& key, bool by_key_only, int64_t delta, bool& appeared,
                          bool& vanished) {
  appeared = vanished = false;
  auto current = by_key_only ? db_.GetCached(kFamily, key) : db_.Get(kFamily, key);
  if (!current.ok()) return current.status();
  uint64_t count = 0;
  if (current->has_value()) {
    size_t pos = 0;
    if (!ReadU64(**current, pos, count)) return Status::IoError("corrupt multiset counter");
  }
  int64_t updated = static_cast<int64_t>(count) + delta;
  if (updated <= 0) {
    if (count > 0) {
      if (by_key_only) {
        db_.DeleteCached(kFamily, key);
      } else {
        db_.Delete(kFamily, key);
      }
      vanished = true;
    }
    return Status::Ok();
  }
  std::string value;
  AppendU64(value, static_cast<uint64_t>(updated));
  if (by_key_only) {
    db_.PutCached(kFamily, key, std::move(value));
  } else {
    db_.Put(kFamily, key, value);
  }
  appeared = count == 0;
  return Status::Ok();
}

Status WindowStore::Enter(const std::string& prefix, Head& head, double value,
                          std::string_view text) {
  head.count += 1;
  head.sum += value;
  bool appeared, vanished;
  if (spec_.track_distinct) {
    std::string key = prefix + kDistinctTag;
    key.append(text);
    if (spec_.max_distinct > 0 && head.distinct >= spec_.max_distinct) {
      // Full: only values already present are counted; a new one is dropped and flagged.
      auto present = db_.GetCached(kFamily, key);
      if (!present.ok()) return present.status();
      if (!present->has_value()) {
        head.capped_until = std::max(head.capped_until, head.hi);
        key.clear();
      }
    }
    if (!key.empty()) {
      if (Status s = Count(key, true, +1, appeared, vanished); !s.ok()) return s;
      head.distinct += appeared;
    }
  }
  if (spec_.track_extremes) {
    std::string key = prefix + kExtremeTag;
    AppendOrderedDouble(key, value);
    if (Status s = Count(key, false, +1, appeared, vanished); !s.ok()) return s;
  }
  return Status::Ok();
}

Status WindowStore::Leave(const std::string& prefix, Head& head, double value,
                          std::string_view text) {
  head.count -= 1;
  head.sum -= value;
  if (head.count == 0) head.sum = 0;  // no drift from floating-point subtraction
  bool appeared, vanished;
  if (spec_.track_distinct) {
    std::string key = prefix + kDistinctTag;
    key.append(text);
    if (Status s = Count(key, true, -1, appeared, vanished); !s.ok()) return s;
    head.distinct -= vanished;
  }
  if (spec_.track_extremes) {
    std::string key = prefix + kExtremeTag;
    AppendOrderedDouble(key, value);
    if (Status s = Count(key, false, -1, appeared, vanished); !s.ok()) return s;
  }
  return Status::Ok();
}

// Moves the window to Bounds(t) and the retention bound with it. The walks are served from the
// head's buffer when it covers them; otherwise from the log, and the buffer is filled again.
Status WindowStore::Advance(const std::string& prefix, Head& head, TimestampMs t) {
  auto [lo, hi] = spec_.Bounds(t);
  const TimestampMs keep_after = spec_.Bounds(t - spec_.allowed_lateness_ms).first;
  const bool entering = hi >= head.oldest_pending;
  const bool leaving = lo >= head.oldest_in_window;
  bool deleting = keep_after >= head.oldest_retained;
  if (!entering && !leaving && !deleting) {
    head.lo = lo;
    head.hi = hi;
    head.newest_read = t;
    return Status::Ok();
  }
  Moves moves;
  BufferWalk<Head> buffered(head);
  Status status = FindMoves(buffered, head.lo, head.hi, head.oldest_in_window, lo, hi, leaving,
                            entering, moves);
  if (status.ok() && buffered.covered && deleting) {
    BufferWalk<Head> doomed(head);
    status = doomed.Collect(head.oldest_retained - 1, keep_after, moves.doomed, &moves.retained);
    if (!doomed.covered) {
      // Deleting only frees space: it waits for the next walk of the log, or a few events.
      moves.doomed.clear();
      if (++head.deferred_deletes < kBufferEntries) {
        deleting = false;
      } else {
        Log log(db_, prefix);
        status = log.Collect(head.oldest_retained - 1, keep_after, moves.doomed, &moves.retained);
      }
    }
  }
  const bool from_log = !buffered.covered;
  if (from_log) {
    moves = Moves{};
    Log log(db_, prefix);
    status =
        FindMoves(log, head.lo, head.hi, head.oldest_in_window, lo, hi, leaving, entering, moves);
    if (status.ok() && deleting) {
      status = log.Collect(head.oldest_retained - 1, keep_after, moves.doomed, &moves.retained);
    }
  }
  if (!status.ok()) return status;

  for (const auto& e : moves.leave) {
    if (Status s = Leave(prefix, head, e.value, e.text); !s.ok()) return s;
  }
  head.lo = lo;
  head.hi = hi;
  head.newest_read = t;
  for (const auto& e : moves.enter) {
    if (Status s = Enter(prefix, head, e.value, e.text); !s.ok()) return s;
  }
  head.oldest_in_window = moves.in_window;
  if (entering) head.oldest_pending = moves.pending;
  if (deleting) {
    head.deferred_deletes = 0;
    head.oldest_retained = moves.retained;
    for (const auto& e : moves.doomed) db_.Delete(kFamily, LogKey(prefix, e.time, e.seq));
    head.Forget(keep_after);
  }
  if (!from_log) return Status::Ok();
  Log log(db_, prefix);  // after the deletes: the batch must not change while it lives
  return RefillBuffer(log, head, keep_after, lo, spec_.track_distinct);
}

Status WindowStore::AddToLog(const std::string& prefix, Head& head, TimestampMs t,
                             const WindowContribution& contribution) {
  const uint64_t seq = head.next_seq++;
  std::string value;
  AppendDouble(value, contribution.value);
  value.append(contribution.text);
  db_.Put(kFamily, LogKey(prefix, t, seq), value);
  head.Buffer(t, seq, contribution.value,
              spec_.track_distinct ? contribution.text : std::string_view());
  head.present = true;
  head.oldest_retained = std::min(head.oldest_retained, t);
  if (t >= head.newest_time) {
    head.newest_time = t;
    head.newest_text.assign(contribution.text.substr(0, kMaxRememberedText));
  }
  if (t > head.hi) {
    head.oldest_pending = std::min(head.oldest_pending, t);
    return Status::Ok();
  }
  if (t <= head.lo) return Status::Ok();  // before the window: kept for out-of-order reads only
  head.oldest_in_window = std::min(head.oldest_in_window, t);
  return Enter(prefix, head, contribution.value, contribution.text);
}

Status WindowStore::ReadExtremes(const std::string& prefix, WindowAggregate& out) {
  return ReadExtremesFrom(*db_.NewIterator(kFamily, /*within_entity=*/true), prefix, out);
}

Status WindowStore::ReadExtremesFrom(rocksdb::Iterator& it, const std::string& prefix,
                                     WindowAggregate& out) {
  const std::string tag = prefix + kExtremeTag;
  it.Seek(tag);
  if (it.Valid() && it.key().starts_with(tag)) {
    out.min = ReadOrderedDouble(std::string_view(it.key().data(), it.key().size()), tag.size());
  }
  std::string end = tag;
  end.append(8, '\xff');
  it.SeekForPrev(end);
  if (it.Valid() && it.key().starts_with(tag)) {
    out.max = ReadOrderedDouble(std::string_view(it.key().data(), it.key().size()), tag.size());
  }
  return it.status().ok() ? Status::Ok() : Status::IoError(it.status().ToString());
}

Result<WindowAggregate> WindowStore::Scan(const std::string& prefix, TimestampMs lo,
                                          TimestampMs hi) {
  std::vector<LogEntry> entries;
  {
    Log log(db_, prefix);
    if (Status s = log.Collect(lo, hi, entries); !s.ok()) return s;
  }
  WindowAggregate out;
  std::unordered_set<std::string> distinct;
  for (const auto& e : entries) {
    out.count += 1;
    out.sum += e.value;
    if (spec_.track_distinct) distinct.insert(e.text);
    if (spec_.track_extremes) {
      out.min = std::min(out.min.value_or(e.value), e.value);
      out.max = std::max(out.max.value_or(e.value), e.value);
    }
  }
  out.distinct = static_cast<int64_t>(distinct.size());
  if (spec_.max_distinct > 0) out.distinct = std::min(out.distinct, spec_.max_distinct);
  return out;
}

Status WindowStore::FindPrevious(const std::string& prefix, TimestampMs t, WindowAggregate& out) {
  Log log(db_, prefix);
  auto previous = log.LastAtOrBefore(t);
  if (!previous.ok()) return previous.status();
  if (previous->has_value()) {
    out.previous_time = (*previous)->time;
    out.previous_text = (*previous)->text;
  }
  return Status::Ok();
}

Status WindowStore::Insert(uint32_t partition, std::string_view entity, TimestampMs t,
                           const WindowContribution& contribution) {
  const std::string prefix = EntityPrefix(spec_.store_id, partition, entity);
  auto head = LoadHead(prefix);
  if (!head.ok()) return head.status();
  if (Status s = AddToLog(prefix, *head, t, contribution); !s.ok()) return s;
  db_.PutCached(kFamily, prefix + kHeadTag, head->Encode());
  return Status::Ok();
}

Result<std::optional<CommittedWindow>> WindowStore::ReadCommitted(uint32_t partition,
                                                                  std::string_view entity) const {
  const std::string prefix = EntityPrefix(spec_.store_id, partition, entity);
  auto stored = db_.GetCommitted(kFamily, prefix + kHeadTag);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<CommittedWindow>();
  Head head;
  if (!head.Decode(**stored)) {
    return Status::IoError("corrupt window head in store " + std::to_string(spec_.store_id));
  }
  CommittedWindow out;
  WindowAggregate& a = out.aggregate;
  a.count = head.count;
  a.sum = head.sum;
  a.distinct = head.distinct;
  if (head.newest_read != kBeforeAll) {
    out.as_of_ms = head.newest_read;
    out.lo_ms = head.lo;
    out.hi_ms = head.hi;
  }
  a.exact = head.capped_until <= head.lo;
  if (head.newest_time != kBeforeAll) {
    a.previous_time = head.newest_time;
    a.previous_text = head.newest_text;
  }
  if (spec_.track_extremes && head.count > 0) {
    if (Status s = ReadExtremesFrom(*db_.NewCommittedIterator(kFamily), prefix, a); !s.ok()) {
      return s;
    }
  }
  return std::optional<CommittedWindow>(std::move(out));
}

Result<WindowAggregate> WindowStore::Apply(uint32_t partition, std::string_view entity,
                                           TimestampMs t,
                                           const std::optional<WindowContribution>& contribution,
                                           bool want_previous) {
  const std::string prefix = EntityPrefix(spec_.store_id, partition, entity);
  auto loaded = LoadHead(prefix);
  if (!loaded.ok()) return loaded.status();
  Head& head = *loaded;
  if (!head.present && !contribution) return WindowAggregate{};

  WindowAggregate previous;
  if (want_previous && head.present) {
    if (t >= head.newest_time) {  // in order: the newest contribution is the previous one
      previous.previous_time = head.newest_time;
      previous.previous_text = head.newest_text;
    } else if (Status s = FindPrevious(prefix, t, previous); !s.ok()) {
      return s;
    }
  }
  const bool in_order = t >= head.newest_read;
  const bool advances = t > head.newest_read || !head.present;
  if (advances) {
    if (Status s = Advance(prefix, head, t); !s.ok()) return s;
  }
  if (contribution) {
    if (Status s = AddToLog(prefix, head, t, *contribution); !s.ok()) return s;
  }
  // A read that neither moves the window nor adds to it leaves the row as it was.
  if (advances || contribution) db_.PutCached(kFamily, prefix + kHeadTag, head.Encode());

  WindowAggregate out;
  if (in_order) {
    out.count = head.count;
    out.sum = head.sum;
    out.distinct = head.distinct;
    if (spec_.track_extremes && head.count > 0) {
      if (Status s = ReadExtremes(prefix, out); !s.ok()) return s;
    }
  } else {
    auto [lo, hi] = spec_.Bounds(t);
    auto scanned = Scan(prefix, lo, hi);
    if (!scanned.ok()) return scanned;
    out = std::move(*scanned);
    out.exact = t >= head.newest_read - spec_.allowed_lateness_ms;
  }
  out.exact = out.exact && head.capped_until <= spec_.Bounds(t).first;
  out.previous_time = previous.previous_time;
  out.previous_text = std::move(previous.previous_text);
  return out;
}

}  // namespace riskstream
