// pipeline/app/instance.h
//
// Instance is one running riskstream service, started the one way `riskstream run` and the demo
// both start it: the embedded Kafka broker when the config names no brokers (with the config's
// topics), the Prometheus metrics endpoint, the StreamRunner (state, policies, topology, Kafka
// clients), the admin HTTP endpoint and the policy file watch. Destroying it stops them in the
// reverse order (the admin endpoint before the runner it reads, the broker last).
// Run() on one thread; RequestStop() from any thread or a signal handler.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "common/status.h"
#include "pipeline/admin/admin_server.h"
#include "pipeline/admin/pipeline_metrics.h"
#include "pipeline/kafka/embedded_kafka.h"
#include "pipeline/runtime/pipeline_config.h"
#include "pipeline/runtime/stream_runner.h"

namespace riskstream {

struct InstanceOptions {
  // When the metrics or admin address is taken: serve on a free port instead (and say so on
  // `notes`) rather than fail. For the demo, which must start beside anything.
  bool free_ports_when_taken = false;
  // Where notes about the start go (nullptr: the log).
  std::ostream* notes = nullptr;
};

class Instance {
 public:
  static Result<std::unique_ptr<Instance>> Start(const PipelineConfig& config,
                                                 InstanceOptions options = {});
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // Processes until RequestStop() or a fatal error (see StreamRunner::Run).
  Status Run() { return runner_->Run(); }
  void RequestStop() { runner_->RequestStop(); }

  StreamRunner& runner() { return *runner_; }
  const std::string& bootstrap_servers() const { return bootstrap_; }
  bool embedded() const { return embedded_ != nullptr; }
  int metrics_port() const { return metrics_->port(); }
  // 0 when the admin endpoint is off (no admin_address).
  int admin_port() const { return admin_ ? admin_->port() : 0; }

 private:
  Instance() = default;

  std::unique_ptr<EmbeddedKafka> embedded_;
  std::string bootstrap_;
  std::unique_ptr<PipelineMetrics> metrics_;
  std::unique_ptr<StreamRunner> runner_;
  std::unique_ptr<AdminServer> admin_;
};

}  // namespace riskstream
