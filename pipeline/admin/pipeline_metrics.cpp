#include "pipeline/admin/pipeline_metrics.h"

#include <stdexcept>

#include "operators/event/event_parser.h"
#include "operators/policy/rule_set.h"

namespace riskstream {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace

PipelineMetrics::PipelineMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      consumed_(BuildCounter()
                    .Name("riskstream_events_consumed_total")
                    .Help("Input records consumed, by topic and event type (invalid = rejected)")
                    .Register(*registry_)),
      decisions_(BuildCounter()
                     .Name("riskstream_decisions_total")
                     .Help("Decisions written to credit-events, by outcome")
                     .Register(*registry_)),
      alerts_(BuildCounter()
                  .Name("riskstream_alerts_total")
                  .Help("Rules that fired, by rule id and severity")
                  .Register(*registry_)),
      dead_letters_(BuildCounter()
                        .Name("riskstream_dead_letters_total")
                        .Help("Input records sent to the dead-letter topic, by rejection reason")
                        .Register(*registry_)),
      late_events_(BuildCounter()
                       .Name("riskstream_late_events_total")
                       .Help("Events older than their partition's watermark minus allowed lateness")
                       .Register(*registry_)
                       .Add({})),
      labels_(BuildCounter()
                  .Name("riskstream_labels_total")
                  .Help("Label events by outcome: applied at once, pending (kept for their event), "
                        "applied_on_arrival of their event, expired before it came")
                  .Register(*registry_)),
      decision_latency_(BuildHistogram()
                            .Name("riskstream_decision_latency_seconds")
                            .Help("Processing time from the input record's Kafka timestamp to its "
                                  "decision being produced")
                            .Register(*registry_)
                            .Add({}, LatencyBuckets())),
      event_time_lag_(BuildGauge()
                          .Name("riskstream_event_time_lag_seconds")
                          .Help("Wall clock minus the event time of the last decided event")
                          .Register(*registry_)
                          .Add({})),
      commits_(BuildCounter()
                   .Name("riskstream_commits_total")
                   .Help("Commits of outputs, state and input offsets")
                   .Register(*registry_)
                   .Add({})),
      commit_failures_(BuildCounter()
                           .Name("riskstream_commit_failures_total")
                           .Help("Commits that failed and were rolled back to the last committed "
                                 "position")
                           .Register(*registry_)
                           .Add({})),
      commit_latency_(BuildHistogram()
                          .Name("riskstream_commit_latency_seconds")
                          .Help("Time to flush outputs and commit state and offsets")
                          .Register(*registry_)
                          .Add({}, LatencyBuckets())),
      rebalances_(BuildGauge()
                      .Name("riskstream_rebalances")
                      .Help("Consumer group rebalances seen by this instance")
                      .Register(*registry_)
                      .Add({})),
      state_keys_(BuildGauge()
                      .Name("riskstream_state_keys")
                      .Help("Estimated keys in the window store")
                      .Register(*registry_)
                      .Add({{"store", "windows"}})),
      state_bytes_(BuildGauge()
                       .Name("riskstream_state_live_bytes")
                       .Help("Estimated live data bytes in RocksDB")
                       .Register(*registry_)
                       .Add({})),
      pending_compaction_bytes_(
          BuildGauge()
              .Name("riskstream_state_pending_compaction_bytes")
              .Help("RocksDB's estimate of bytes compaction still has to rewrite")
              .Register(*registry_)
              .Add({})),
      block_cache_hit_ratio_(BuildGauge()
                                 .Name("riskstream_state_block_cache_hit_ratio")
                                 .Help("Share of RocksDB block-cache lookups that hit, since start")
                                 .Register(*registry_)
                                 .Add({})),
      row_cache_hit_ratio_(BuildGauge()
                               .Name("riskstream_state_row_cache_hit_ratio")
                               .Help("Share of hot state-row reads served from memory, since start")
                               .Register(*registry_)
                               .Add({})),
      row_cache_bytes_(BuildGauge()
                           .Name("riskstream_state_row_cache_bytes")
                           .Help("Memory held by the hot state-row cache (estimate)")
                           .Register(*registry_)
                           .Add({})),
      consumer_lag_(
          BuildGauge()
              .Name("riskstream_consumer_lag_records")
              .Help("Input records behind the end of each assigned partition, at the last "
                    "commit")
              .Register(*registry_)),
      rule_set_info_(BuildGauge()
                         .Name("riskstream_rule_set_info")
                         .Help("The active rule set version (value 1)")
                         .Register(*registry_)) {
  BuildGauge()
      .Name("riskstream_build_info")
      .Help("riskstream build (value 1)")
      .Register(*registry_)
      .Add({{"version", RISKSTREAM_VERSION}})
      .Set(1);
  auto& transactions = BuildCounter()
                           .Name("riskstream_transactions_total")
                           .Help(
                               "Kafka transactions (exactly_once mode), by outcome: committed or "
                               "aborted")
                           .Register(*registry_);
  transactions_committed_ = &transactions.Add({{"outcome", "committed"}});
  transactions_aborted_ = &transactions.Add({{"outcome", "aborted"}});
  restore_records_ = &BuildCounter()
                          .Name("riskstream_state_restore_records_total")
                          .Help("Changelog records applied while restoring state at start")
                          .Register(*registry_)
                          .Add({});
  restore_bytes_ = &BuildCounter()
                        .Name("riskstream_state_restore_bytes_total")
                        .Help("Changelog key and value bytes applied while restoring state")
                        .Register(*registry_)
                        .Add({});
  restore_seconds_ = &BuildGauge()
                          .Name("riskstream_state_restore_seconds")
                          .Help("Duration of the last state restore from the changelog at start")
                          .Register(*registry_)
                          .Add({});
  broker_unavailable_ = &BuildGauge()
                             .Name("riskstream_broker_unavailable")
                             .Help(
                                 "1 while commits fail because the broker does not answer and "
                                 "are retried with backoff")
                             .Register(*registry_)
                             .Add({});
}

void PipelineMetrics::OnTransaction(bool committed) {
  (committed ? transactions_committed_ : transactions_aborted_)->Increment();
}

void PipelineMetrics::OnRestore(int64_t records, int64_t bytes, double seconds) {
  restore_records_->Increment(static_cast<double>(records));
  restore_bytes_->Increment(static_cast<double>(bytes));
  restore_seconds_->Set(seconds);
}

void PipelineMetrics::SetBrokerUnavailable(bool unavailable) {
  broker_unavailable_->Set(unavailable ? 1 : 0);
}

PipelineMetrics::~PipelineMetrics() = default;

void PipelineMetrics::CreateKnownSeries() {
  // Rates read 0 rather than "no data" before the first decision or rejection of each kind.
  for (Decision d :
       {Decision::kApprove, Decision::kReview, Decision::kDecline, Decision::kRecorded}) {
    std::string key(ToString(d));
    Cached(decisions_cache_, decisions_, {{"decision", key}}, key);
  }
  for (ParseError::Code code : kAllParseErrorCodes) {
    std::string key(ToString(code));
    Cached(dead_letters_cache_, dead_letters_, {{"reason", key}}, key);
  }
  for (std::string key : {"applied", "pending", "applied_on_arrival", "expired"}) {
    Cached(labels_cache_, labels_, {{"outcome", key}}, key);
  }
}

Result<std::unique_ptr<PipelineMetrics>> PipelineMetrics::Create(const std::string& address) {
  std::unique_ptr<PipelineMetrics> metrics(new PipelineMetrics());
  metrics->CreateKnownSeries();
  if (address.empty()) return metrics;
  try {
    metrics->exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& e) {
    return Status::InvalidConfig("cannot serve metrics on " + address + ": " + e.what());
  }
  metrics->exposer_->RegisterCollectable(metrics->registry_);
  auto ports = metrics->exposer_->GetListeningPorts();
  metrics->port_ = ports.empty() ? 0 : ports.front();
  return metrics;
}

prometheus::Counter& PipelineMetrics::Cached(std::map<std::string, prometheus::Counter*>& cache,
                                             prometheus::Family<prometheus::Counter>& family,
                                             const prometheus::Labels& labels,
                                             const std::string& cache_key) {
  auto it = cache.find(cache_key);
  if (it != cache.end()) return *it->second;
  auto& counter = family.Add(labels);
  cache.emplace(cache_key, &counter);
  return counter;
}

void PipelineMetrics::OnConsumed(const std::string& topic, std::string_view type) {
  std::string key = topic + '\n' + std::string(type);
  Cached(consumed_cache_, consumed_, {{"topic", topic}, {"type", std::string(type)}}, key)
      .Increment();
}

void PipelineMetrics::OnDecision(std::string_view decision) {
  std::string key(decision);
  Cached(decisions_cache_, decisions_, {{"decision", key}}, key).Increment();
}

void PipelineMetrics::OnAlert(const std::string& rule_id, std::string_view severity) {
  std::string key = rule_id + '\n' + std::string(severity);
  Cached(alerts_cache_, alerts_, {{"rule", rule_id}, {"severity", std::string(severity)}}, key)
      .Increment();
}

void PipelineMetrics::OnDeadLetter(std::string_view reason) {
  std::string key(reason);
  Cached(dead_letters_cache_, dead_letters_, {{"reason", key}}, key).Increment();
}

void PipelineMetrics::OnLateEvent() { late_events_.Increment(); }

void PipelineMetrics::OnLabels(std::string_view outcome, int count) {
  if (count <= 0) return;
  std::string key(outcome);
  Cached(labels_cache_, labels_, {{"outcome", key}}, key).Increment(count);
}
void PipelineMetrics::ObserveDecisionLatency(double seconds) { decision_latency_.Observe(seconds); }
void PipelineMetrics::SetEventTimeLag(double seconds) { event_time_lag_.Set(seconds); }

void PipelineMetrics::OnCommit(double seconds) {
  commits_.Increment();
  commit_latency_.Observe(seconds);
}

void PipelineMetrics::OnCommitFailure() { commit_failures_.Increment(); }
void PipelineMetrics::SetRebalances(int64_t total) { rebalances_.Set(static_cast<double>(total)); }

void PipelineMetrics::SetConsumerLag(const std::string& topic, int32_t partition, int64_t records) {
  std::string key = topic + '\n' + std::to_string(partition);
  auto it = consumer_lag_cache_.find(key);
  if (it == consumer_lag_cache_.end()) {
    auto& gauge = consumer_lag_.Add({{"topic", topic}, {"partition", std::to_string(partition)}});
    it = consumer_lag_cache_.emplace(key, &gauge).first;
  }
  it->second->Set(static_cast<double>(records));
}

void PipelineMetrics::SetStateStats(uint64_t window_keys, uint64_t live_bytes,
                                    uint64_t pending_compaction_bytes,
                                    double block_cache_hit_ratio) {
  block_cache_hit_ratio_.Set(block_cache_hit_ratio);
  pending_compaction_bytes_.Set(static_cast<double>(pending_compaction_bytes));
  state_keys_.Set(static_cast<double>(window_keys));
  state_bytes_.Set(static_cast<double>(live_bytes));
}

void PipelineMetrics::SetRowCacheStats(double hit_ratio, uint64_t bytes) {
  row_cache_hit_ratio_.Set(hit_ratio);
  row_cache_bytes_.Set(static_cast<double>(bytes));
}

void PipelineMetrics::SetRuleSetVersion(const std::string& version) {
  if (rule_set_gauge_ != nullptr) rule_set_info_.Remove(rule_set_gauge_);
  rule_set_gauge_ = &rule_set_info_.Add({{"version", version}});
  rule_set_gauge_->Set(1);
}

}  // namespace riskstream
