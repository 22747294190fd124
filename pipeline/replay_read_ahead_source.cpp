#include "pipeline/replay_read_ahead_source.h"

namespace riskstream {

ReadAheadReplaySource::ReadAheadReplaySource(std::unique_ptr<ReplaySource> inner,
                                             const PiiHasher* hasher, size_t batch_records,
                                             size_t max_buffered)
    : inner_(std::move(inner)),
      hasher_(hasher),
      batch_records_(std::max<size_t>(1, batch_records)),
      max_batches_(std::max<size_t>(1, max_buffered / batch_records_)),
      reader_([this] { Read(); }) {}

ReadAheadReplaySource::~ReadAheadReplaySource() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  reader_.join();
}

void ReadAheadReplaySource::Read() {
  std::optional<EventParser> parser;
  if (hasher_ != nullptr) parser.emplace(*hasher_);
  while (true) {
    Batch batch;
    batch.records.reserve(batch_records_);
    while (batch.records.size() < batch_records_) {
      auto next = inner_->Next();
      if (!next.ok()) {
        batch.end = next.status();
        break;
      }
      if (!*next) {
        batch.end = Status::Ok();
        break;
      }
      ReplayRecord& record = batch.records.emplace_back(std::move(**next));
      if (parser) {
        record.parsed.emplace();
        record.parsed->error = parser->Parse(record.bytes, record.role, record.parsed->event);
      }
    }
    progress_.store(inner_->Progress(), std::memory_order_relaxed);
    forced_.store(inner_->ForcedReleases(), std::memory_order_relaxed);
    bool last = batch.end.has_value();
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || ready_.size() < max_batches_; });
      if (stop_) return;
      ready_.push_back(std::move(batch));
    }
    changed_.notify_all();
    if (last) return;
  }
}

Result<std::optional<ReplayRecord>> ReadAheadReplaySource::Next() {
  while (position_ == current_.records.size()) {
    if (ended_) {
      if (current_.end && !current_.end->ok()) return *current_.end;
      return std::optional<ReplayRecord>();
    }
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !ready_.empty(); });
      current_ = std::move(ready_.front());
      ready_.pop_front();
    }
    changed_.notify_all();
    position_ = 0;
    ended_ = current_.end.has_value();
  }
  return std::optional<ReplayRecord>(std::move(current_.records[position_++]));
}

}  // namespace riskstream
