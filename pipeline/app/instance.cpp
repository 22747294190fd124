#include "pipeline/app/instance.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "pipeline/admin/admin_endpoints.h"
#include "pipeline/kafka/kafka_connector.h"

namespace riskstream {
namespace {

void Note(std::ostream* notes, const std::string& text) {
  if (notes != nullptr) {
    *notes << "note: " << text << std::endl;
  } else {
    spdlog::warn("{}", text);
  }
}

}  // namespace

Result<std::unique_ptr<Instance>> Instance::Start(const PipelineConfig& config,
                                                  InstanceOptions options) {
  std::unique_ptr<Instance> instance(new Instance());
  PipelineConfig effective = config;
  instance->bootstrap_ = config.bootstrap_servers;
  if (instance->bootstrap_.empty()) {
    auto kafka = EmbeddedKafka::Start();
    if (!kafka.ok()) return kafka.status();
    instance->embedded_ = std::move(*kafka);
    if (Status s = instance->embedded_->CreateTopics(config.topics.All(), config.partitions);
        !s.ok()) {
      return s;
    }
    instance->bootstrap_ = instance->embedded_->bootstrap_servers();
    spdlog::info("embedded Kafka at {}", instance->bootstrap_);
  }

  auto metrics = PipelineMetrics::Create(config.metrics_address);
  if (!metrics.ok() && options.free_ports_when_taken) {
    Note(options.notes, metrics.status().message() + "; serving metrics on a free port instead");
    metrics = PipelineMetrics::Create("127.0.0.1:0");
  }
  if (!metrics.ok()) return metrics.status();
  instance->metrics_ = std::move(*metrics);

  auto runner = CreateKafkaRunner(effective, instance->bootstrap_, *instance->metrics_);
  if (!runner.ok()) return runner.status();
  instance->runner_ = std::move(*runner);

  auto admin = StartAdminServer(effective, *instance->runner_);
  if (!admin.ok() && options.free_ports_when_taken) {
    Note(options.notes, admin.status().message() + "; serving admin on a free port instead");
    effective.admin_address = "127.0.0.1:0";
    admin = StartAdminServer(effective, *instance->runner_);
  }
  if (!admin.ok()) return admin.status();
  instance->admin_ = std::move(*admin);

  if (config.rules_watch_interval_ms > 0) {
    instance->runner_->reloader().WatchFiles(config.rules_watch_interval_ms);
  }
  return instance;
}

Instance::~Instance() {
  admin_.reset();  // it reads the runner
  runner_.reset();
}

}  // namespace riskstream
