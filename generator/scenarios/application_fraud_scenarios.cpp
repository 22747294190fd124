// The scenarios whose tell is in the applications: shared devices, one IP, reused identities, and
// cashing out a line as soon as it is open.
#include <algorithm>

#include "generator/scenarios/fraud_building_blocks.h"
#include "generator/scenarios/fraud_scenario.h"

namespace riskstream {
namespace {

template <typename T>
const T& AnyOf(const std::vector<T>& items, RandomSource& rng) {
  return rng.Pick(std::span<const T>(items));
}

}  // namespace

std::vector<EventDraft> DeviceRing(TimestampMs start_ms, ScenarioInputs& in) {
  RandomSource& rng = in.rng;
  const Channel channel = rng.Bernoulli(0.8) ? Channel::kApp : Channel::kH5;
  std::vector<std::string> devices(static_cast<size_t>(rng.UniformInt(1, 3)));
  for (std::string& device : devices) device = NewDevice(channel, rng);
  std::vector<std::string> ips(static_cast<size_t>(rng.UniformInt(1, 4)));
  for (std::string& ip : ips) {
    ip = MakeIp(rng.Bernoulli(0.5) ? IpKind::kMobile : IpKind::kDatacenter, rng.NextU64());
  }
  const GeoPoint den = Near(Cities()[PickHomeCity(rng)].center, 10, rng);
  const bool hides_geo = rng.Bernoulli(0.35);
  const int applicants = static_cast<int>(rng.UniformInt(6, 30));
  const auto span_ms = static_cast<DurationMs>(rng.Uniform(1, 6) * kHourMs);
  const double withdrawing_share = rng.Uniform(0.2, 0.6);

  std::vector<EventDraft> episode;
  for (TimestampMs at_ms : SpreadTimes(start_ms, span_ms, applicants, rng)) {
    const AccountProfile person = FreshIdentity(in);
    const std::string& device = AnyOf(devices, rng);
    const std::string& ip = AnyOf(ips, rng);
    std::optional<GeoPoint> geo;
    if (!hides_geo) geo = Near(den, 1.5, rng);
    ApplicationRecord app = FraudApplication(person, channel, device, ip, geo, in);
    if (rng.Bernoulli(withdrawing_share)) {
      const auto delay_ms = static_cast<DurationMs>(rng.LogUniform(10 * kMinuteMs, 6 * kHourMs));
      const double amount = RoundToStep(PlausibleLimit(app) * rng.Uniform(0.5, 1.0), 100);
      episode.push_back({at_ms + delay_ms, Withdrawal(person.account_id, amount, device, ip, geo)});
    }
    episode.push_back({at_ms, std::move(app)});
  }
  return episode;
}

std::vector<EventDraft> IpBurst(TimestampMs start_ms, ScenarioInputs& in) {
  RandomSource& rng = in.rng;
  const std::string ip =
      MakeIp(rng.Bernoulli(0.7) ? IpKind::kDatacenter : IpKind::kMobile, rng.NextU64());
  static constexpr double kChannelWeights[] = {0.1, 0.5, 0.4};  // app, web, h5
  static constexpr Channel kChannels[] = {Channel::kApp, Channel::kWeb, Channel::kH5};
  const Channel channel = kChannels[rng.PickWeighted(kChannelWeights)];
  const std::string reused_device = NewDevice(channel, rng);
  const double reuse_share = rng.Uniform(0, 0.3);
  const int applications = static_cast<int>(rng.UniformInt(8, 40));
  const auto span_ms = static_cast<DurationMs>(rng.Uniform(2, 15) * kMinuteMs);

  std::vector<EventDraft> episode;
  for (TimestampMs at_ms : SpreadTimes(start_ms, span_ms, applications, rng)) {
    const AccountProfile person = FreshIdentity(in);
    std::string device = rng.Bernoulli(reuse_share) ? reused_device : NewDevice(channel, rng);
    std::optional<GeoPoint> geo;
    if (rng.Bernoulli(0.4)) geo = Near(person.home, 5, rng);  // spoofed all over the map
    episode.push_back({at_ms, FraudApplication(person, channel, std::move(device), ip, geo, in)});
  }
  return episode;
}

std::vector<EventDraft> IdentityReuse(TimestampMs start_ms, ScenarioInputs& in) {
  RandomSource& rng = in.rng;
  const AccountProfile stolen = FreshIdentity(in);
  static constexpr double kModeWeights[] = {0.45, 0.30, 0.25};  // id number, phone, both
  const size_t mode = rng.PickWeighted(kModeWeights);
  const int applicants = static_cast<int>(rng.UniformInt(3, 8));
  const auto span_ms = static_cast<DurationMs>(rng.LogUniform(30 * kMinuteMs, 2 * kDayMs));

  std::vector<EventDraft> episode;
  for (TimestampMs at_ms : SpreadTimes(start_ms, span_ms, applicants, rng)) {
    AccountProfile person = FreshIdentity(in);
    if (mode != 1) person.id_number = stolen.id_number;
    if (mode != 0) person.phone = stolen.phone;
    const Channel channel = rng.Bernoulli(0.6) ? Channel::kApp : Channel::kWeb;
    std::string ip =
        MakeIp(rng.Bernoulli(0.5) ? IpKind::kMobile : IpKind::kBroadband, rng.NextU64());
    std::optional<GeoPoint> geo;
    if (rng.Bernoulli(0.6)) geo = Near(person.home, 3, rng);
    episode.push_back({at_ms, FraudApplication(person, channel, NewDevice(channel, rng),
                                               std::move(ip), geo, in)});
  }
  return episode;
}

std::vector<EventDraft> CashOutAfterApproval(TimestampMs start_ms, ScenarioInputs& in) {
  RandomSource& rng = in.rng;
  const AccountProfile person = FreshIdentity(in);
  const Channel channel = rng.Bernoulli(0.75) ? Channel::kApp : Channel::kH5;
  const std::string device = NewDevice(channel, rng);
  const std::string ip =
      MakeIp(rng.Bernoulli(0.6) ? IpKind::kMobile : IpKind::kBroadband, rng.NextU64());
  std::optional<GeoPoint> geo;
  if (rng.Bernoulli(0.7)) geo = Near(person.home, 3, rng);
  ApplicationRecord app = FraudApplication(person, channel, device, ip, geo, in);
  app.product = Product::kCashLoan;
  app.requested_amount_cny = RoundToStep(rng.Uniform(10000, 50000), 1000);
  const double limit = PlausibleLimit(app);
  // At least 90% of the limit, in steps of 100 (limit is a multiple of 100, so this fits under it).
  const double total = std::clamp(RoundToStep(limit * rng.Uniform(0.9, 1.0), 100),
                                  std::ceil(limit * 0.9 / 100) * 100, limit);
  static constexpr double kPartWeights[] = {0.6, 0.3, 0.1};  // 1, 2 or 3 withdrawals
  const int parts = 1 + static_cast<int>(rng.PickWeighted(kPartWeights));

  std::vector<EventDraft> episode;
  episode.push_back({start_ms, std::move(app)});
  TimestampMs at_ms = start_ms + static_cast<DurationMs>(rng.Uniform(1.5, 12) * kMinuteMs);
  for (double amount : SplitAmount(total, parts, 100, rng)) {
    episode.push_back({at_ms, Withdrawal(person.account_id, amount, device, ip, geo)});
    at_ms += static_cast<DurationMs>(rng.Uniform(0.5, 3.5) * kMinuteMs);
  }
  return episode;
}

}  // namespace riskstream
