// The scenarios whose tell is in the transactions: a hijacked account, a colluding merchant, and
// withdrawals in quick succession.
#include <algorithm>

#include "generator/scenarios/fraud_building_blocks.h"
#include "generator/scenarios/fraud_scenario.h"

namespace riskstream {

std::vector<EventDraft> AccountTakeover(TimestampMs start_ms, ScenarioInputs& in) {
  RandomSource& rng = in.rng;
  const AccountProfile victim = in.population.PickVictim(rng);
  const City& far = Cities()[PickCityFarFrom(victim.city, 1000, 0.2, rng)];
  const std::string device = NewDevice(rng.Bernoulli(0.8) ? Channel::kApp : Channel::kWeb, rng);
  const std::string ip =
      far.abroad()
          ? MakeIp(IpKind::kAbroad, rng.NextU64())
          : MakeIp(rng.Bernoulli(0.5) ? IpKind::kMobile : IpKind::kDatacenter, rng.NextU64());
  const GeoPoint spot = Near(far.center, 10, rng);
  const bool shows_geo = rng.Bernoulli(0.85);
  auto geo_now = [&]() -> std::optional<GeoPoint> {
    if (!shows_geo) return std::nullopt;
    return Near(spot, 0.5, rng);
  };

  std::vector<EventDraft> episode;
  TimestampMs at_ms = start_ms;
  if (rng.Bernoulli(0.35)) {  // a small purchase to see whether the account works
    TransactionRecord probe;
    probe.account_id = victim.account_id;
    probe.kind = TransactionKind::kPurchase;
    Merchant merchant =
        in.merchants.PickInCategory(rng.Bernoulli(0.5) ? "digital_goods" : "mobile_topup", rng);
    probe.amount_cny = RoundCents(rng.Uniform(1, 50));
    probe.merchant_id = std::move(merchant.merchant_id);
    probe.merchant_category = merchant.category;
    probe.device_id = device;
    probe.ip = ip;
    probe.geo = geo_now();
    episode.push_back({at_ms, std::move(probe)});
    at_ms += static_cast<DurationMs>(rng.Uniform(2, 15) * kMinuteMs);
  }
  const double total = RoundToStep(victim.credit_limit_cny * rng.Uniform(0.7, 1.0), 100);
  const int parts = static_cast<int>(rng.UniformInt(1, 3));
  const DurationMs gap_ms = static_cast<DurationMs>(rng.Uniform(3, 25) * kMinuteMs);
  for (double amount : SplitAmount(total, parts, 100, rng)) {
    episode.push_back({at_ms, Withdrawal(victim.account_id, amount, device, ip, geo_now())});
    at_ms += static_cast<DurationMs>(gap_ms * rng.Uniform(0.5, 1.5));
  }
  return episode;
}

std::vector<EventDraft> MerchantCollusion(TimestampMs start_ms, ScenarioInputs& in) {
  RandomSource& rng = in.rng;
  const Merchant merchant = in.merchants.NewColludingMerchant(rng);
  const double base_cny = RoundToStep(rng.Uniform(1500, 9000), 10);
  const double spread = rng.Uniform(0.01, 0.06);
  const bool whole_yuan = rng.Bernoulli(0.5);
  const int accounts = static_cast<int>(rng.UniformInt(8, 30));
  const auto span_ms = static_cast<DurationMs>(rng.Uniform(1, 12) * kHourMs);
  // Mules often share handsets: between a third as many devices as accounts and one each.
  std::vector<std::string> devices(
      static_cast<size_t>(rng.UniformInt(std::max(1, accounts / 3), accounts)));
  for (std::string& device : devices) device = NewDevice(Channel::kApp, rng);

  std::vector<EventDraft> episode;
  for (TimestampMs opened_ms : SpreadTimes(start_ms, span_ms, accounts, rng)) {
    const AccountProfile person = FreshIdentity(in);
    const std::string& device = rng.Pick(std::span<const std::string>(devices));
    const std::string ip =
        MakeIp(rng.Bernoulli(0.6) ? IpKind::kMobile : IpKind::kBroadband, rng.NextU64());
    std::optional<GeoPoint> geo;
    if (rng.Bernoulli(0.7)) geo = Near(person.home, 3, rng);
    ApplicationRecord app = FraudApplication(person, Channel::kApp, device, ip, geo, in);
    app.product = rng.Bernoulli(0.7) ? Product::kInstallment : Product::kCashLoan;
    episode.push_back({opened_ms, std::move(app)});

    TransactionRecord purchase;
    purchase.account_id = person.account_id;
    purchase.kind = TransactionKind::kPurchase;
    const double amount = base_cny * (1 + rng.Normal(0, spread));
    purchase.amount_cny = whole_yuan ? RoundToStep(amount, 1) : RoundCents(amount);
    purchase.merchant_id = merchant.merchant_id;
    purchase.merchant_category = merchant.category;
    purchase.device_id = device;
    purchase.ip = ip;
    purchase.geo = geo;
    const auto delay_ms = static_cast<DurationMs>(rng.LogUniform(10 * kMinuteMs, 4 * kHourMs));
    episode.push_back({opened_ms + delay_ms, std::move(purchase)});
  }
  return episode;
}

std::vector<EventDraft> Velocity(TimestampMs start_ms, ScenarioInputs& in) {
  RandomSource& rng = in.rng;
  std::vector<EventDraft> episode;
  std::string account_id, device;
  std::vector<std::string> ips;
  std::optional<GeoPoint> geo;
  double limit = 0;
  TimestampMs first_ms = start_ms;
  if (rng.Bernoulli(0.5)) {  // an established owner busts out from their usual device
    const AccountProfile owner = in.population.PickVictim(rng);
    account_id = owner.account_id;
    device = owner.device_id;
    ips = {owner.home_ip};
    geo = Near(owner.home, 2, rng);
    limit = owner.credit_limit_cny;
  } else {  // a fresh account applies, then drains itself
    const AccountProfile person = FreshIdentity(in);
    account_id = person.account_id;
    device = NewDevice(Channel::kApp, rng);
    ips = {MakeIp(IpKind::kMobile, rng.NextU64())};
    if (rng.Bernoulli(0.7)) geo = Near(person.home, 3, rng);
    ApplicationRecord app = FraudApplication(person, Channel::kApp, device, ips[0], geo, in);
    limit = PlausibleLimit(app);
    episode.push_back({start_ms, std::move(app)});
    first_ms += static_cast<DurationMs>(rng.Uniform(5, 60) * kMinuteMs);
  }
  if (rng.Bernoulli(0.2)) ips.push_back(MakeIp(IpKind::kMobile, rng.NextU64()));
  const int withdrawals = static_cast<int>(rng.UniformInt(6, 25));
  const auto window_ms = static_cast<DurationMs>(rng.Uniform(15, 55) * kMinuteMs);
  // Together the withdrawals take about half to all of the line.
  const double typical_cny = limit * rng.Uniform(0.5, 1.0) / withdrawals;
  for (TimestampMs at_ms : SpreadTimes(first_ms, window_ms, withdrawals, rng)) {
    const double amount = std::max(100.0, RoundToStep(typical_cny * rng.Uniform(0.7, 1.3), 10));
    const std::string& ip = rng.Pick(std::span<const std::string>(ips));
    episode.push_back({at_ms, Withdrawal(account_id, amount, device, ip, geo)});
  }
  return episode;
}

}  // namespace riskstream
