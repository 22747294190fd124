// pipeline/runtime/runtime_connector.h
//
// RuntimeConnector is how a StreamRunner reaches the outside: it opens the record source, the
// commit protocol (OutputTransaction) and, in exactly-once mode, brings the state up to date
// before processing. KafkaConnector (pipeline/kafka/kafka_connector.h) connects to brokers; tests
// connect the same runner to an in-memory broker, so that commits, aborts, rewinds, revocations
// and restores are tested without Kafka. The runner calls PrepareState, then OpenSource, then
// OpenOutputs, once each, and keeps the connector until it is destroyed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "pipeline/runtime/output_transaction.h"
#include "pipeline/runtime/record_source.h"
#include "state/db/state_db.h"

namespace riskstream {

class RuntimeConnector {
 public:
  virtual ~RuntimeConnector() = default;

  // Runs once the state is open and before anything reads it: exactly-once fences earlier
  // instances and restores the state from its changelog here.
  virtual Status PrepareState(StateDb& state) = 0;
  // Joins the consumer group for `topics`; `listener` outlives the source.
  virtual Result<std::unique_ptr<RecordSource>> OpenSource(const std::vector<std::string>& topics,
                                                           AssignmentListener& listener) = 0;
  // The commit protocol over `state` and `source`, producing to `output_topics` (which must exist).
  virtual Result<std::unique_ptr<OutputTransaction>> OpenOutputs(
      const std::vector<std::string>& output_topics, StateDb& state, RecordSource& source) = 0;
};

}  // namespace riskstream
