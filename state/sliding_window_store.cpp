#include "state/sliding_window_store.h"

#include <unordered_set>
#include <utility>
#include <vector>

#include "state/key_codec.h"

namespace riskstream {
namespace {

constexpr char kHeadTag = 'A';
constexpr char kLogTag = 'L';
constexpr char kDistinctTag = 'D';
constexpr auto kFamily = StateDb::Family::kWindows;

}  // namespace

struct SlidingWindowStore::Head {
  TimestampMs head = 0;
  uint64_t next_seq = 0;
  int64_t count = 0;
  double sum = 0;
  int64_t distinct = 0;
  bool present = false;

  std::string Encode() const {
    std::string out;
    AppendTimestamp(out, head);
    AppendU64(out, next_seq);
    AppendU64(out, static_cast<uint64_t>(count));
    AppendDouble(out, sum);
    AppendU64(out, static_cast<uint64_t>(distinct));
    return out;
  }
  bool Decode(std::string_view in) {
    size_t pos = 0;
    uint64_t c, d;
    present = ReadTimestamp(in, pos, head) && ReadU64(in, pos, next_seq) && ReadU64(in, pos, c) &&
              ReadDouble(in, pos, sum) && ReadU64(in, pos, d);
    count = static_cast<int64_t>(c);
    distinct = static_cast<int64_t>(d);
    return present;
  }
};

SlidingWindowStore::SlidingWindowStore(StateDb& db, SlidingWindowSpec spec)
    : db_(db), spec_(spec) {}

std::string SlidingWindowStore::EntityPrefix(uint32_t partition, std::string_view entity) const {
  std::string prefix;
  AppendU32(prefix, partition);
  AppendU64(prefix, spec_.store_id);
  AppendLengthPrefixed(prefix, entity);
  return prefix;
}

Status SlidingWindowStore::AddDistinct(const std::string& prefix, std::string_view key,
                                       int64_t delta, int64_t& distinct) {
  key_buffer_ = prefix;
  key_buffer_.push_back(kDistinctTag);
  key_buffer_.append(key);
  auto current = db_.Get(kFamily, key_buffer_);
  if (!current.ok()) return current.status();
  uint64_t count = 0;
  if (current->has_value()) {
    size_t pos = 0;
    if (!ReadU64(**current, pos, count)) return Status::IoError("corrupt distinct counter");
  }
  int64_t updated = static_cast<int64_t>(count) + delta;
  if (updated <= 0) {
    db_.Delete(kFamily, key_buffer_);
    if (count > 0) --distinct;
  } else {
    std::string value;
    AppendU64(value, static_cast<uint64_t>(updated));
    db_.Put(kFamily, key_buffer_, value);
    if (count == 0) ++distinct;
  }
  return Status::Ok();
}

// Calls `visit(key, value, log_value, distinct_key)` for each log entry with time in
// (from_exclusive, to_inclusive], in order. The batch must not change while this runs.
template <typename Visit>
Status SlidingWindowStore::ForEachLogEntry(const std::string& prefix, TimestampMs from_exclusive,
                                           TimestampMs to_inclusive, Visit&& visit) {
  if (to_inclusive <= from_exclusive) return Status::Ok();
  const std::string log_prefix = prefix + kLogTag;
  std::string start = log_prefix;
  AppendTimestamp(start, from_exclusive + 1);
  auto it = db_.NewIterator(kFamily);
  for (it->Seek(start); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(log_prefix)) break;
    size_t pos = log_prefix.size();
    TimestampMs ts;
    if (!ReadTimestamp(key, pos, ts)) return Status::IoError("corrupt window log key");
    if (ts > to_inclusive) break;
    std::string_view value(it->value().data(), it->value().size());
    pos = 0;
    double amount = 0;
    if (!ReadDouble(value, pos, amount)) return Status::IoError("corrupt window log value");
    visit(key, amount, value.substr(pos));
  }
  return it->status().ok() ? Status::Ok() : Status::IoError(it->status().ToString());
}

// Moves the head to `new_head`: subtracts entries in (old - size, new - size] from the aggregate
// and deletes entries in (old - size - lateness, new - size - lateness] from the log. Entries are
// read first and changed after the iterator is gone: the batch must not change under its iterator.
Status SlidingWindowStore::Expire(const std::string& prefix, Head& head, TimestampMs new_head) {
  struct Leaving {
    double amount;
    std::string distinct_key;
  };
  std::vector<Leaving> leaving;
  std::vector<std::string> doomed;
  const TimestampMs size = spec_.size_ms;
  const TimestampMs keep = size + spec_.allowed_lateness_ms;
  Status status = ForEachLogEntry(prefix, head.head - size, new_head - size,
                                  [&](std::string_view, double amount, std::string_view distinct) {
                                    leaving.push_back({amount, std::string(distinct)});
                                  });
  if (!status.ok()) return status;
  status = ForEachLogEntry(
      prefix, head.head - keep, new_head - keep,
      [&](std::string_view key, double, std::string_view) { doomed.emplace_back(key); });
  if (!status.ok()) return status;
  for (const auto& entry : leaving) {
    head.count -= 1;
    head.sum -= entry.amount;
    if (spec_.track_distinct) {
      status = AddDistinct(prefix, entry.distinct_key, -1, head.distinct);
      if (!status.ok()) return status;
    }
  }
  if (head.count == 0) head.sum = 0;  // no drift from floating-point subtraction
  for (const auto& key : doomed) db_.Delete(kFamily, key);
  head.head = new_head;
  return Status::Ok();
}

// Exact aggregate over (t - size, t] from the retained log (used for out-of-order events).
Result<WindowAggregate> SlidingWindowStore::Scan(const std::string& prefix, TimestampMs t) {
  WindowAggregate result;
  std::unordered_set<std::string> distinct;
  Status status = ForEachLogEntry(prefix, t - spec_.size_ms, t,
                                  [&](std::string_view, double amount, std::string_view key) {
                                    result.count += 1;
                                    result.sum += amount;
                                    if (spec_.track_distinct) distinct.emplace(key);
                                  });
  if (!status.ok()) return status;
  result.distinct = static_cast<int64_t>(distinct.size());
  return result;
}

Result<WindowAggregate> SlidingWindowStore::Apply(
    uint32_t partition, std::string_view entity, TimestampMs t,
    const std::optional<WindowContribution>& contribution) {
  const std::string prefix = EntityPrefix(partition, entity);
  const std::string head_key = prefix + kHeadTag;
  auto stored = db_.Get(kFamily, head_key);
  if (!stored.ok()) return stored.status();
  Head head;
  if (stored->has_value() && !head.Decode(**stored)) {
    return Status::IoError("corrupt window head for entity of store " +
                           std::to_string(spec_.store_id));
  }
  if (!head.present) {
    if (!contribution) return WindowAggregate{};
    head.head = t;
    head.present = true;
  }

  const bool in_order = t >= head.head;
  const bool moved = t > head.head;
  if (moved) {
    Status status = Expire(prefix, head, t);
    if (!status.ok()) return status;
  }
  const TimestampMs retained_from = head.head - spec_.size_ms - spec_.allowed_lateness_ms;
  if (contribution && t > retained_from) {
    std::string log_key = prefix + kLogTag;
    AppendTimestamp(log_key, t);
    AppendU64(log_key, head.next_seq++);
    std::string value;
    AppendDouble(value, contribution->value);
    if (spec_.track_distinct) value.append(contribution->distinct_key);
    db_.Put(kFamily, log_key, value);
    if (t > head.head - spec_.size_ms) {
      head.count += 1;
      head.sum += contribution->value;
      if (spec_.track_distinct) {
        Status status = AddDistinct(prefix, contribution->distinct_key, +1, head.distinct);
        if (!status.ok()) return status;
      }
    }
  }
  if (contribution || moved) db_.Put(kFamily, head_key, head.Encode());

  if (in_order) return WindowAggregate{head.count, head.sum, head.distinct, true};
  auto scanned = Scan(prefix, t);
  if (!scanned.ok()) return scanned;
  scanned->exact = t >= head.head - spec_.allowed_lateness_ms;
  return scanned;
}

}  // namespace riskstream
