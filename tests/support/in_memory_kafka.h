// tests/support/in_memory_kafka.h
//
// An in-memory stand-in for a Kafka cluster, enough for StreamRunner's contract and nothing more
// (in the spirit of Kafka Streams' TopologyTestDriver): topics of partitions of records, one
// consumer group's committed offsets, transactions whose records a reader sees only once committed
// (read_committed), and faults a test can ask for (a commit that aborts or gets no answer, a
// produce that fails, a revocation). InMemoryConnector plugs it into StreamRunner::Create, so the
// real runner, topology and commit protocols run on it without a broker. Single-threaded: the
// runner's thread is the only one touching it while Run() runs.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "pipeline/runtime/at_least_once_transaction.h"
#include "pipeline/runtime/exactly_once_transaction.h"
#include "pipeline/runtime/output_sink.h"
#include "pipeline/runtime/record_source.h"
#include "pipeline/runtime/runtime_connector.h"
#include "state/changelog/changelog.h"
#include "state/db/state_db.h"

namespace riskstream::in_memory {

struct StoredRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;  // nullopt: a tombstone
  std::optional<TimestampMs> timestamp;
};

class InMemoryBroker {
 public:
  // Faults, each consumed when it happens.
  int abort_next_commits = 0;        // transactional commits that abort
  int unavailable_next_commits = 0;  // commits (or flushes) that get no answer
  int fail_produce_at = -1;          // the produce with this index (from 0) fails: kKafkaError
  // Called when a source is asked to wait for a record and has none left: the runner's aligned
  // input released everything it held, so every record delivered so far is processed (tests stop
  // the runner there).
  std::function<void()> on_drained;

  void CreateTopic(const std::string& topic, int partitions) {
    topics_[topic].resize(static_cast<size_t>(partitions));
  }
  bool HasTopic(const std::string& topic) const { return topics_.count(topic) != 0; }
  int Partitions(const std::string& topic) const {
    auto it = topics_.find(topic);
    return it == topics_.end() ? 0 : static_cast<int>(it->second.size());
  }
  // Appends a committed record; returns its offset.
  int64_t Append(const std::string& topic, int32_t partition, StoredRecord record) {
    auto& log = topics_.at(topic).at(static_cast<size_t>(partition));
    log.push_back(std::move(record));
    return static_cast<int64_t>(log.size()) - 1;
  }
  const std::vector<StoredRecord>& Log(const std::string& topic, int32_t partition) const {
    return topics_.at(topic).at(static_cast<size_t>(partition));
  }
  // Every committed record of `topic`, partition by partition.
  std::vector<StoredRecord> ReadCommitted(const std::string& topic) const {
    std::vector<StoredRecord> out;
    for (const auto& log : topics_.at(topic)) out.insert(out.end(), log.begin(), log.end());
    return out;
  }
  PartitionOffsets& group_offsets() { return group_offsets_; }
  int produces() const { return produces_; }

  // Counts a produce and fails it when asked to.
  Status CountProduce() {
    if (produces_++ == fail_produce_at) return Status::KafkaError("injected produce failure");
    return Status::Ok();
  }
  Status TakeCommitFault(bool transactional, bool& aborted) {
    aborted = false;
    if (unavailable_next_commits > 0) {
      --unavailable_next_commits;
      return Status::Unavailable("injected: the broker did not answer");
    }
    if (transactional && abort_next_commits > 0) {
      --abort_next_commits;
      aborted = true;
    }
    return Status::Ok();
  }

 private:
  std::map<std::string, std::vector<std::vector<StoredRecord>>> topics_;
  PartitionOffsets group_offsets_;
  int produces_ = 0;
};

// Reads the input topics' partitions, all assigned at the first Poll.
class InMemorySource final : public RecordSource {
 public:
  InMemorySource(InMemoryBroker& broker, std::vector<std::string> topics,
                 AssignmentListener& listener)
      : broker_(broker), topics_(std::move(topics)), listener_(listener) {}

  Result<std::optional<InputRecord>> Poll(int timeout_ms) override {
    if (!assigned_) Assign();
    // The lowest-numbered partition with a record left: any order within the contract.
    for (auto& [tp, next] : positions_) {
      const auto& log = broker_.Log(tp.first, tp.second);
      if (next >= static_cast<int64_t>(log.size())) continue;
      const StoredRecord& stored = log[static_cast<size_t>(next)];
      InputRecord record{tp.first,        tp.second, next, stored.key, stored.value.value_or(""),
                         stored.timestamp};
      ++next;
      return std::optional<InputRecord>(std::move(record));
    }
    if (timeout_ms > 0 && broker_.on_drained) broker_.on_drained();
    return std::optional<InputRecord>();
  }
  Status Commit(const PartitionOffsets& next_offsets) override {
    for (const auto& [tp, offset] : next_offsets) broker_.group_offsets()[tp] = offset;
    return Status::Ok();
  }
  Status Rewind(const PartitionOffsets& next_offsets) override {
    for (const auto& [tp, offset] : next_offsets) {
      auto it = positions_.find(tp);
      if (it != positions_.end()) it->second = offset < 0 ? 0 : offset;
    }
    return Status::Ok();
  }
  void Close() override {
    if (!assigned_) return;
    std::vector<TopicPartitionOffset> all;
    for (const auto& [tp, next] : positions_) all.push_back({tp.first, tp.second, next});
    listener_.OnRevoking(all);
    positions_.clear();
    assigned_ = false;
  }
  // Takes `partitions` away (as a rebalance would) and gives them back: the listener commits on
  // revocation and sets the start positions on assignment, from the state.
  void Reassign(const std::vector<std::pair<std::string, int32_t>>& partitions) {
    std::vector<TopicPartitionOffset> revoked;
    for (const auto& tp : partitions) revoked.push_back({tp.first, tp.second, positions_.at(tp)});
    ++rebalances_;
    listener_.OnRevoking(revoked);
    for (const auto& tp : partitions) positions_.erase(tp);
    std::vector<TopicPartitionOffset> assigned;
    for (const auto& tp : partitions) assigned.push_back({tp.first, tp.second, kOffsetInvalid});
    StartAt(assigned);
  }

  int64_t rebalances() const override { return rebalances_; }
  bool brokers_down() const override { return false; }
  Status CheckBrokers(int) override { return Status::Ok(); }
  std::optional<int64_t> Lag(const std::string& topic, int32_t partition,
                             int64_t next_offset) override {
    return std::max<int64_t>(
        0, static_cast<int64_t>(broker_.Log(topic, partition).size()) - next_offset);
  }

 private:
  void Assign() {
    assigned_ = true;
    std::vector<TopicPartitionOffset> partitions;
    for (const auto& topic : topics_) {
      for (int32_t p = 0; p < broker_.Partitions(topic); ++p) {
        partitions.push_back({topic, p, kOffsetInvalid});
      }
    }
    ++rebalances_;
    StartAt(partitions);
  }
  // Unlike a Kafka client, it resolves where each partition starts (the group's committed
  // offset, else the beginning) before the listener is asked, so that even an empty partition
  // has a known position and never holds the event-time merge back.
  void StartAt(std::vector<TopicPartitionOffset>& partitions) {
    for (auto& p : partitions) {
      auto committed = broker_.group_offsets().find({p.topic, p.partition});
      p.offset = committed == broker_.group_offsets().end() ? 0 : committed->second;
    }
    listener_.OnAssigning(partitions);
    for (const auto& p : partitions) positions_[{p.topic, p.partition}] = p.offset;
  }

  InMemoryBroker& broker_;
  const std::vector<std::string> topics_;
  AssignmentListener& listener_;
  bool assigned_ = false;
  int64_t rebalances_ = 0;
  std::map<std::pair<std::string, int32_t>, int64_t> positions_;
};

// At-least-once delivery: a produced record is visible at once.
class InMemorySink final : public OutputSink {
 public:
  explicit InMemorySink(InMemoryBroker& broker) : broker_(broker) {}
  Status Produce(const std::string& topic, std::string_view key, std::string_view value) override {
    if (Status s = broker_.CountProduce(); !s.ok()) return s;
    broker_.Append(topic, 0, {std::string(key), std::string(value), std::nullopt});
    return Status::Ok();
  }
  Status Flush(int) override {
    bool aborted = false;
    return broker_.TakeCommitFault(/*transactional=*/false, aborted);
  }
  void Poll() override {}

 private:
  InMemoryBroker& broker_;
};

// Transactions: records wait until Commit() appends them, with the group offsets, at once.
class InMemoryTransactionalProducer final : public TransactionalProducer {
 public:
  explicit InMemoryTransactionalProducer(InMemoryBroker& broker) : broker_(broker) {}

  Status Produce(const std::string& topic, std::string_view key, std::string_view value) override {
    return ProduceTo(topic, 0, key, value);
  }
  Status ProduceTo(const std::string& topic, int32_t partition, std::string_view key,
                   std::optional<std::string_view> value) override {
    if (Status s = broker_.CountProduce(); !s.ok()) return s;
    if (!broker_.HasTopic(topic)) return Status::KafkaError("unknown topic " + topic);
    std::optional<std::string> copy;
    if (value) copy = std::string(*value);
    pending_.push_back({topic, partition, {std::string(key), std::move(copy), std::nullopt}});
    return Status::Ok();
  }
  Result<Outcome> Commit(const PartitionOffsets& next_offsets, int) override {
    if (pending_.empty() && !in_transaction()) return Outcome::kCommitted;
    bool aborted = false;
    if (Status s = broker_.TakeCommitFault(/*transactional=*/true, aborted); !s.ok()) return s;
    if (aborted) {
      pending_.clear();
      return Outcome::kAborted;
    }
    for (auto& p : pending_) {
      int64_t offset = broker_.Append(p.topic, p.partition, std::move(p.record));
      delivered_end_[{p.topic, p.partition}] = offset + 1;
    }
    pending_.clear();
    for (const auto& [tp, offset] : next_offsets) broker_.group_offsets()[tp] = offset;
    return Outcome::kCommitted;
  }
  Status Abort(int) override {
    pending_.clear();
    return Status::Ok();
  }
  bool fatal() const override { return false; }
  bool in_transaction() const override { return !pending_.empty(); }
  std::optional<int64_t> DeliveredEnd(const std::string& topic, int32_t partition) const override {
    auto it = delivered_end_.find({topic, partition});
    if (it == delivered_end_.end()) return std::nullopt;
    return it->second;
  }
  void Poll() override {}

 private:
  struct Pending {
    std::string topic;
    int32_t partition;
    StoredRecord record;
  };
  InMemoryBroker& broker_;
  std::vector<Pending> pending_;
  std::map<std::pair<std::string, int32_t>, int64_t> delivered_end_;
};

// Connects a StreamRunner to an InMemoryBroker: exactly-once (outputs, changelog and offsets in
// in-memory transactions, state restored from the changelog topic at start) or at-least-once.
class InMemoryConnector final : public RuntimeConnector {
 public:
  InMemoryConnector(InMemoryBroker& broker, bool exactly_once, std::string changelog_topic)
      : broker_(broker), exactly_once_(exactly_once), changelog_(std::move(changelog_topic)) {}

  // The source the runner reads (to trigger rebalances); valid while the runner lives.
  InMemorySource* source() const { return source_; }
  int64_t restored_records() const { return restored_; }

  Status PrepareState(StateDb& state) override {
    if (!exactly_once_) return Status::Ok();
    if (!broker_.HasTopic(changelog_)) broker_.CreateTopic(changelog_, 1);
    auto position = state.CommittedChangelogPosition(changelog_, 0);
    if (!position.ok()) return position.status();
    const auto& log = broker_.Log(changelog_, 0);
    std::vector<StateDb::Change> changes;
    for (size_t i = static_cast<size_t>(position->value_or(0)); i < log.size(); ++i) {
      const std::string* value = log[i].value ? &*log[i].value : nullptr;
      auto change = DecodeChange(log[i].key.value_or(""), value);
      if (!change.ok()) return change.status();
      changes.push_back(std::move(*change));
    }
    restored_ = static_cast<int64_t>(changes.size());
    state.SetChangelogPosition(changelog_, 0, static_cast<int64_t>(log.size()));
    return state.WriteRestored(changes);
  }
  Result<std::unique_ptr<RecordSource>> OpenSource(const std::vector<std::string>& topics,
                                                   AssignmentListener& listener) override {
    auto source = std::make_unique<InMemorySource>(broker_, topics, listener);
    source_ = source.get();
    return std::unique_ptr<RecordSource>(std::move(source));
  }
  Result<std::unique_ptr<OutputTransaction>> OpenOutputs(const std::vector<std::string>& topics,
                                                         StateDb& state,
                                                         RecordSource& source) override {
    for (const auto& topic : topics) {
      if (!broker_.HasTopic(topic)) return Status::KafkaError("unknown topic " + topic);
    }
    if (exactly_once_) {
      producer_ = std::make_unique<InMemoryTransactionalProducer>(broker_);
      return std::unique_ptr<OutputTransaction>(
          std::make_unique<ExactlyOnceTransaction>(*producer_, state, changelog_, 0));
    }
    sink_ = std::make_unique<InMemorySink>(broker_);
    return std::unique_ptr<OutputTransaction>(
        std::make_unique<AtLeastOnceTransaction>(*sink_, state, source));
  }

 private:
  InMemoryBroker& broker_;
  const bool exactly_once_;
  const std::string changelog_;
  std::unique_ptr<InMemoryTransactionalProducer> producer_;
  std::unique_ptr<InMemorySink> sink_;
  InMemorySource* source_ = nullptr;
  int64_t restored_ = 0;
};

}  // namespace riskstream::in_memory
