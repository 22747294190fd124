#include "common/status.h"

namespace riskstream {

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidInput:
      name = "invalid input";
      break;
    case Code::kInvalidConfig:
      name = "invalid config";
      break;
    case Code::kNotFound:
      name = "not found";
      break;
    case Code::kIoError:
      name = "I/O error";
      break;
    case Code::kKafkaError:
      name = "Kafka error";
      break;
    case Code::kUnavailable:
      name = "unavailable";
      break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace riskstream
