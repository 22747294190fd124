#include "generator/scenarios/data_defects.h"

#include <type_traits>
#include <variant>

namespace riskstream {
namespace {

enum class Defect { kUnknownDevice, kEmptyDevice, kEmptyIp, kUnknownIp, kNoGeo, kNoEmployer };

template <typename Record>
void Apply(Defect defect, Record& record) {
  switch (defect) {
    case Defect::kUnknownDevice:
      record.device_id = "unknown";
      break;
    case Defect::kEmptyDevice:
      record.device_id = "";
      break;
    case Defect::kEmptyIp:
      record.ip = "";
      break;
    case Defect::kUnknownIp:
      record.ip = "unknown";
      break;
    case Defect::kNoEmployer:
      if constexpr (std::is_same_v<Record, ApplicationRecord>) {
        record.employer.reset();
        break;
      }
      [[fallthrough]];  // transactions have no employer: lose the geo instead
    case Defect::kNoGeo:
      record.geo.reset();
      break;
  }
}

}  // namespace

void ApplyDataDefects(EventDraft& draft, RandomSource& rng) {
  static constexpr double kWeights[] = {0.20, 0.15, 0.15, 0.15, 0.20, 0.15};
  const int count = rng.Bernoulli(0.3) ? 2 : 1;
  for (int i = 0; i < count; ++i) {
    const auto defect = static_cast<Defect>(rng.PickWeighted(kWeights));
    std::visit([defect](auto& record) { Apply(defect, record); }, draft.record);
  }
}

}  // namespace riskstream
