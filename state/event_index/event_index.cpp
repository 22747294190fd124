#include "state/event_index/event_index.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "state/db/key_codec.h"

namespace riskstream {
namespace {

constexpr auto kFamily = StateDb::Family::kEvents;

std::string EncodeEntry(TimestampMs time, std::string_view payload) {
  std::string value;
  AppendTimestamp(value, time);
  value.append(payload);
  return value;
}

}  // namespace

EventIndex::EventIndex(StateDb& db, DurationMs retention_ms, char id_tag, char time_tag)
    : db_(db), retention_ms_(retention_ms), id_tag_(id_tag), time_tag_(time_tag) {
  db_.AddPendingWriter(this);
}

EventIndex::~EventIndex() { db_.RemovePendingWriter(this); }

std::string EventIndex::IdKey(std::string_view event_id) const {
  std::string key(1, id_tag_);
  key.append(event_id);
  return key;
}

std::string EventIndex::TimeKey(TimestampMs event_time, std::string_view event_id) const {
  std::string key(1, time_tag_);
  AppendTimestamp(key, event_time);
  key.append(event_id);
  return key;
}

void EventIndex::Put(std::string_view event_id, TimestampMs event_time, std::string_view payload) {
  fresh_.Put(event_id, event_time, payload);
  if (oldest_ && event_time < *oldest_) oldest_ = event_time;
}

Result<std::optional<EventIndex::Entry>> EventIndex::GetStored(std::string_view event_id) {
  if (!db_.MayHaveRows(kFamily, IdTag())) return std::optional<Entry>();
  auto stored = db_.Get(kFamily, IdKey(event_id));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<Entry>();
  size_t pos = 0;
  TimestampMs time;
  if (!ReadTimestamp(**stored, pos, time)) {
    return Status::IoError("corrupt event index entry of " + std::string(event_id));
  }
  return std::optional<Entry>(Entry{time, (*stored)->substr(pos)});
}

Result<std::optional<std::pair<TimestampMs, std::string>>> EventIndex::Get(
    std::string_view event_id) {
  using Found = std::optional<std::pair<TimestampMs, std::string>>;
  if (auto fresh = fresh_.Find(event_id)) {
    return Found(std::make_pair(fresh->time, std::string(fresh->payload)));
  }
  auto stored = GetStored(event_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return Found();
  return Found(std::make_pair((*stored)->time, std::move((*stored)->payload)));
}

void EventIndex::DeleteStored(std::string_view event_id, const Entry& entry) {
  db_.Delete(kFamily, IdKey(event_id));
  db_.Delete(kFamily, TimeKey(entry.time, event_id));
}

Status EventIndex::Erase(std::string_view event_id) {
  fresh_.Erase(event_id);
  auto stored = GetStored(event_id);  // an older entry of a repeated id goes too
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) DeleteStored(event_id, **stored);
  return Status::Ok();
}

int64_t EventIndex::ExpireFresh(TimestampMs cutoff) {
  // The newest entry of its id expires: an older stored one was replaced by it, so it goes too.
  return fresh_.ExpireThrough(
      cutoff, [this](std::string_view event_id) { db_.Delete(kFamily, IdKey(event_id)); });
}

Status EventIndex::Expire(TimestampMs newest_event_time, int64_t* expired) {
  const TimestampMs cutoff = newest_event_time - retention_ms_;
  if (db_.discards() != discards_seen_) {  // deletes behind the hint may have been undone
    oldest_.reset();
    discards_seen_ = db_.discards();
  }
  if (oldest_ && *oldest_ > cutoff) return Status::Ok();
  std::vector<std::pair<std::string, TimestampMs>> expiring;  // (by-time key, time)
  TimestampMs next_oldest = std::numeric_limits<TimestampMs>::max();
  if (db_.MayHaveRows(kFamily, IdTag())) {
    auto it = db_.NewIterator(kFamily);
    std::string start(1, time_tag_);
    if (oldest_) AppendTimestamp(start, *oldest_);
    for (it->Seek(start); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (key.empty() || key[0] != time_tag_) break;
      size_t pos = 1;
      TimestampMs time;
      if (!ReadTimestamp(key, pos, time)) return Status::IoError("corrupt event index key");
      if (time > cutoff) {
        next_oldest = time;
        break;
      }
      expiring.emplace_back(std::string(key), time);
    }
    if (!it->status().ok()) return Status::IoError(it->status().ToString());
  }
  for (const auto& [by_time, time] : expiring) {
    std::string_view event_id = std::string_view(by_time).substr(1 + 8);
    // A repeated id may have a newer entry: delete the id row only if it holds this one.
    auto stored = GetStored(event_id);
    if (!stored.ok()) return stored.status();
    if (stored->has_value() && (*stored)->time == time && !fresh_.Find(event_id)) {
      db_.Delete(kFamily, IdKey(event_id));
      if (expired != nullptr) ++*expired;
    }
    db_.Delete(kFamily, by_time);
  }
  const int64_t fresh_expired = ExpireFresh(cutoff);
  if (expired != nullptr) *expired += fresh_expired;
  oldest_ = std::min(next_oldest, fresh_.Oldest());
  return Status::Ok();
}

void EventIndex::Stage(RowWriter& out) const {
  if (!fresh_.empty()) out.MarkPrefixWritten(kFamily, IdTag());
  fresh_.ForEach([&](std::string_view event_id, TimestampMs time, std::string_view payload) {
    out.Put(kFamily, IdKey(event_id), EncodeEntry(time, payload));
    out.Put(kFamily, TimeKey(time, event_id), "");
  });
}

void EventIndex::Written() { fresh_.Clear(); }

void EventIndex::Dropped() {
  Written();
  oldest_.reset();
}

}  // namespace riskstream
