#include "pipeline/replay/read_ahead_replay_source.h"

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
    {
      std::lock_guard lock(mutex_);
      if (!spare_.empty()) {
        batch = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    batch.size = 0;
    batch.end.reset();
    while (batch.size < batch_records_) {
      auto next = inner_->Next();
      if (!next.ok()) {
        batch.end = next.status();
        break;
      }
      if (!*next) {
        batch.end = Status::Ok();
        break;
      }
      if (batch.size == batch.items.size()) batch.items.emplace_back();
      Item& item = batch.items[batch.size++];
      item.record = std::move(**next);
      if (parser) {
        item.parsed.error = parser->Parse(item.record.bytes, item.record.role, item.parsed.event);
      }
    }
    progress_.store(inner_->Progress(), std::memory_order_relaxed);
    forced_.store(inner_->ForcedReleases(), std::memory_order_relaxed);
    reader_cpu_.store(ThreadCpuSeconds(), std::memory_order_relaxed);
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

Result<ReadAheadReplaySource::Item*> ReadAheadReplaySource::NextItem() {
  while (position_ == current_.size) {
    if (current_.end) {
      if (!current_.end->ok()) return *current_.end;
      return static_cast<Item*>(nullptr);
    }
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !ready_.empty(); });
      if (!current_.items.empty()) spare_.push_back(std::move(current_));
      current_ = std::move(ready_.front());
      ready_.pop_front();
    }
    changed_.notify_all();
    position_ = 0;
  }
  return &current_.items[position_++];
}

Result<std::optional<ReplayRecord>> ReadAheadReplaySource::Next() {
  auto item = NextItem();
  if (!item.ok()) return item.status();
  if (*item == nullptr) return std::optional<ReplayRecord>();
  return std::optional<ReplayRecord>(std::move((*item)->record));
}

}  // namespace riskstream
