// pipeline/topology/processor.h
//
// Processor is everything one riskstream instance decides with, built from a PipelineConfig in one
// place for every command that decides (run, demo, replay, backtest, eval): the PII hasher, the
// live and shadow policies (with their reloader), the state database and the DecisionTopology over
// them. The commands differ only in ProcessorOptions (where the state lives, its cache, whether
// policies come from elsewhere). Members are destroyed in reverse order of construction: the
// topology before the state and the hasher it refers to.
// Not thread-safe, like the DecisionTopology it owns (the reloader and the topology's committed
// reads are safe from other threads).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "operators/event/pii_hasher.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/topology/active_policies.h"
#include "pipeline/topology/decision_topology.h"
#include "pipeline/topology/policy_reloader.h"
#include "state/db/state_db.h"

namespace riskstream {

struct ProcessorOptions {
  // The state directory; empty: the config's `state.dir`.
  std::string state_dir;
  // The row cache's budget; nullopt: the config's `state.cache_bytes`.
  std::optional<size_t> cache_bytes;
  // No RocksDB write-ahead log: for state thrown away after the run (a replay's own state).
  bool disable_wal = false;
  // Emit a feature record per event; nullopt: when the config names a features topic.
  std::optional<bool> emit_features;
  // Decide with these policies instead of loading the config's files (no reloader then).
  std::shared_ptr<ActivePolicies> policies;
  // The PII key when the config's environment variable is unset (`eval` on generated data);
  // empty: the variable is required.
  std::string fallback_pii_key;
  // Runs once the state is open and before the topology exists (restoring from a changelog).
  std::function<Status(StateDb&)> prepare_state;
};

class Processor {
 public:
  static Result<std::unique_ptr<Processor>> Build(const PipelineConfig& config,
                                                  ProcessorOptions options = {});
  ~Processor();
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  DecisionTopology& topology() { return *topology_; }
  const DecisionTopology& topology() const { return *topology_; }
  StateDb& state() { return *state_; }
  const PiiHasher& hasher() const { return *hasher_; }
  std::shared_ptr<ActivePolicies> policies() const { return policies_; }
  // The reloader of the config's policy files; nullptr when ProcessorOptions::policies were given.
  PolicyReloader* reloader() const { return reloader_.get(); }

  // For a program about to exit: leaves the topology and the state's cache unfreed (the exit
  // takes the memory back at once); the state database itself still closes.
  void AbandonMemoryAtExit();

 private:
  Processor() = default;

  std::unique_ptr<PiiHasher> hasher_;
  std::unique_ptr<PolicyReloader> reloader_;
  std::shared_ptr<ActivePolicies> policies_;
  std::unique_ptr<StateDb> state_;
  std::unique_ptr<DecisionTopology> topology_;
};

}  // namespace riskstream
