// Randomized property test: the FeatureEngine against a brute-force oracle that keeps every
// contribution and recomputes each feature from scratch, for every function, window kind, filter,
// composite keys, labels after and before their event, ties, window edges and out-of-order
// events; with the row cache off, evicting all the time, and large; across restarts and discarded
// batches.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "operators/features/feature_engine.h"
#include "tests/support/temp_dir.h"

namespace riskstream {
namespace {

constexpr DurationMs kLateness = 150;

const char* kFeatures = R"yaml(
features:
  - {name: count_sl, key: account_id, events: [transaction], function: count, window: 300ms}
  - {name: sum_wd, key: account_id, events: [transaction], where: kind == withdrawal,
     function: sum(amount), window: 200ms}
  - {name: avg_tumbling, key: merchant_id, events: [transaction], function: avg(amount),
     window: tumbling 250ms}
  - {name: min_hopping, key: account_id, events: [transaction], function: min(amount),
     window: hopping 400ms every 100ms}
  - {name: max_sl, key: account_id, events: [transaction], function: max(amount), window: 300ms}
  - {name: devices, key: account_id, events: [transaction], function: count_distinct(device_id),
     window: 350ms}
  - {name: last_device, key: account_id, events: [transaction], function: last(device_id),
     window: 300ms}
  - {name: since_last, key: account_id, events: [transaction], function: time_since_last,
     window: 300ms}
  - {name: fraud_labels, key: merchant_id, events: [label], where: label == fraud, function: count,
     window: 300ms delayed 200ms}
  - {name: txns_delayed, key: merchant_id, events: [transaction], function: count,
     window: 300ms delayed 200ms}
  - {name: fraud_ratio, function: "ratio(fraud_labels, txns_delayed)"}
  - {name: pair_sum, key: [account_id, merchant_id], events: [transaction], function: sum(amount),
     window: 300ms}
)yaml";

struct Contribution {
  std::string key;
  TimestampMs time;
  double value;
  std::string text;
  int64_t order;  // insertion order, for ties in "previous"
};

// Independent of WindowSpec::Bounds on purpose.
std::pair<TimestampMs, TimestampMs> OracleBounds(const FeatureSpec& spec, TimestampMs t) {
  auto floor_div = [](TimestampMs a, TimestampMs b) {
    return static_cast<TimestampMs>(std::floor(static_cast<double>(a) / static_cast<double>(b)));
  };
  switch (spec.window_kind) {
    case WindowKind::kSliding:
      return {t - spec.delay_ms - spec.window_ms, t - spec.delay_ms};
    case WindowKind::kTumbling:
      return {floor_div(t, spec.window_ms) * spec.window_ms - 1, t};
    case WindowKind::kHopping:
      return {(floor_div(t, spec.advance_ms) + 1) * spec.advance_ms - spec.window_ms - 1, t};
  }
  return {t, t};
}

class Oracle {
 public:
  explicit Oracle(const std::vector<FeatureSpec>& specs) : specs_(&specs), log_(specs.size()) {}

  std::vector<Value> Evaluate(const Event& e) {
    std::vector<Value> values(specs_->size());
    if (e.type == EventType::kLabel) {
      auto it = seen_.find(e.labelled_event_id);
      if (it == seen_.end()) {
        pending_[e.labelled_event_id].push_back(e.label);  // for when its event comes
      } else {
        AddLabel(it->second, e.label);
      }
      return values;
    }
    seen_[e.event_id] = e;
    for (size_t i = 0; i < specs_->size(); ++i) {
      const auto& spec = (*specs_)[i];
      if (spec.function == FeatureFunction::kRatio) continue;
      std::string key;
      if (!Key(spec, e, key)) continue;
      std::optional<Contribution> previous = Previous(i, key, e.event_time);
      if (spec.Contributes(e.type)) Add(i, e);
      values[i] = Compute(i, key, e.event_time, previous);
    }
    // Labels that came first land now, after the event has read its features.
    if (auto kept = pending_.find(e.event_id); kept != pending_.end()) {
      for (LabelKind label : kept->second) AddLabel(e, label);
      pending_.erase(kept);
    }
    for (size_t i = 0; i < specs_->size(); ++i) {
      const auto& spec = (*specs_)[i];
      if (spec.function != FeatureFunction::kRatio) continue;
      const Value& n = values[spec.ratio_numerator];
      const Value& d = values[spec.ratio_denominator];
      if (n.is_number() && d.is_number() && d.number() != 0) {
        values[i] = Value::Number(n.number() / d.number());
      }
    }
    return values;
  }

  bool Knows(const std::string& event_id) const { return seen_.count(event_id) > 0; }

 private:
  void AddLabel(Event labelled, LabelKind label) {
    labelled.label = label;
    for (size_t i = 0; i < specs_->size(); ++i) {
      const auto& spec = (*specs_)[i];
      if (spec.function != FeatureFunction::kRatio && spec.Contributes(EventType::kLabel)) {
        Add(i, labelled);
      }
    }
  }

  static bool Key(const FeatureSpec& spec, const Event& e, std::string& out) {
    out.clear();
    for (EventField field : spec.key) {
      FieldValue v = ReadField(e, field);
      if (v.missing()) return false;
      out += std::string(v.text) + "|";
    }
    return true;
  }

  void Add(size_t i, const Event& e) {
    const auto& spec = (*specs_)[i];
    std::string key;
    if (!Key(spec, e, key)) return;
    if (spec.filter && !spec.filter->Passes(e)) return;
    Contribution c{key, e.event_time, 0, "", order_++};
    if (spec.argument) {
      FieldValue v = ReadField(e, *spec.argument);
      if (v.missing()) return;
      if (v.kind == FieldValue::Kind::kNumber) {
        c.value = v.number;
      } else {
        c.text = std::string(v.text);
      }
    }
    log_[i].push_back(c);
  }

  std::optional<Contribution> Previous(size_t i, const std::string& key, TimestampMs t) const {
    std::optional<Contribution> best;
    for (const auto& c : log_[i]) {
      if (c.key != key || c.time > t) continue;
      if (!best || c.time > best->time || (c.time == best->time && c.order > best->order)) best = c;
    }
    return best;
  }

  Value Compute(size_t i, const std::string& key, TimestampMs t,
                const std::optional<Contribution>& previous) const {
    const auto& spec = (*specs_)[i];
    auto [lo, hi] = OracleBounds(spec, t);
    int64_t count = 0;
    double sum = 0;
    std::optional<double> min, max;
    std::set<std::string> distinct;
    for (const auto& c : log_[i]) {
      if (c.key != key || c.time <= lo || c.time > hi) continue;
      ++count;
      sum += c.value;
      min = std::min(min.value_or(c.value), c.value);
      max = std::max(max.value_or(c.value), c.value);
      distinct.insert(c.text);
    }
    const bool previous_in_window = previous && previous->time > lo;
    switch (spec.function) {
      case FeatureFunction::kCount:
        return Value::Number(static_cast<double>(count));
      case FeatureFunction::kSum:
        return Value::Number(sum);
      case FeatureFunction::kAvg:
        return count > 0 ? Value::Number(sum / static_cast<double>(count)) : Value::Missing();
      case FeatureFunction::kMin:
        return min ? Value::Number(*min) : Value::Missing();
      case FeatureFunction::kMax:
        return max ? Value::Number(*max) : Value::Missing();
      case FeatureFunction::kCountDistinct:
        return Value::Number(static_cast<double>(distinct.size()));
      case FeatureFunction::kLast:
        return previous_in_window ? Value::String(previous->text) : Value::Missing();
      case FeatureFunction::kTimeSinceLast:
        return previous_in_window ? Value::Number(static_cast<double>(t - previous->time) / 1000.0)
                                  : Value::Missing();
      case FeatureFunction::kRatio:
        break;
    }
    return Value::Missing();
  }

  const std::vector<FeatureSpec>* specs_;
  std::vector<std::vector<Contribution>> log_;
  std::map<std::string, Event> seen_;
  std::map<std::string, std::vector<LabelKind>> pending_;  // labels before their event
  int64_t order_ = 0;
};

bool Close(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    return std::abs(a.number() - b.number()) <= 1e-6 * std::max(1.0, std::abs(b.number()));
  }
  return a == b;
}

// The random input of one seed: transactions with ties, late events, events on window edges, and
// labels of earlier (or unknown) events.
std::vector<Event> RandomEvents(uint64_t seed, int n) {
  std::mt19937_64 random(seed);
  auto pick = [&](uint64_t k) { return random() % k; };
  std::vector<Event> events;
  std::vector<std::string> ids;
  TimestampMs clock = 10'000;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.event_id = "e" + std::to_string(i);
    clock += static_cast<TimestampMs>(pick(25));  // zero steps make ties
    e.event_time = clock;
    if (pick(6) == 0) e.event_time -= static_cast<TimestampMs>(pick(kLateness + 60));  // late
    if (pick(9) == 0) e.event_time = clock - 300;  // exactly on a window edge of an earlier one
    if (!ids.empty() && pick(5) == 0) {
      e.type = EventType::kLabel;
      // Mostly earlier events; some not here yet (their label comes first), some never coming.
      const uint64_t which = pick(10);
      e.labelled_event_id = which == 0   ? "never-seen"
                            : which <= 3 ? "e" + std::to_string(i + 1 + pick(30))
                                         : ids[pick(ids.size())];
      e.label = pick(3) == 0 ? LabelKind::kLegit : LabelKind::kFraud;
    } else {
      e.type = EventType::kTransaction;
      e.account_id = "a" + std::to_string(pick(3));
      e.merchant_id = pick(8) == 0 ? "" : "m" + std::to_string(pick(3));
      e.device_id = pick(6) == 0 ? "" : "d" + std::to_string(pick(4));
      e.kind = pick(2) == 0 ? TransactionKind::kWithdrawal : TransactionKind::kPurchase;
      e.amount = static_cast<double>(pick(10000)) / 100;
      ids.push_back(e.event_id);
    }
    events.push_back(std::move(e));
  }
  return events;
}

// Run with the row cache off, small enough to evict on nearly every event, and at its default.
class FeatureOracleTest : public ::testing::TestWithParam<size_t> {
 protected:
  Result<std::unique_ptr<StateDb>> OpenDb(const TempDir& dir) {
    StateDbOptions options;
    options.row_cache_bytes = GetParam();
    return StateDb::Open(dir.Sub("db"), options);
  }
};

// Commits every 40 events; restarts (commit, close, reopen) at event 150; and once in a while
// abandons the events since the last commit, as the runtime does after a failure, and feeds them
// again: the engine must then answer exactly as if they had never been seen.
TEST_P(FeatureOracleTest, EngineMatchesBruteForceOnRandomSequences) {
  auto specs = ParseFeatureSpecs(YAML::Load(kFeatures)["features"], "oracle.yaml", kLateness);
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  int64_t compared = 0, skipped_late = 0, discards = 0, labels_first = 0;
  uint64_t evictions = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const std::vector<Event> events = RandomEvents(seed, 300);
    TempDir dir;
    auto db = OpenDb(dir);
    ASSERT_TRUE(db.ok());
    auto engine = std::make_unique<FeatureEngine>(**db, *specs, 4);
    // Per (feature, key): the newest event time that read it, to know what the engine promises.
    using NewestRead = std::map<std::string, TimestampMs>;
    std::optional<Oracle> oracle(std::in_place, *specs);
    NewestRead newest_read;
    // What was true at the last commit, to go back to after a discard.
    Oracle committed_oracle = *oracle;
    NewestRead committed_newest_read;
    size_t committed_next = 0;
    std::mt19937_64 failures(seed * 7919);
    bool discarded_since_commit = false;
    for (size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      if (i == 150) {  // a restart mid-stream: commit, close, reopen; results must not change
        ASSERT_TRUE((*db)->Commit().ok());
        engine.reset();
        evictions += (*db)->CacheStats().evictions;
        db.value().reset();
        db = OpenDb(dir);
        ASSERT_TRUE(db.ok());
        engine = std::make_unique<FeatureEngine>(**db, *specs, 4);
        committed_oracle = *oracle;
        committed_newest_read = newest_read;
        committed_next = i;
        discarded_since_commit = false;
      }
      if (!discarded_since_commit && i > committed_next + 5 && failures() % 25 == 0) {
        (*db)->DiscardPending();
        oracle.emplace(committed_oracle);
        newest_read = committed_newest_read;
        i = committed_next - 1;
        discarded_since_commit = true;
        ++discards;
        continue;
      }
      auto got = engine->Evaluate(e);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      const bool label_first = e.type == EventType::kLabel && !oracle->Knows(e.labelled_event_id);
      auto want = oracle->Evaluate(e);
      bool within_lateness = true;
      for (const auto& spec : *specs) {
        if (e.type == EventType::kLabel || spec.function == FeatureFunction::kRatio) continue;
        std::string key = spec.name + "/";
        bool present = true;
        for (EventField field : spec.key) {
          FieldValue v = ReadField(e, field);
          present = present && !v.missing();
          key += std::string(v.text) + "|";
        }
        if (!present) continue;
        auto [it, first] = newest_read.try_emplace(key, e.event_time);
        within_lateness = within_lateness && (first || e.event_time >= it->second - kLateness);
        it->second = std::max(it->second, e.event_time);
      }
      if (i % 40 == 0) {
        ASSERT_TRUE((*db)->Commit().ok());
        committed_oracle = *oracle;
        committed_newest_read = newest_read;
        committed_next = i + 1;
        discarded_since_commit = false;
      }
      if (e.type == EventType::kLabel) {
        EXPECT_EQ(got->label_pending, label_first);
        labels_first += label_first;
        continue;
      }
      if (!within_lateness) {
        ++skipped_late;
        continue;
      }
      ASSERT_TRUE(got->exact) << "seed " << seed << " event " << i;
      for (size_t f = 0; f < specs->size(); ++f) {
        ASSERT_TRUE(Close(got->values[f], want[f]))
            << "seed " << seed << " event " << i << " t=" << e.event_time << " feature "
            << (*specs)[f].name << ": engine " << got->values[f].ToString() << ", oracle "
            << want[f].ToString();
      }
      ++compared;
    }
    evictions += (*db)->CacheStats().evictions;
  }
  EXPECT_GT(compared, 10000);
  EXPECT_GT(skipped_late, 0);
  EXPECT_GT(discards, 20);
  EXPECT_GT(labels_first, 500);
  // The small budget really evicts (written rows included); the default one holds everything.
  if (GetParam() == 2048) {
    EXPECT_GT(evictions, 1000u);
  }
  if (GetParam() == (64 << 20)) {
    EXPECT_EQ(evictions, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(RowCache, FeatureOracleTest, ::testing::Values(0, 2048, 64 << 20),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           return "bytes_" + std::to_string(param.param);
                         });

// A purchase by account "a", with no other field set.
Event PurchaseOfAccountA() {
  Event e;
  e.type = EventType::kTransaction;
  e.account_id = "a";
  e.kind = TransactionKind::kPurchase;
  return e;
}

TEST(FeatureOracle, DistinctCapIsReportedNotSilent) {
  auto specs = ParseFeatureSpecs(
      YAML::Load("features:\n  - {name: d, key: account_id, function: count_distinct(device_id),"
                 " window: 1h, max_distinct: 3}\n")["features"],
      "cap.yaml", 0);
  ASSERT_TRUE(specs.ok());
  // In memory, and read back from its rows at every event (no cache): the cap's mark is stored.
  for (size_t cache_bytes : {size_t{64} << 20, size_t{0}}) {
    SCOPED_TRACE("row cache bytes " + std::to_string(cache_bytes));
    TempDir dir;
    auto db = StateDb::Open(dir.Sub("db"), StateDbOptions{.row_cache_bytes = cache_bytes});
    ASSERT_TRUE(db.ok());
    FeatureEngine engine(**db, *specs, 1);
    Event e = PurchaseOfAccountA();
    for (int i = 0; i < 5; ++i) {
      e.event_time = 1000 + i;
      e.device_id = "d" + std::to_string(i);
      auto got = engine.Evaluate(e);
      ASSERT_TRUE(got.ok());
      EXPECT_LE(got->values[0].number(), 3);
      EXPECT_EQ(got->exact, i < 3) << i;
    }
    e.event_time = 1000 + kHourMs / 2;  // the dropped values may still be in the window
    e.device_id = "d1";
    auto inside = engine.Evaluate(e);
    ASSERT_TRUE(inside.ok());
    EXPECT_FALSE(inside->exact);
    e.event_time = 1000 + kHourMs + 10;  // everything dropped has left the window
    e.device_id = "d9";
    auto later = engine.Evaluate(e);
    ASSERT_TRUE(later.ok());
    EXPECT_TRUE(later->exact);
    EXPECT_EQ(later->values[0], Value::Number(2));  // d1 (half an hour before) and d9
  }
}

TEST(FeatureOracle, ThirtyDayWindowKeepsOnlyWhatExpiryNeeds) {
  auto specs = ParseFeatureSpecs(
      YAML::Load("features:\n  - {name: c, key: account_id, function: sum(amount), window: 30d}\n")
          ["features"],
      "memory.yaml", 0);
  ASSERT_TRUE(specs.ok());
  TempDir dir;
  auto db = StateDb::Open(dir.Sub("db"));
  ASSERT_TRUE(db.ok());
  FeatureEngine engine(**db, *specs, 1);
  Event e = PurchaseOfAccountA();
  e.amount = 1;
  const int kEvents = 2000;  // one every 43.2 minutes: 60 days
  const DurationMs step = 60 * kDayMs / kEvents;
  for (int i = 0; i < kEvents; ++i) {
    e.event_id = "e" + std::to_string(i);
    e.event_time = i * step;
    auto got = engine.Evaluate(e);
    ASSERT_TRUE(got.ok());
    if (i % 100 == 0) {
      ASSERT_TRUE((*db)->Commit().ok());
    }
  }
  ASSERT_TRUE((*db)->Commit().ok());
  const int in_window = static_cast<int>((30 * kDayMs + step - 1) / step);  // events in (t-30d, t]
  auto committed = engine.ReadCommitted("c", "a");
  ASSERT_TRUE(committed.ok() && committed->window) << committed.status().ToString();
  // The window's events and nothing older, stored as chunks of entries and one aggregate row.
  EXPECT_EQ(committed->window->retained_entries, in_window);
  int rows = 0;
  auto it = (*db)->NewIterator(StateDb::Family::kWindows);
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++rows;
  EXPECT_LE(rows, 1 + in_window / static_cast<int>(WindowState::kChunkEntries) + 2);
}

}  // namespace
}  // namespace riskstream
