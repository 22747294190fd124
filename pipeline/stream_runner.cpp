#include "pipeline/stream_runner.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "pipeline/state_restore.h"
#include "state/changelog.h"

namespace riskstream {
namespace {

TimestampMs WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int kFlushTimeoutMs = 5000;  // per attempt; an unanswered commit is retried
constexpr int kInitTimeoutMs = 60000;
constexpr auto kMaxBackoff = std::chrono::seconds(5);
constexpr auto kGiveUpWhenStopping = std::chrono::seconds(30);

}  // namespace

Result<std::unique_ptr<StreamRunner>> StreamRunner::Create(const PipelineConfig& config,
                                                           const std::string& bootstrap_servers,
                                                           PipelineMetrics& metrics) {
  std::unique_ptr<StreamRunner> runner(new StreamRunner());
  runner->config_ = config;
  runner->metrics_ = &metrics;

  auto hasher = PiiHasher::FromEnvironment(config.pii_key_env);
  if (!hasher.ok()) return hasher.status();
  runner->hasher_ = std::make_unique<PiiHasher>(std::move(*hasher));

  auto reloader = PolicyReloader::ForConfig(config);
  if (!reloader.ok()) return reloader.status();
  runner->reloader_ = std::move(*reloader);
  metrics.SetRuleSetVersion(runner->reloader_->policies()->Get().live->rules().version());
  runner->reloader_->SetListener([&metrics](const Policy& live, const Policy*) {
    metrics.SetRuleSetVersion(live.rules().version());
  });

  StateDbOptions state_options;
  state_options.row_cache_bytes = config.state_cache_bytes;
  auto state = StateDb::Open(config.state_dir, state_options);
  if (!state.ok()) return state.status();
  runner->state_ = std::move(*state);
  spdlog::info("processing guarantee: {}", ToString(config.guarantee));
  if (config.guarantee == ProcessingGuarantee::kExactlyOnce) {
    // Fence earlier instances first, so the committed changelog's end is final; restore before
    // anything reads the stores.
    auto txn = TransactionalSink::Create(bootstrap_servers, config.producer_properties,
                                         config.transactional_id, kInitTimeoutMs);
    if (!txn.ok()) return txn.status();
    runner->txn_ = std::move(*txn);
    if (Status s = EnsureChangelogTopic(runner->txn_->producer(), config.topics.changelog, 30000);
        !s.ok()) {
      return s;
    }
    auto restored =
        RestoreFromChangelog(bootstrap_servers, config.group_id + "-restore",
                             config.consumer_properties, config.topics.changelog, *runner->state_);
    if (!restored.ok()) return restored.status();
    metrics.OnRestore(restored->records, restored->bytes, restored->seconds);
  }
  runner->topology_ = std::make_unique<DecisionTopology>(
      *runner->state_, *runner->hasher_, config.features, runner->reloader_->policies(),
      static_cast<uint32_t>(config.partitions), config.allowed_lateness_ms,
      !config.topics.features.empty());

  runner->topic_roles_ = {{config.topics.applications, EventType::kApplication},
                          {config.topics.transactions, EventType::kTransaction},
                          {config.topics.labels, EventType::kLabel}};
  std::vector<std::string> outputs = {config.topics.credit_events, config.topics.fraud_alerts,
                                      config.topics.dead_letter};
  if (!config.topics.features.empty()) outputs.push_back(config.topics.features);
  if (!config.topics.shadow_decisions.empty()) outputs.push_back(config.topics.shadow_decisions);
  if (runner->txn_) {
    outputs.push_back(config.topics.changelog);
    if (Status s = runner->txn_->WarmUp(outputs, 30000); !s.ok()) return s;
  } else {
    auto sink = KafkaSink::Create(bootstrap_servers, config.producer_properties);
    if (!sink.ok()) return sink.status();
    if (Status s = (*sink)->WarmUp(outputs, 30000); !s.ok()) return s;
    runner->sink_ = std::move(*sink);
  }
  runner->aligned_ = std::make_unique<AlignedKafkaInput>(config.alignment_max_idle_ms);
  auto source = KafkaSource::Create(
      bootstrap_servers, config.group_id, config.consumer_properties,
      {config.topics.applications, config.topics.transactions, config.topics.labels}, *runner);
  if (!source.ok()) return source.status();
  runner->source_ = std::move(*source);
  runner->aligned_->SetSource(runner->source_.get());
  return runner;
}

StreamRunner::~StreamRunner() {
  // Buffered records go before their consumer; the source must leave the group before the state
  // it reports to goes away.
  aligned_.reset();
  source_.reset();
}

const std::string& StreamRunner::TopicFor(OutputStream stream) const {
  switch (stream) {
    case OutputStream::kCreditEvents:
      return config_.topics.credit_events;
    case OutputStream::kFraudAlerts:
      return config_.topics.fraud_alerts;
    case OutputStream::kFeatures:
      return config_.topics.features;
    case OutputStream::kShadowDecisions:
      return config_.topics.shadow_decisions;
    case OutputStream::kDeadLetter:
      break;
  }
  return config_.topics.dead_letter;
}

Status StreamRunner::Run() {
  last_commit_ = std::chrono::steady_clock::now();
  const auto interval = std::chrono::milliseconds(config_.commit_interval_ms);
  Status result;
  while (!stop_.load() && result.ok()) {
    auto message =
        aligned_->Next(static_cast<int>(std::min<DurationMs>(config_.commit_interval_ms, 100)));
    if (!message.ok()) {
      result = message.status();
      break;
    }
    if (*message) result = Handle(**message);
    if (!result.ok() && txn_ && !txn_->fatal() && result.code() == Status::Code::kKafkaError) {
      result = AbortAndRewind(result, /*rewind=*/true);
    }
    if (result.ok() && !deferred_error_.ok()) result = deferred_error_;
    if (result.ok() && (uncommitted_events_ >= config_.commit_max_events ||
                        std::chrono::steady_clock::now() - last_commit_ >= interval)) {
      result = Commit();
    }
    if (txn_) {
      txn_->Poll();
    } else {
      sink_->Poll();
    }
    if (source_->brokers_down()) WatchBrokers();
  }
  if (result.ok()) result = Commit();
  if (!result.ok()) {
    // Nothing uncommitted may count: the next run resumes from the last commit.
    state_->DiscardPending();
    if (txn_ && !txn_->fatal()) txn_->Abort(kFlushTimeoutMs);  // else the next instance aborts
  }
  source_->Close();
  metrics_->SetRebalances(source_->rebalances());
  if (!result.ok()) {
    std::lock_guard lock(shared_mutex_);
    failure_ = result.ToString();
  }
  finished_.store(true);
  return result;
}

std::pair<bool, std::string> StreamRunner::Readiness() const {
  {
    std::lock_guard lock(shared_mutex_);
    if (!failure_.empty()) return {false, "stopped on a fatal error: " + failure_};
    if (!unavailable_.empty()) return {false, "broker unavailable, retrying: " + unavailable_};
  }
  if (source_ && source_->brokers_down()) {
    return {false, "broker unavailable, retrying: all brokers down"};
  }
  if (finished_.load()) return {false, "stopped"};
  if (stop_.load()) return {false, "stopping"};
  if (!assigned_.load()) return {false, "waiting for the first partition assignment"};
  return {true, ""};
}

std::shared_ptr<const RuleSet> StreamRunner::rules() const {
  auto live = reloader_->policies()->Get().live;
  return std::shared_ptr<const RuleSet>(live, &live->rules());
}

Status StreamRunner::Handle(const RdKafka::Message& message) {
  SourcePosition position{message.topic_name(), message.partition(), message.offset()};
  auto role_it = topic_roles_.find(position.topic);
  std::optional<EventType> role;
  if (role_it != topic_roles_.end()) role = role_it->second;
  std::string_view bytes(static_cast<const char*>(message.payload()), message.len());

  const TimestampMs now = WallClockMs();
  auto processed = topology_->Process(bytes, role, position, now);
  if (!processed.ok()) {
    return processed.status().WithContext(position.topic + "/" +
                                          std::to_string(position.partition) + "@" +
                                          std::to_string(position.offset));
  }
  for (const auto& output : processed->outputs) {
    std::string_view key = output.key;
    if (output.stream == OutputStream::kDeadLetter && message.key() != nullptr) {
      key = *message.key();
    }
    if (Status s = Emit(TopicFor(output.stream), key, output.value); !s.ok()) return s;
  }

  metrics_->OnConsumed(position.topic,
                       processed->type ? ToString(*processed->type) : std::string_view("invalid"));
  if (processed->rejection) {
    metrics_->OnDeadLetter(ToString(*processed->rejection));
  } else {
    metrics_->OnDecision(ToString(*processed->decision));
    for (const auto& fired : processed->outcome->fired) {
      metrics_->OnAlert(fired.rule->id, ToString(fired.rule->severity));
    }
    if (processed->late) metrics_->OnLateEvent();
    if (*processed->type == EventType::kLabel) {
      metrics_->OnLabels(processed->label_pending ? "pending" : "applied", 1);
    }
    metrics_->OnLabels("applied_on_arrival", processed->pending_labels_applied);
    metrics_->OnLabels("expired", processed->pending_labels_expired);
    metrics_->SetEventTimeLag(static_cast<double>(now - processed->event_time) / 1000.0);
  }
  auto ts = message.timestamp();
  if (ts.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE && ts.timestamp > 0) {
    metrics_->ObserveDecisionLatency(std::max<double>(0, static_cast<double>(now - ts.timestamp)) /
                                     1000.0);
  }

  state_->SetInputOffset(position.topic, position.partition, position.offset + 1);
  uncommitted_offsets_[{position.topic, position.partition}] = position.offset + 1;
  ++uncommitted_events_;
  ++processed_;
  if (observer_) observer_(*processed);
  return Status::Ok();
}

void StreamRunner::WatchBrokers() {
  metrics_->SetBrokerUnavailable(true);
  auto now = std::chrono::steady_clock::now();
  if (now - last_broker_check_ < std::chrono::seconds(1)) return;
  last_broker_check_ = now;
  if (source_->CheckBrokers(500).ok()) {
    spdlog::info("brokers reachable again");
    metrics_->SetBrokerUnavailable(false);
  }
}

Status StreamRunner::Emit(const std::string& topic, std::string_view key, std::string_view value) {
  return txn_ ? txn_->Produce(topic, key, value) : sink_->Produce(topic, key, value);
}

Status StreamRunner::Commit() {
  auto backoff = std::chrono::milliseconds(100);
  std::optional<std::chrono::steady_clock::time_point> stopping_since;
  while (true) {
    Status status = txn_ ? CommitTransaction() : CommitAtLeastOnce();
    if (status.code() != Status::Code::kUnavailable) {
      std::lock_guard lock(shared_mutex_);
      if (!unavailable_.empty()) spdlog::info("broker answers again; commit done");
      unavailable_.clear();
      metrics_->SetBrokerUnavailable(false);
      return status;
    }
    // The broker does not answer: nothing is lost (outputs stay queued, the transaction open),
    // so wait and retry; give up only when asked to stop and it stays away.
    {
      std::lock_guard lock(shared_mutex_);
      unavailable_ = status.message();
    }
    metrics_->SetBrokerUnavailable(true);
    if (stop_.load()) {
      if (!stopping_since) stopping_since = std::chrono::steady_clock::now();
      if (std::chrono::steady_clock::now() - *stopping_since > kGiveUpWhenStopping) {
        metrics_->OnCommitFailure();
        return status.WithContext("commit (stopping)");
      }
    }
    spdlog::warn("commit: {}; retrying in {} ms", status.message(), backoff.count());
    std::this_thread::sleep_for(backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
  }
}

Status StreamRunner::CommitAtLeastOnce() {
  if (uncommitted_events_ == 0) {
    last_commit_ = std::chrono::steady_clock::now();
    return Status::Ok();
  }
  auto started = std::chrono::steady_clock::now();
  Status status = sink_->Flush(kFlushTimeoutMs);
  if (status.code() == Status::Code::kUnavailable) return status;
  if (status.ok()) status = state_->Commit();
  if (!status.ok()) {
    metrics_->OnCommitFailure();
    return status.WithContext("commit");
  }
  // State and outputs are durable; the group offset only lets other tools see progress, and is
  // behind at worst (the state's offset wins on the next assignment).
  if (Status s = source_->Commit(uncommitted_offsets_); !s.ok()) {
    spdlog::warn("{} (state already records the position; continuing)", s.message());
  }
  AfterCommit(started);
  return Status::Ok();
}

Status StreamRunner::CommitTransaction() {
  if (uncommitted_events_ == 0 && !txn_->in_transaction()) {
    last_commit_ = std::chrono::steady_clock::now();
    return Status::Ok();
  }
  auto started = std::chrono::steady_clock::now();
  const std::string& changelog = config_.topics.changelog;
  if (!changelog_produced_) {
    // The pending state changes (input offsets included) join the outputs in the transaction.
    for (const auto& record : PendingChangelog(*state_)) {
      std::optional<std::string_view> value;
      if (record.value) value = *record.value;
      Status s = txn_->ProduceTo(changelog, kChangelogPartition, record.key, value);
      if (!s.ok()) return txn_->fatal() ? s : AbortAndRewind(s, /*rewind=*/true);
    }
    changelog_produced_ = true;
  }
  auto group = source_->GroupMetadata();
  auto outcome = txn_->Commit(uncommitted_offsets_, *group, kFlushTimeoutMs);
  if (!outcome.ok()) {
    if (outcome.status().code() == Status::Code::kUnavailable) return outcome.status();
    metrics_->OnCommitFailure();
    return outcome.status().WithContext("commit");
  }
  changelog_produced_ = false;
  if (*outcome == TransactionalSink::Outcome::kAborted) {
    return AbortAndRewind(Status::KafkaError("transaction aborted"), /*rewind=*/true);
  }
  metrics_->OnTransaction(true);
  // Kafka holds the outputs, offsets and changelog; now the local copy catches up. A crash before
  // this write leaves it behind the changelog, which the next start restores.
  if (auto end = txn_->DeliveredEnd(changelog, kChangelogPartition)) {
    state_->SetChangelogPosition(changelog, kChangelogPartition, *end);
  }
  if (Status s = state_->Commit(); !s.ok()) {
    metrics_->OnCommitFailure();
    return s.WithContext("writing committed state (the next start restores it from " + changelog +
                         ")");
  }
  AfterCommit(started);
  return Status::Ok();
}

Status StreamRunner::AbortAndRewind(const Status& cause, bool rewind) {
  spdlog::warn("aborting the transaction ({}); rewinding to the last commit", cause.ToString());
  if (Status s = txn_->Abort(kFlushTimeoutMs); !s.ok()) return s.WithContext(cause.message());
  metrics_->OnTransaction(false);
  changelog_produced_ = false;
  state_->DiscardPending();
  std::map<std::pair<std::string, int32_t>, int64_t> committed;
  for (const auto& [topic_partition, next_offset] : uncommitted_offsets_) {
    auto offset = state_->CommittedInputOffset(topic_partition.first, topic_partition.second);
    if (!offset.ok()) return offset.status();
    committed[topic_partition] = offset->value_or(RdKafka::Topic::OFFSET_BEGINNING);
  }
  if (rewind) {
    if (Status s = source_->Rewind(committed); !s.ok()) return s;
    aligned_->OnRewound(committed);
  }
  uncommitted_offsets_.clear();
  uncommitted_events_ = 0;
  last_commit_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

void StreamRunner::AfterCommit(std::chrono::steady_clock::time_point started) {
  for (const auto& [topic_partition, next_offset] : uncommitted_offsets_) {
    if (auto lag = source_->Lag(topic_partition.first, topic_partition.second, next_offset)) {
      metrics_->SetConsumerLag(topic_partition.first, topic_partition.second, *lag);
    }
  }
  uncommitted_offsets_.clear();
  uncommitted_events_ = 0;
  last_commit_ = std::chrono::steady_clock::now();
  metrics_->OnCommit(std::chrono::duration<double>(last_commit_ - started).count());
  metrics_->SetStateStats(state_->EstimateKeys(StateDb::Family::kWindows), state_->LiveDataBytes(),
                          state_->PendingCompactionBytes(), state_->BlockCacheHitRatio());
  const RowCacheStats cache = state_->CacheStats();
  const uint64_t lookups = cache.hits + cache.misses;
  metrics_->SetRowCacheStats(
      lookups == 0 ? 0.0 : static_cast<double>(cache.hits) / static_cast<double>(lookups),
      cache.bytes);
}

void StreamRunner::OnAssigning(std::vector<TopicPartitionOffset>& partitions) {
  for (auto& p : partitions) {
    auto committed = state_->CommittedInputOffset(p.topic, p.partition);
    if (!committed.ok()) {
      deferred_error_ = committed.status();
      continue;
    }
    if (committed->has_value()) p.offset = **committed;
  }
  aligned_->OnAssigned(partitions);
  metrics_->SetRebalances(source_ ? source_->rebalances() : 0);
  assigned_.store(true);
}

void StreamRunner::OnRevoking(const std::vector<TopicPartitionOffset>& partitions) {
  aligned_->OnRevoked(partitions);  // what was not processed stays uncommitted for the next owner
  Status status = Commit();
  if (!status.ok()) deferred_error_ = status;
}

}  // namespace riskstream
