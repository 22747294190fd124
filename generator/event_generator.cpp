#include "generator/event_generator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <variant>
#include <vector>

#include "generator/event_record.h"
#include "generator/population/account_profile.h"
#include "generator/population/entity_ids.h"
#include "generator/population/honest_population.h"
#include "generator/population/merchant_catalog.h"
#include "generator/random_source.h"
#include "generator/scenarios/data_defects.h"
#include "generator/scenarios/fraud_scenario.h"
#include "generator/scenarios/label_policy.h"

namespace riskstream {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();
constexpr TimestampMs kLatestStartMs = 221845392000000;  // 9000-01-01T00:00:00Z

// Fraud episodes unfold over minutes to days. So that a stream starts as it goes on, episodes
// begin up to a day (and at most this many episodes) before the start; only their events from the
// start on are kept.
constexpr double kWarmUpEpisodes = 2000;

// A label waiting for its time; rendered only when it is due, to keep the backlog small.
struct PendingLabel {
  uint64_t serial = 0;
  uint64_t labelled_serial = 0;
  std::string key;
  PlannedLabel plan;
  std::string_view scenario;
  bool fraud = false;
};

struct Pending {
  TimestampMs emit_at_ms;  // stream position: event time, plus the delay of a late event
  uint64_t order;          // ties go to the one scheduled first
  std::variant<GeneratedEvent, PendingLabel> item;
};

struct EmitsLater {
  bool operator()(const Pending& a, const Pending& b) const {
    return std::tie(a.emit_at_ms, a.order) > std::tie(b.emit_at_ms, b.order);
  }
};

// The running mean number of events per unit of a source (an honest unit, a fraud episode), which
// paces the source so its events take their share of the stream. Starts from a prior.
class UnitSizeMean {
 public:
  UnitSizeMean(double prior_mean, double prior_weight)
      : sum_(prior_mean * prior_weight), count_(prior_weight) {}
  void Add(size_t events) {
    sum_ += static_cast<double>(events);
    count_ += 1;
  }
  double value() const { return sum_ / count_; }

 private:
  double sum_;
  double count_;
};

Status OutOfRange(const char* name, double value, const char* range) {
  return Status::InvalidConfig("generator option " + std::string(name) + " = " +
                               std::to_string(value) + " is not in " + range);
}

}  // namespace

Status GeneratorOptions::Validate() const {
  if (!(events_per_second_event_time > 0 && events_per_second_event_time <= 1e6)) {
    return OutOfRange("events_per_second_event_time", events_per_second_event_time, "(0, 1e6]");
  }
  const std::pair<const char*, double> shares[] = {{"fraud_share", fraud_share},
                                                   {"out_of_order_share", out_of_order_share},
                                                   {"dirty_share", dirty_share}};
  for (const auto& [name, value] : shares) {
    if (!(value >= 0 && value <= 1)) return OutOfRange(name, value, "[0, 1]");
  }
  if (start_time_ms < 0 || start_time_ms >= kLatestStartMs) {
    return OutOfRange("start_time_ms", static_cast<double>(start_time_ms), "[1970, 9000)");
  }
  return Status::Ok();
}

struct EventGenerator::State {
  explicit State(const GeneratorOptions& o)
      : options(o),
        ids(o.seed),
        profiles(o.seed, ids),
        merchants(o.seed, ids),
        population(o.seed, o.events_per_second_event_time, profiles, ids, merchants),
        content_rng(Mix64(o.seed ^ 0x636f6e74656e74ULL)),
        defect_rng(Mix64(o.seed ^ 0x646566656374ULL)),
        lateness_rng(Mix64(o.seed ^ 0x6c617465ULL)),
        label_rng(Mix64(o.seed ^ 0x6c6162656cULL)) {
    const double start_ms = static_cast<double>(o.start_time_ms);
    next_honest_ms = start_ms + HonestGapMs();
    const double episodes_per_ms = UnitsPerMs(o.fraud_share, fraud_unit);
    const double warm_up_ms =
        episodes_per_ms > 0 ? std::min<double>(kDayMs, kWarmUpEpisodes / episodes_per_ms) : 0;
    next_fraud_ms = start_ms - warm_up_ms + FraudGapMs();
  }

  // How many units of a source with `share` of the events start per millisecond.
  double UnitsPerMs(double share, const UnitSizeMean& unit) const {
    return share * options.events_per_second_event_time / 1000 / unit.value();
  }
  double GapMs(double share, const UnitSizeMean& unit) {
    const double units_per_ms = UnitsPerMs(share, unit);
    return units_per_ms > 0 ? content_rng.Exponential(1 / units_per_ms) : kNever;
  }
  double HonestGapMs() { return GapMs(1 - options.fraud_share, honest_unit); }
  double FraudGapMs() { return GapMs(options.fraud_share, fraud_unit); }

  // Fraud scenarios come out of a shuffled bag: random order, yet each one every few episodes.
  const FraudScenario& NextScenario() {
    const auto scenarios = FraudScenarios();
    if (bag_position == bag.size()) {
      bag.resize(scenarios.size());
      for (size_t i = 0; i < bag.size(); ++i) bag[i] = i;
      for (size_t i = bag.size() - 1; i > 0; --i) {
        std::swap(bag[i], bag[static_cast<size_t>(content_rng.UniformInt(0, i))]);
      }
      bag_position = 0;
    }
    return scenarios[bag[bag_position++]];
  }

  void StartHonestUnit() {
    const auto now_ms = static_cast<TimestampMs>(std::floor(next_honest_ms));
    std::vector<EventDraft> unit = population.NextUnit(now_ms, content_rng);
    honest_unit.Add(unit.size());
    Schedule(unit, kHonestScenario, false, 0, now_ms);
    next_honest_ms += HonestGapMs();
  }

  void StartFraudEpisode() {
    const auto now_ms = static_cast<TimestampMs>(std::floor(next_fraud_ms));
    const FraudScenario& scenario = NextScenario();
    ScenarioInputs inputs{content_rng, ids, profiles, population, merchants};
    std::vector<EventDraft> episode = scenario.run(now_ms, inputs);
    fraud_unit.Add(episode.size());
    Schedule(episode, scenario.name, true, label_rng.Uniform(0.45, 0.9), now_ms);
    next_fraud_ms += FraudGapMs();
  }

  void Schedule(std::vector<EventDraft>& drafts, std::string_view scenario, bool fraud,
                double confirm_share, TimestampMs now_ms) {
    for (EventDraft& draft : drafts) {
      draft.event_time_ms = std::max(draft.event_time_ms, now_ms);
      if (draft.event_time_ms < options.start_time_ms) continue;  // warm-up, before the stream
      const uint64_t serial = ids.NewEventSerial();
      const std::string event_id = ids.EventId(serial);
      if (defect_rng.Bernoulli(options.dirty_share)) ApplyDataDefects(draft, defect_rng);
      TimestampMs emit_at_ms = draft.event_time_ms;
      if (lateness_rng.Bernoulli(options.out_of_order_share)) {
        emit_at_ms += lateness_rng.UniformInt(kSecondMs / 2, kMaxOutOfOrderMs);
      }
      const std::optional<PlannedLabel> plan = fraud
                                                   ? PlanFraudLabel(draft, confirm_share, label_rng)
                                                   : PlanHonestLabel(draft, label_rng);
      GeneratedEvent event{std::string(TopicOf(draft)), KeyOf(draft), RenderJson(draft, event_id),
                           std::string(scenario),       fraud,        draft.event_time_ms};
      if (plan && options.emit_labels) {
        PendingLabel label{ids.NewLabelSerial(), serial, event.key, *plan, scenario, fraud};
        Push({plan->labelled_at_ms, next_order++, std::move(label)});
      }
      Push({emit_at_ms, next_order++, std::move(event)});
    }
  }

  void Push(Pending&& item) {
    pending.push_back(std::move(item));
    std::push_heap(pending.begin(), pending.end(), EmitsLater());
  }

  GeneratedEvent Emit(Pending&& due) {
    if (auto* event = std::get_if<GeneratedEvent>(&due.item)) return std::move(*event);
    PendingLabel& label = std::get<PendingLabel>(due.item);
    const TimestampMs at_ms = label.plan.labelled_at_ms;
    return {std::string(kLabelsTopic),
            std::move(label.key),
            RenderLabelJson(ids.EventId(label.serial), at_ms, ids.EventId(label.labelled_serial),
                            label.plan.label),
            std::string(label.scenario),
            label.fraud,
            at_ms};
  }

  GeneratorOptions options;
  EntityIds ids;
  ProfileFactory profiles;
  MerchantCatalog merchants;
  HonestPopulation population;
  // Separate streams, so that dirt, lateness and labels do not change the events themselves.
  RandomSource content_rng;
  RandomSource defect_rng;
  RandomSource lateness_rng;
  RandomSource label_rng;
  UnitSizeMean honest_unit{1.03, 50};
  UnitSizeMean fraud_unit{15, 3};
  double next_honest_ms = kNever;
  double next_fraud_ms = kNever;
  std::vector<Pending> pending;  // a heap: front() is due first
  uint64_t next_order = 0;
  std::vector<size_t> bag;
  size_t bag_position = 0;
};

EventGenerator::EventGenerator(GeneratorOptions options) {
  if (Status status = options.Validate(); !status.ok()) {
    throw std::invalid_argument(status.ToString());
  }
  state_ = std::make_unique<State>(options);
}

EventGenerator::~EventGenerator() = default;
EventGenerator::EventGenerator(EventGenerator&&) noexcept = default;
EventGenerator& EventGenerator::operator=(EventGenerator&&) noexcept = default;

GeneratedEvent EventGenerator::Next() {
  State& s = *state_;
  for (;;) {
    const double next_unit_ms = std::min(s.next_honest_ms, s.next_fraud_ms);
    if (!s.pending.empty() && static_cast<double>(s.pending.front().emit_at_ms) <= next_unit_ms) {
      std::pop_heap(s.pending.begin(), s.pending.end(), EmitsLater());
      Pending due = std::move(s.pending.back());
      s.pending.pop_back();
      return s.Emit(std::move(due));
    }
    if (s.next_fraud_ms < s.next_honest_ms) {
      s.StartFraudEpisode();
    } else {
      s.StartHonestUnit();
    }
  }
}

Status WriteJsonLines(EventGenerator& generator, size_t count, std::ostream& out,
                      JsonLinesLayout layout) {
  for (size_t i = 0; i < count; ++i) {
    const GeneratedEvent event = generator.Next();
    if (layout == JsonLinesLayout::kEventOnly) {
      out << event.json << '\n';
    } else {
      std::string line = R"({"topic":)";
      AppendJsonString(line, event.topic);
      line += R"(,"key":)";
      AppendJsonString(line, event.key);
      line += R"(,"scenario":)";
      AppendJsonString(line, event.scenario);
      line += event.fraud ? R"(,"fraud":true,"event":)" : R"(,"fraud":false,"event":)";
      out << line << event.json << "}\n";
    }
    if (!out) {
      return Status::IoError("writing generated event " + std::to_string(i + 1) + " of " +
                             std::to_string(count) + ": the output stream failed");
    }
  }
  return Status::Ok();
}

}  // namespace riskstream
