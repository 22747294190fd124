// pipeline/replay/file_replay_source.h
//
// FileReplaySource replays JSON-lines event logs (plain or gzip, see LogFileReader), many files at
// once, in the canonical order. Each line is either the event JSON itself, or the generator's
// ground-truth layout {"topic","key",...,"event":{...}}. A line is routed to the stream the live
// pipeline would read it from: the input topic of its event type (or the layout's `topic`), and the
// partition Kafka's default partitioner gives its key (the layout's `key`; else applicant_id for
// applications, account_id for transactions and labels, labelled_event_id for a label without an
// account) among `partitions`. Each file's streams keep the file's line order; a record's offset is
// its position in its topic/partition over all files, as if the files had been produced to empty
// topics in order. Streams of different files are merged like partitions.
//
// A line with no readable event_id/event_time cannot be ordered: it is returned at once (it becomes
// a dead letter, which changes no state). Blank lines are skipped. To show every stream's next
// line, a file is read ahead until each of its streams has one or `max_read_ahead` lines are
// buffered; past that, empty streams stop holding the others back (counted in ForcedReleases()).
// Not thread-safe.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/event_time/event_time_aligner.h"
#include "pipeline/replay/log_file_reader.h"
#include "pipeline/replay/replay_source.h"
#include "pipeline/runtime/pipeline_config.h"

namespace riskstream {

class FileReplaySource : public ReplaySource {
 public:
  static Result<std::unique_ptr<FileReplaySource>> Open(const std::vector<std::string>& paths,
                                                        const TopicNames& topics,
                                                        uint32_t partitions,
                                                        size_t max_read_ahead = 1'000'000);
  ~FileReplaySource() override;

  Result<std::optional<ReplayRecord>> Next() override;
  double Progress() const override;
  int64_t ForcedReleases() const override { return forced_; }

 private:
  struct File;
  FileReplaySource() = default;
  Status ReadAhead(size_t file);
  void Route(size_t file, std::string&& line);

  TopicNames topics_;
  uint32_t partitions_ = 1;
  size_t max_read_ahead_ = 0;
  std::vector<std::unique_ptr<File>> files_;
  EventTimeAligner<ReplayRecord> aligner_{0};
  std::vector<size_t> file_of_stream_;
  std::deque<ReplayRecord> unordered_;  // lines without an order key, returned first
  // The next offset of each topic/partition: [offset_topic_[role] * partitions_ + partition].
  std::vector<int64_t> next_offsets_;
  size_t offset_topic_[3] = {0, 1, 2};  // a role's topic: the first role with its topic's name
  int64_t forced_ = 0;
  int64_t released_ = 0;
  simdjson::dom::parser dom_;
  simdjson::ondemand::parser ondemand_;
  int64_t total_bytes_ = 0;
};

}  // namespace riskstream
