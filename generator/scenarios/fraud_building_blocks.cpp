#include "generator/scenarios/fraud_building_blocks.h"

#include <algorithm>
#include <cmath>

namespace riskstream {

AccountProfile FreshIdentity(ScenarioInputs& in) {
  return in.profiles.Profile(in.ids.NewPersonIndex());
}

std::string NewDevice(Channel channel, RandomSource& rng) {
  const uint64_t bits = rng.NextU64();
  return MakeDeviceId(DeviceKindFor(channel, bits), bits);
}

ApplicationRecord FraudApplication(const AccountProfile& person, Channel channel,
                                   std::string device_id, std::string ip,
                                   std::optional<GeoPoint> geo, ScenarioInputs& in) {
  RandomSource& rng = in.rng;
  ApplicationRecord app;
  app.applicant_id = person.applicant_id;
  app.account_id = person.account_id;
  app.id_number = person.id_number;
  app.phone = person.phone;
  app.device_id = std::move(device_id);
  app.ip = std::move(ip);
  app.geo = geo;
  app.channel = channel;
  app.product = rng.Bernoulli(0.8) ? Product::kCashLoan : Product::kInstallment;
  app.requested_amount_cny = app.product == Product::kCashLoan
                                 ? RoundToStep(rng.Uniform(8000, 50000), 1000)
                                 : RoundToStep(rng.Uniform(3000, 20000), 500);
  const double income = rng.LogNormal(14000, 0.45);
  app.declared_income_cny = std::max(3000.0, RoundToStep(income, rng.Bernoulli(0.6) ? 1000 : 100));
  if (rng.Bernoulli(0.65)) {
    const City& city = Cities()[PickHomeCity(rng)];
    app.employer = person.employer.value_or(MakeEmployerName(city.name, rng.NextU64()));
  }
  return app;
}

double PlausibleLimit(const ApplicationRecord& app) {
  return RoundToStep(std::min(app.requested_amount_cny, 3 * app.declared_income_cny), 100);
}

TransactionRecord Withdrawal(std::string account_id, double amount_cny, std::string device_id,
                             std::string ip, std::optional<GeoPoint> geo) {
  TransactionRecord tx;
  tx.account_id = std::move(account_id);
  tx.kind = TransactionKind::kWithdrawal;
  tx.amount_cny = amount_cny;
  tx.merchant_category = "cash_withdrawal";
  tx.device_id = std::move(device_id);
  tx.ip = std::move(ip);
  tx.geo = geo;
  return tx;
}

std::vector<TimestampMs> SpreadTimes(TimestampMs start_ms, DurationMs span_ms, int count,
                                     RandomSource& rng) {
  std::vector<TimestampMs> times{start_ms};
  for (int i = 1; i < count; ++i) {
    times.push_back(start_ms +
                    static_cast<DurationMs>(rng.Uniform(0, static_cast<double>(span_ms))));
  }
  std::sort(times.begin(), times.end());
  return times;
}

std::vector<double> SplitAmount(double total, int parts, double step, RandomSource& rng) {
  std::vector<double> weights;
  double weight_sum = 0;
  for (int i = 0; i < parts; ++i) {
    weights.push_back(rng.Uniform(0.6, 1.4));
    weight_sum += weights.back();
  }
  std::vector<double> amounts;
  double assigned = 0;
  for (int i = 0; i + 1 < parts; ++i) {
    // Rounding down leaves the last part at least its own share.
    const double share = total * weights[static_cast<size_t>(i)] / weight_sum;
    amounts.push_back(std::max(step, std::floor(share / step) * step));
    assigned += amounts.back();
  }
  amounts.push_back(std::max(step, RoundCents(total - assigned)));
  return amounts;
}

}  // namespace riskstream
