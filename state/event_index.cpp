#include "state/event_index.h"

#include <limits>
#include <vector>

#include "state/key_codec.h"

namespace riskstream {
namespace {

constexpr auto kFamily = StateDb::Family::kEvents;

}  // namespace

EventIndex::EventIndex(StateDb& db, DurationMs retention_ms, char id_tag, char time_tag)
    : db_(db), retention_ms_(retention_ms), id_tag_(id_tag), time_tag_(time_tag) {}

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
  std::string value;
  AppendTimestamp(value, event_time);
  value.append(payload);
  db_.Put(kFamily, IdKey(event_id), value);
  db_.Put(kFamily, TimeKey(event_time, event_id), "");
  if (oldest_ && event_time < *oldest_) oldest_ = event_time;
}

Result<std::optional<std::pair<TimestampMs, std::string>>> EventIndex::Get(
    std::string_view event_id) {
  auto stored = db_.Get(kFamily, IdKey(event_id));
  if (!stored.ok()) return stored.status();
  using Entry = std::optional<std::pair<TimestampMs, std::string>>;
  if (!stored->has_value()) return Entry();
  size_t pos = 0;
  TimestampMs time;
  if (!ReadTimestamp(**stored, pos, time)) return Status::IoError("corrupt event index entry");
  return Entry(std::make_pair(time, (*stored)->substr(pos)));
}

Status EventIndex::Erase(std::string_view event_id) {
  auto current = Get(event_id);
  if (!current.ok()) return current.status();
  if (!current->has_value()) return Status::Ok();
  db_.Delete(kFamily, IdKey(event_id));
  db_.Delete(kFamily, TimeKey((*current)->first, event_id));
  return Status::Ok();
}

Status EventIndex::Expire(TimestampMs newest_event_time, int64_t* expired) {
  const TimestampMs cutoff = newest_event_time - retention_ms_;
  if (db_.discards() != discards_seen_) {  // deletes behind the hint may have been undone
    oldest_.reset();
    discards_seen_ = db_.discards();
  }
  if (oldest_ && *oldest_ > cutoff) return Status::Ok();
  std::vector<std::pair<std::string, TimestampMs>> doomed;  // (by-time key, time)
  TimestampMs next_oldest = std::numeric_limits<TimestampMs>::max();
  {
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
      doomed.emplace_back(std::string(key), time);
    }
    if (!it->status().ok()) return Status::IoError(it->status().ToString());
  }
  for (const auto& [by_time, time] : doomed) {
    std::string_view event_id = std::string_view(by_time).substr(1 + 8);
    // A repeated id may have a newer entry: delete the id entry only if it is this one.
    auto current = Get(event_id);
    if (!current.ok()) return current.status();
    if (current->has_value() && (*current)->first == time) {
      db_.Delete(kFamily, IdKey(event_id));
      if (expired != nullptr) ++*expired;
    }
    db_.Delete(kFamily, by_time);
  }
  oldest_ = next_oldest;
  return Status::Ok();
}

}  // namespace riskstream
