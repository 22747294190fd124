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
  TimestampMs time;
  std::string key;
  double value;
  std::string text;
};

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
    return true;
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
    if (!ReadTimestamp(key, pos, entry.time) || !ReadDouble(value, value_pos, entry.value)) {
      return Status::IoError("corrupt window log entry");
    }
    entry.key.assign(key);
    entry.text.assign(value.substr(value_pos));
    return Status::Ok();
  }

  Status Check() {
    return it->status().ok() ? Status::Ok() : Status::IoError(it->status().ToString());
  }

  std::unique_ptr<rocksdb::Iterator> it;
  std::string prefix;
};

WindowStore::WindowStore(StateDb& db, WindowSpec spec) : db_(db), spec_(spec) {}

Result<WindowStore::Head> WindowStore::LoadHead(const std::string& prefix) {
  auto stored = db_.GetCached(kFamily, prefix + kHeadTag);
  if (!stored.ok()) return stored.status();
  Head head;
  if (stored->has_value() && !head.Decode(**stored)) {
    return Status::IoError("corrupt window head in store " + std::to_string(spec_.store_id));
  }
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

// Moves the window to Bounds(t) and the retention bound with it.
Status WindowStore::Advance(const std::string& prefix, Head& head, TimestampMs t) {
  auto [lo, hi] = spec_.Bounds(t);
  const TimestampMs keep_after = spec_.Bounds(t - spec_.allowed_lateness_ms).first;
  const bool entering = hi >= head.oldest_pending;
  const bool leaving = lo >= head.oldest_in_window;
  const bool deleting = keep_after >= head.oldest_retained;
  if (!entering && !leaving && !deleting) {
    head.lo = lo;
    head.hi = hi;
    head.newest_read = t;
    return Status::Ok();
  }
  std::vector<LogEntry> enter, leave, doomed;
  {
    Log log(db_, prefix);
    Status status;
    // Entries that were in the window and leave it, then pending entries that enter (and maybe
    // leave again at once when the window jumped past them). Each walk also finds where the next
    // hint starts, so no extra seek is needed for it.
    TimestampMs after_leave = kNever;
    if (leaving) status = log.Collect(head.lo, std::min(lo, head.hi), leave, &after_leave);
    TimestampMs after_enter = kNever;
    if (status.ok() && entering)
      status = log.Collect(std::max(head.hi, lo), hi, enter, &after_enter);
    TimestampMs after_doomed = kNever;
    if (status.ok() && deleting) {
      status = log.Collect(head.oldest_retained - 1, keep_after, doomed, &after_doomed);
    }
    if (!status.ok()) return status;
    // The oldest entry in (lo, hi]: what the leave walk stopped at when it ended at lo; otherwise
    // the old hint (it did not leave) or the first entering entry, whichever is older.
    TimestampMs in_window = kNever;
    if (leaving && lo <= head.hi) {
      in_window = after_leave;
    } else if (leaving) {
      auto first = log.FirstFrom(lo + 1);
      if (!first.ok()) return first.status();
      in_window = *first;
    } else {
      in_window = head.oldest_in_window;
    }
    if (!enter.empty()) in_window = std::min(in_window, enter.front().time);
    head.oldest_in_window = in_window <= hi ? in_window : kNever;
    // Pending entries only change when some entered: then the walk stopped at the next one.
    if (entering) head.oldest_pending = after_enter;
    if (deleting) head.oldest_retained = after_doomed;
  }
  for (const auto& e : leave) {
    if (Status s = Leave(prefix, head, e.value, e.text); !s.ok()) return s;
  }
  head.lo = lo;
  head.hi = hi;
  head.newest_read = t;
  for (const auto& e : enter) {
    if (Status s = Enter(prefix, head, e.value, e.text); !s.ok()) return s;
  }
  for (const auto& e : doomed) db_.Delete(kFamily, e.key);
  return Status::Ok();
}

Status WindowStore::AddToLog(const std::string& prefix, Head& head, TimestampMs t,
                             const WindowContribution& contribution) {
  std::string key = prefix + kLogTag;
  AppendTimestamp(key, t);
  AppendU64(key, head.next_seq++);
  std::string value;
  AppendDouble(value, contribution.value);
  value.append(contribution.text);
  db_.Put(kFamily, key, value);
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
