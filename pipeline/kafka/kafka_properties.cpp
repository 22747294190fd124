#include "pipeline/kafka/kafka_properties.h"

namespace riskstream {

Result<std::unique_ptr<RdKafka::Conf>> MakeKafkaConf(const KafkaProperties& defaults,
                                                     const KafkaProperties& overrides) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  KafkaProperties merged = defaults;
  for (const auto& [name, value] : overrides) merged[name] = value;
  for (const auto& [name, value] : merged) {
    std::string error;
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) {
      return Status::InvalidConfig("Kafka property " + name + "=" + value + ": " + error);
    }
  }
  return conf;
}

}  // namespace riskstream
