// pipeline/admin/pipeline_metrics.h
//
// PipelineMetrics holds riskstream's Prometheus metrics (names and labels in docs/METRICS.md) and,
// when given an address, serves them over HTTP at /metrics. Labels stay bounded: topics, event
// types, decisions, rule ids, severities and rejection codes — never event ids or entity keys.
// Counters are looked up by label once and cached; updates are lock-free increments.
// Thread-safe for updates from one processing thread plus scrapes from the HTTP thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>

#include "common/status.h"

namespace riskstream {

class PipelineMetrics {
 public:
  // Creates the metrics and, when `address` ("host:port", port 0 = any free port) is not empty,
  // serves them. Fails when the address cannot be bound.
  static Result<std::unique_ptr<PipelineMetrics>> Create(const std::string& address);
  ~PipelineMetrics();

  // The port /metrics is served on, 0 when not served.
  int port() const { return port_; }
  prometheus::Registry& registry() { return *registry_; }

  void OnConsumed(const std::string& topic, std::string_view type);
  void OnDecision(std::string_view decision);
  void OnAlert(const std::string& rule_id, std::string_view severity);
  void OnDeadLetter(std::string_view reason);
  void OnLateEvent();
  // `count` label events with `outcome`: applied, pending, applied_on_arrival or expired.
  void OnLabels(std::string_view outcome, int count);
  void ObserveDecisionLatency(double seconds);
  void SetEventTimeLag(double seconds);
  void OnCommit(double seconds);
  void OnCommitFailure();
  void SetRebalances(int64_t total);
  void SetStateStats(uint64_t window_keys, uint64_t live_bytes, uint64_t pending_compaction_bytes,
                     double block_cache_hit_ratio);
  // The state's in-memory row cache (StateDb's RowCache): hit ratio since start, bytes held.
  void SetRowCacheStats(double hit_ratio, uint64_t bytes);
  void SetConsumerLag(const std::string& topic, int32_t partition, int64_t records);
  void SetRuleSetVersion(const std::string& version);
  // Exactly-once mode: a Kafka transaction committed or aborted; a restore from the changelog.
  void OnTransaction(bool committed);
  void OnRestore(int64_t records, int64_t bytes, double seconds);
  // 1 while the broker does not answer commits (they are being retried).
  void SetBrokerUnavailable(bool unavailable);

 private:
  PipelineMetrics();
  void CreateKnownSeries();
  prometheus::Counter& Cached(std::map<std::string, prometheus::Counter*>& cache,
                              prometheus::Family<prometheus::Counter>& family,
                              const prometheus::Labels& labels, const std::string& cache_key);

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;

  prometheus::Family<prometheus::Counter>& consumed_;
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Family<prometheus::Counter>& alerts_;
  prometheus::Family<prometheus::Counter>& dead_letters_;
  prometheus::Counter& late_events_;
  prometheus::Family<prometheus::Counter>& labels_;
  prometheus::Histogram& decision_latency_;
  prometheus::Gauge& event_time_lag_;
  prometheus::Counter& commits_;
  prometheus::Counter& commit_failures_;
  prometheus::Histogram& commit_latency_;
  prometheus::Gauge& rebalances_;
  prometheus::Gauge& state_keys_;
  prometheus::Gauge& state_bytes_;
  prometheus::Gauge& pending_compaction_bytes_;
  prometheus::Gauge& block_cache_hit_ratio_;
  prometheus::Gauge& row_cache_hit_ratio_;
  prometheus::Gauge& row_cache_bytes_;
  prometheus::Family<prometheus::Gauge>& consumer_lag_;
  std::map<std::string, prometheus::Gauge*> consumer_lag_cache_;
  prometheus::Family<prometheus::Gauge>& rule_set_info_;
  prometheus::Gauge* rule_set_gauge_ = nullptr;

  prometheus::Counter* transactions_committed_ = nullptr;
  prometheus::Counter* transactions_aborted_ = nullptr;
  prometheus::Counter* restore_records_ = nullptr;
  prometheus::Counter* restore_bytes_ = nullptr;
  prometheus::Gauge* restore_seconds_ = nullptr;
  prometheus::Gauge* broker_unavailable_ = nullptr;

  std::map<std::string, prometheus::Counter*> consumed_cache_, decisions_cache_, alerts_cache_,
      dead_letters_cache_, labels_cache_;
};

}  // namespace riskstream
