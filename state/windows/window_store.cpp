#include "state/windows/window_store.h"

#include <algorithm>
#include <functional>
#include <unordered_set>

namespace riskstream {
namespace {

constexpr auto kFamily = StateDb::Family::kWindows;
constexpr TimestampMs kBeforeAll = WindowState::kBeforeAll;
constexpr size_t kMaxRememberedText = 256;
// A multiset entry's memory besides its text, roughly (a hash slot with its slack, or a tree node).
constexpr int64_t kNodeBytes = 64;

TimestampMs FloorDiv(TimestampMs a, DurationMs b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

int64_t TextBytes(std::string_view text) { return static_cast<int64_t>(text.size()); }

double Normalized(double value) { return value == 0 ? 0.0 : value; }  // -0 and 0 are one value

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

WindowStore::WindowStore(StateDb& db, WindowSpec spec) : db_(db), spec_(spec) {}

TimestampMs WindowStore::KeepAfter(TimestampMs t) const {
  return spec_.Bounds(t - spec_.allowed_lateness_ms).first;
}

Result<std::unique_ptr<WindowState>> WindowStore::ReadEntity(
    std::string_view prefix, std::string_view head_row,
    const std::function<std::unique_ptr<rocksdb::Iterator>()>& new_iterator) const {
  auto e = std::make_unique<WindowState>();
  const auto corrupt = [&](const char* what) {
    return Status::IoError(std::string("corrupt window ") + what + " in store " +
                           std::to_string(spec_.store_id));
  };
  if (!e->DecodeHead(head_row)) return corrupt("head");
  if (e->HasChunkRows()) {
    std::unique_ptr<rocksdb::Iterator> it = new_iterator();
    const std::string chunks = std::string(prefix) + WindowState::kChunkTag;
    for (it->Seek(chunks); it->Valid() && it->key().starts_with(chunks); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (!e->DecodeChunk(key.substr(chunks.size()),
                          std::string_view(it->value().data(), it->value().size()))) {
        return corrupt("log chunk");
      }
    }
    if (!it->status().ok()) return Status::IoError(it->status().ToString());
  }
  e->SortLoaded();
  // Entries of partly expired chunks: dropped now (the chunk rows go with the next change).
  if (e->newest_read != kBeforeAll) {
    const TimestampMs keep_after = KeepAfter(e->newest_read);
    while (e->size() > 0 && e->at(e->begin()).time <= keep_after) e->PopFront();
  }
  // The multisets are not stored: rebuild them from the window's entries.
  if (spec_.track_distinct || spec_.track_extremes) {
    e->distinct = 0;
    for (size_t i = e->UpperBound(e->lo); i < e->end() && e->at(i).time <= e->hi; ++i) {
      CountIn(*e, e->at(i));
    }
  }
  return e;
}

const std::string* WindowStore::StoredPrefix(std::string_view key) {
  if (!db_.MayHaveRowsOf(kFamily)) return nullptr;
  CachedEntity::WindowPrefix(key, spec_.store_id, prefix_buffer_);
  return db_.MayHaveRows(kFamily, prefix_buffer_) ? &prefix_buffer_ : nullptr;
}

CachedEntity* WindowStore::FindWindows(HashedKey key, bool make) {
  if (auto* found = static_cast<CachedEntity*>(db_.FindCached(key))) return found;
  // Reading a window never written reads nothing and makes nothing.
  if (!make && StoredPrefix(key.text) == nullptr) return nullptr;
  return static_cast<CachedEntity*>(db_.AddCached(CachedEntity::Make(key.text)));
}

Result<WindowState*> WindowStore::Acquire(CachedEntity& windows, bool make) {
  if (WindowState* found = windows.Find(spec_.store_id)) return found;
  const std::string* prefix = StoredPrefix(windows.key());
  Result<std::optional<std::string>> head = std::optional<std::string>();
  if (prefix != nullptr) head = db_.Get(kFamily, *prefix + WindowState::kHeadTag);
  if (!head.ok()) return head.status();
  if (!head->has_value()) {
    if (!make) return nullptr;
    return windows.Add(spec_.store_id, std::make_unique<WindowState>());
  }
  auto read =
      ReadEntity(*prefix, **head, [&] { return db_.NewIterator(kFamily, /*within_entity=*/true); });
  if (!read.ok()) return read.status();
  return windows.Add(spec_.store_id, std::move(*read));
}

void WindowStore::CountIn(WindowState& e, const WindowEntry& entry) const {
  if (spec_.track_distinct && !entry.uncounted && ++e.sets().distinct[entry.text()] == 1) {
    e.distinct += 1;
    e.CountMultisetBytes(kNodeBytes + TextBytes(entry.text()));
  }
  if (spec_.track_extremes && ++e.sets().extremes[Normalized(entry.value)] == 1) {
    e.CountMultisetBytes(kNodeBytes);
  }
}

void WindowStore::ReadExtremes(WindowState& e, WindowAggregate& out) const {
  if (!spec_.track_extremes || e.sets().extremes.empty()) return;
  out.min = e.sets().extremes.begin()->first;
  out.max = e.sets().extremes.rbegin()->first;
}

void WindowStore::Enter(WindowState& e, size_t i) const {
  WindowEntry& entry = e.at(i);
  e.count += 1;
  e.sum += entry.value;
  if (spec_.track_distinct && spec_.max_distinct > 0 && e.distinct >= spec_.max_distinct &&
      !e.sets().distinct.contains(entry.text())) {
    // Full: a new value is dropped, and reads are flagged while it could be in the window.
    entry.uncounted = 1;
    e.Touch(i);
    e.capped_until = std::max(e.capped_until, e.hi);
  }
  CountIn(e, entry);
}

void WindowStore::Leave(WindowState& e, const WindowEntry& entry) const {
  e.count -= 1;
  e.sum -= entry.value;
  if (e.count == 0) e.sum = 0;  // no drift from floating-point subtraction
  if (spec_.track_distinct && !entry.uncounted) {
    auto found = e.sets().distinct.find(entry.text());
    if (found != e.sets().distinct.end() && --found->second == 0) {
      e.sets().distinct.erase(found);
      e.distinct -= 1;
      e.CountMultisetBytes(-(kNodeBytes + TextBytes(entry.text())));
    }
  }
  if (spec_.track_extremes) {
    auto found = e.sets().extremes.find(Normalized(entry.value));
    if (found != e.sets().extremes.end() && --found->second == 0) {
      e.sets().extremes.erase(found);
      e.CountMultisetBytes(-kNodeBytes);
    }
  }
}

// Moves the window to Bounds(t): entries of (old lo, new lo] leave, entries of (old hi, new hi]
// enter (each once), and entries no read within the lateness needs are dropped.
void WindowStore::Advance(WindowState& e, TimestampMs t) {
  const auto [lo, hi] = spec_.Bounds(t);
  if (lo > e.lo) {
    const TimestampMs until = std::min(lo, e.hi);
    for (size_t i = e.UpperBound(e.lo); i < e.end() && e.at(i).time <= until; ++i) {
      Leave(e, e.at(i));
    }
  }
  const TimestampMs old_hi = e.hi;
  e.lo = lo;
  e.hi = hi;
  e.newest_read = t;
  if (hi > old_hi) {
    for (size_t i = e.UpperBound(std::max(old_hi, lo)); i < e.end() && e.at(i).time <= hi; ++i) {
      Enter(e, i);
    }
  }
  const TimestampMs keep_after = KeepAfter(t);
  while (e.size() > 0 && e.at(e.begin()).time <= keep_after) e.PopFront();
}

void WindowStore::AddToLog(WindowState& e, TimestampMs t, const WindowContribution& contribution) {
  const size_t i = e.Insert(t, e.next_seq++, contribution.value, contribution.text);
  e.present = true;
  if (t >= e.newest_time) {
    e.newest_time = t;
    e.set_newest_text(contribution.text.substr(0, kMaxRememberedText));
  }
  if (t > e.lo && t <= e.hi) Enter(e, i);  // otherwise pending, or kept for late reads only
}

WindowAggregate WindowStore::Scan(WindowState& e, TimestampMs lo, TimestampMs hi) const {
  WindowAggregate out;
  std::unordered_set<std::string_view> distinct;
  for (size_t i = e.UpperBound(lo); i < e.end() && e.at(i).time <= hi; ++i) {
    const WindowEntry& entry = e.at(i);
    out.count += 1;
    out.sum += entry.value;
    if (spec_.track_distinct) distinct.insert(entry.text());
    if (spec_.track_extremes) {
      out.min = std::min(out.min.value_or(entry.value), entry.value);
      out.max = std::max(out.max.value_or(entry.value), entry.value);
    }
  }
  out.distinct = static_cast<int64_t>(distinct.size());
  if (spec_.max_distinct > 0) out.distinct = std::min(out.distinct, spec_.max_distinct);
  return out;
}

WindowAggregate WindowStore::Update(WindowState& e, TimestampMs t,
                                    const std::optional<WindowContribution>& contribution,
                                    bool want_previous, bool& changed) {
  changed = false;
  if (!e.present && !contribution) return WindowAggregate{};
  std::optional<TimestampMs> previous_time;
  std::string previous_text;
  if (want_previous && e.present) {
    if (t >= e.newest_time) {  // in order: the newest contribution is the previous one
      previous_time = e.newest_time;
      previous_text = e.newest_text();
    } else if (const size_t i = e.UpperBound(t); i > e.begin()) {
      previous_time = e.at(i - 1).time;
      previous_text = e.at(i - 1).text();
    }
  }
  const bool in_order = t >= e.newest_read;
  const bool advances = t > e.newest_read || !e.present;
  if (advances) Advance(e, t);
  if (contribution) AddToLog(e, t, *contribution);
  // A read that neither moves the window nor adds to it leaves the state as it was.
  changed = advances || contribution.has_value();
  if (changed) e.TouchHead();

  WindowAggregate out;
  if (in_order) {
    out.count = e.count;
    out.sum = e.sum;
    out.distinct = e.distinct;
    ReadExtremes(e, out);
  } else {
    auto [lo, hi] = spec_.Bounds(t);
    out = Scan(e, lo, hi);
    out.exact = t >= e.newest_read - spec_.allowed_lateness_ms;
  }
  out.exact = out.exact && e.capped_until <= spec_.Bounds(t).first;
  out.previous_time = previous_time;
  out.previous_text = std::move(previous_text);
  return out;
}

Result<WindowAggregate> WindowStore::Apply(uint32_t partition, std::string_view entity,
                                           TimestampMs t,
                                           const std::optional<WindowContribution>& contribution,
                                           bool want_previous) {
  CachedEntity* windows = nullptr;
  bool changed = false;
  const std::string key = CachedEntity::Key(partition, entity);
  auto out = Apply(windows, RowCache::Hashed(key), t, contribution, want_previous, changed);
  if (out.ok() && windows != nullptr) db_.ReleaseCached(windows, changed);
  return out;
}

Result<WindowAggregate> WindowStore::Apply(CachedEntity*& windows, HashedKey cache_key,
                                           TimestampMs t,
                                           const std::optional<WindowContribution>& contribution,
                                           bool want_previous, bool& changed) {
  const bool make = contribution.has_value();
  if (windows == nullptr) windows = FindWindows(cache_key, make);
  if (windows == nullptr) return WindowAggregate{};
  auto e = Acquire(*windows, make);
  if (!e.ok()) return e.status();
  if (*e == nullptr) return WindowAggregate{};
  bool this_changed = false;
  WindowAggregate out = Update(**e, t, contribution, want_previous, this_changed);
  changed = changed || this_changed;
  return out;
}

Status WindowStore::Insert(uint32_t partition, std::string_view entity, TimestampMs t,
                           const WindowContribution& contribution) {
  const std::string key = CachedEntity::Key(partition, entity);
  CachedEntity* windows = FindWindows(RowCache::Hashed(key), /*make=*/true);
  auto e = Acquire(*windows, /*make=*/true);
  if (!e.ok()) return e.status();
  AddToLog(**e, t, contribution);
  (*e)->TouchHead();
  db_.ReleaseCached(windows, true);
  return Status::Ok();
}

Result<std::optional<CommittedWindow>> WindowStore::ReadCommitted(uint32_t partition,
                                                                  std::string_view entity) const {
  const std::string prefix =
      CachedEntity::WindowPrefix(CachedEntity::Key(partition, entity), spec_.store_id);
  auto head = db_.GetCommitted(kFamily, prefix + WindowState::kHeadTag);
  if (!head.ok()) return head.status();
  if (!head->has_value()) return std::optional<CommittedWindow>();
  auto read = ReadEntity(prefix, **head, [&] { return db_.NewCommittedIterator(kFamily); });
  if (!read.ok()) return read.status();
  WindowState& e = **read;
  CommittedWindow out;
  WindowAggregate& a = out.aggregate;
  a.count = e.count;
  a.sum = e.sum;
  a.distinct = e.distinct;
  if (e.newest_read != kBeforeAll) {
    out.as_of_ms = e.newest_read;
    out.lo_ms = e.lo;
    out.hi_ms = e.hi;
  }
  a.exact = e.capped_until <= e.lo;
  if (e.newest_time != kBeforeAll) {
    a.previous_time = e.newest_time;
    a.previous_text = e.newest_text();
  }
  ReadExtremes(e, a);
  out.retained_entries = static_cast<int64_t>(e.size());
  return std::optional<CommittedWindow>(std::move(out));
}

}  // namespace riskstream
