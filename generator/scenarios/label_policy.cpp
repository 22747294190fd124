#include "generator/scenarios/label_policy.h"

#include <variant>

namespace riskstream {
namespace {

bool IsPurchase(const EventDraft& draft) {
  const auto* tx = std::get_if<TransactionRecord>(&draft.record);
  return tx != nullptr && tx->kind == TransactionKind::kPurchase;
}

PlannedLabel LabelAfter(const EventDraft& draft, LabelKind label, DurationMs min_delay_ms,
                        DurationMs max_delay_ms, RandomSource& rng) {
  const double delay_ms =
      rng.LogUniform(static_cast<double>(min_delay_ms), static_cast<double>(max_delay_ms));
  return {label, draft.event_time_ms + static_cast<DurationMs>(delay_ms)};
}

}  // namespace

std::optional<PlannedLabel> PlanHonestLabel(const EventDraft& draft, RandomSource& rng) {
  if (IsPurchase(draft) && rng.Bernoulli(0.003)) {
    return LabelAfter(draft, LabelKind::kChargeback, 2 * kDayMs, 20 * kDayMs, rng);
  }
  if (rng.Bernoulli(0.015))
    return LabelAfter(draft, LabelKind::kLegit, 6 * kHourMs, 14 * kDayMs, rng);
  return std::nullopt;
}

std::optional<PlannedLabel> PlanFraudLabel(const EventDraft& draft, double confirm_share,
                                           RandomSource& rng) {
  if (IsPurchase(draft) && rng.Bernoulli(0.55)) {
    return LabelAfter(draft, LabelKind::kChargeback, kDayMs, 20 * kDayMs, rng);
  }
  if (rng.Bernoulli(confirm_share)) {
    return LabelAfter(draft, LabelKind::kFraud, 2 * kHourMs, 10 * kDayMs, rng);
  }
  return std::nullopt;
}

}  // namespace riskstream
