#include "operators/features/feature_engine.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "state/db/key_codec.h"

namespace riskstream {
namespace {

std::string FormatNumber(double number) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.17g", number);
  return buffer;
}

Value TextOrNumber(const std::string& text, bool numeric) {
  if (!numeric) return Value::String(text);
  return Value::Number(std::strtod(text.c_str(), nullptr));
}

bool IsNumericField(EventField field) {
  switch (field) {
    case EventField::kEventTime:
    case EventField::kRequestedAmount:
    case EventField::kDeclaredIncome:
    case EventField::kAmount:
    case EventField::kGeoLat:
    case EventField::kGeoLon:
      return true;
    default:
      return false;
  }
}

// The value of `spec` given the aggregate `a` over a window starting after `window_lo`, read by an
// event at `read_time` (nullopt for a read without an event: time_since_last is then missing).
Value ValueOf(const FeatureSpec& spec, const WindowAggregate& a, TimestampMs window_lo,
              std::optional<TimestampMs> read_time) {
  const bool previous_in_window = a.previous_time && *a.previous_time > window_lo;
  switch (spec.function) {
    case FeatureFunction::kCount:
      return Value::Number(static_cast<double>(a.count));
    case FeatureFunction::kSum:
      return Value::Number(a.sum);
    case FeatureFunction::kAvg:
      if (a.count > 0) return Value::Number(a.sum / static_cast<double>(a.count));
      break;
    case FeatureFunction::kMin:
      if (a.min) return Value::Number(*a.min);
      break;
    case FeatureFunction::kMax:
      if (a.max) return Value::Number(*a.max);
      break;
    case FeatureFunction::kCountDistinct:
      return Value::Number(static_cast<double>(a.distinct));
    case FeatureFunction::kLast:
      if (previous_in_window) return TextOrNumber(a.previous_text, IsNumericField(*spec.argument));
      break;
    case FeatureFunction::kTimeSinceLast:
      if (previous_in_window && read_time) {
        return Value::Number(static_cast<double>(*read_time - *a.previous_time) / 1000.0);
      }
      break;
    case FeatureFunction::kRatio:
      break;
  }
  return Value::Missing();
}

Value RatioOf(const Value& numerator, const Value& denominator) {
  if (numerator.is_number() && denominator.is_number() && denominator.number() != 0) {
    return Value::Number(numerator.number() / denominator.number());
  }
  return Value::Missing();
}

}  // namespace

FeatureEngine::FeatureEngine(StateDb& db, std::vector<FeatureSpec> specs, uint32_t state_partitions,
                             DurationMs label_retention_ms)
    : db_(db),
      specs_(std::move(specs)),
      state_partitions_(state_partitions),
      index_(db, label_retention_ms),
      pending_labels_(db, label_retention_ms, 'P', 'Q') {
  // Features keyed alike form a group: they find the entity's windows in one lookup.
  std::vector<size_t> by_key(specs_.size());
  std::iota(by_key.begin(), by_key.end(), size_t{0});
  std::stable_sort(by_key.begin(), by_key.end(),
                   [&](size_t a, size_t b) { return specs_[a].key < specs_[b].key; });
  for (size_t i : by_key) {
    if (specs_[i].function == FeatureFunction::kRatio) continue;  // no state of its own
    if (groups_.empty() || specs_[groups_.back().front()].key != specs_[i].key) {
      groups_.emplace_back();
    }
    groups_.back().push_back(i);
  }
  group_keys_.resize(groups_.size());
  stores_.reserve(specs_.size());
  for (const auto& spec : specs_) {
    if (spec.function == FeatureFunction::kRatio) {
      stores_.emplace_back();
      continue;
    }
    stores_.emplace_back(std::in_place, db, spec.ToWindowSpec());
    if (!spec.Contributes(EventType::kLabel)) continue;
    std::vector<EventField> needed = spec.key;
    if (spec.argument) needed.push_back(*spec.argument);
    if (spec.filter) needed.push_back(spec.filter->field);
    for (EventField field : needed) {
      if (std::find(label_fields_.begin(), label_fields_.end(), field) == label_fields_.end()) {
        label_fields_.push_back(field);
      }
    }
  }
}

bool FeatureEngine::EntityKey(const FeatureSpec& spec, const Event& event, std::string& out) const {
  out.clear();
  for (size_t i = 0; i < spec.key.size(); ++i) {
    FieldValue part = ReadField(event, spec.key[i]);
    if (part.missing()) return false;
    if (i > 0) out.push_back('\x1f');
    if (part.kind == FieldValue::Kind::kNumber) {
      out += FormatNumber(part.number);
    } else {
      out.append(part.text);
    }
  }
  return true;
}

std::optional<WindowContribution> FeatureEngine::Contribution(const FeatureSpec& spec,
                                                              const Event& event,
                                                              std::string& text) const {
  if (spec.filter && !spec.filter->Passes(event)) return std::nullopt;
  WindowContribution contribution;
  if (!spec.argument) return contribution;
  FieldValue argument = ReadField(event, *spec.argument);
  if (argument.missing()) return std::nullopt;  // nothing to sum, compare or count distinctly
  if (argument.kind == FieldValue::Kind::kNumber) {
    contribution.value = argument.number;
    // The text is kept only where it is read back: distinct values and last().
    if (spec.function == FeatureFunction::kCountDistinct ||
        spec.function == FeatureFunction::kLast) {
      text = FormatNumber(argument.number);
    } else {
      text.clear();
    }
  } else {
    switch (spec.function) {
      case FeatureFunction::kSum:
      case FeatureFunction::kAvg:
      case FeatureFunction::kMin:
      case FeatureFunction::kMax:
        return std::nullopt;  // a text value has no amount
      default:
        break;
    }
    text.assign(argument.text);
  }
  contribution.text = text;
  return contribution;
}

void FeatureEngine::IndexForLabels(const Event& event) {
  payload_.assign(1, static_cast<char>(event.type));
  for (EventField field : label_fields_) {
    FieldValue value = ReadField(event, field);
    AppendU16(payload_, static_cast<uint16_t>(field));
    payload_.push_back(static_cast<char>(value.kind));
    if (value.kind == FieldValue::Kind::kNumber) {
      AppendDouble(payload_, value.number);
    } else {
      AppendLengthPrefixed(payload_, value.text);
    }
  }
  index_.Put(event.event_id, event.event_time, payload_);
}

Status FeatureEngine::ApplyLabel(const Event& label, FeatureVector& out) {
  if (label_fields_.empty()) return Status::Ok();  // no feature counts labels
  auto indexed = index_.Get(label.labelled_event_id);
  if (!indexed.ok()) return indexed.status();
  if (!indexed->has_value()) {
    // Keep it for its event: the label kinds seen so far for that id, oldest first.
    auto kept = pending_labels_.Get(label.labelled_event_id);
    if (!kept.ok()) return kept.status();
    std::string kinds = kept->has_value() ? (*kept)->second : std::string();
    kinds.push_back(static_cast<char>(label.label));
    const TimestampMs since = kept->has_value() ? (*kept)->first : label.event_time;
    pending_labels_.Put(label.labelled_event_id, since, kinds);
    out.label_pending = true;
    return Status::Ok();
  }
  const auto& [time, payload] = **indexed;
  Event labelled;
  labelled.event_id = label.labelled_event_id;
  labelled.event_time = time;
  labelled.label = label.label;
  labelled.labelled_event_id = label.labelled_event_id;
  labelled.type = payload.empty() ? EventType::kTransaction : static_cast<EventType>(payload[0]);
  size_t pos = 1;
  while (pos < payload.size()) {
    uint16_t field;
    if (!ReadU16(payload, pos, field) || pos >= payload.size()) {
      return Status::IoError("corrupt event index payload for " + label.labelled_event_id);
    }
    FieldValue value;
    value.kind = static_cast<FieldValue::Kind>(payload[pos++]);
    bool read = value.kind == FieldValue::Kind::kNumber
                    ? ReadDouble(payload, pos, value.number)
                    : ReadLengthPrefixed(payload, pos, value.text);
    if (!read) return Status::IoError("corrupt event index payload for " + label.labelled_event_id);
    AssignField(labelled, static_cast<EventField>(field), value);
  }
  return AddLabelContributions(labelled, time, "label " + label.event_id);
}

Status FeatureEngine::AddLabelContributions(const Event& labelled, TimestampMs time,
                                            const std::string& context) {
  std::string key, text;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const FeatureSpec& spec = specs_[i];
    if (!stores_[i] || !spec.Contributes(EventType::kLabel)) continue;
    if (!EntityKey(spec, labelled, key)) continue;
    auto contribution = Contribution(spec, labelled, text);
    if (!contribution) continue;
    Status status =
        stores_[i]->Insert(KafkaPartitionForKey(key, state_partitions_), key, time, *contribution);
    if (!status.ok()) return status.WithContext("feature " + spec.name + ", " + context);
  }
  return Status::Ok();
}

Status FeatureEngine::ApplyPendingLabels(const Event& event, FeatureVector& out) {
  auto kept = pending_labels_.Get(event.event_id);
  if (!kept.ok()) return kept.status();
  if (kept->has_value()) {
    Event labelled = event;
    labelled.labelled_event_id = event.event_id;
    for (char kind : (*kept)->second) {
      labelled.label = static_cast<LabelKind>(kind);
      Status status = AddLabelContributions(labelled, event.event_time,
                                            "label kept for event " + event.event_id);
      if (!status.ok()) return status;
      ++out.pending_labels_applied;
    }
    if (Status s = pending_labels_.Erase(event.event_id); !s.ok()) return s;
  }
  int64_t expired = 0;
  Status status = pending_labels_.Expire(event.event_time, &expired);
  out.pending_labels_expired = static_cast<int>(expired);
  return status;
}

Result<FeatureVector> FeatureEngine::Evaluate(const Event& event) {
  FeatureVector out;
  if (Status s = Evaluate(event, out); !s.ok()) return s;
  return out;
}

Status FeatureEngine::Evaluate(const Event& event, FeatureVector& out) {
  std::vector<Value> values = std::move(out.values);  // its memory, for the values below
  out = FeatureVector{};
  out.values = std::move(values);
  out.values.assign(specs_.size(), Value::Missing());
  if (event.type == EventType::kLabel) return ApplyLabel(event, out);
  // One key, one lookup of the entity's windows and one release per group. Every group's key is
  // found first and its place in the cache fetched, then every group's object, so that the
  // lookups' cache misses overlap instead of coming one after another.
  for (size_t g = 0; g < groups_.size(); ++g) {
    GroupKey& key = group_keys_[g];
    key.present = EntityKey(specs_[groups_[g].front()], event, key.text);
    if (!key.present) continue;
    CachedEntity::Key(KafkaPartitionForKey(key.text, state_partitions_), key.text, key.cache_key);
    key.cache_hash = RowCache::Hash(key.cache_key);
    db_.PrefetchCached(key.hashed());
  }
  for (const GroupKey& key : group_keys_) {
    if (key.present) db_.PrefetchCachedObject(key.hashed());
  }
  std::string& text = contribution_text_;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const GroupKey& key = group_keys_[g];
    if (!key.present) continue;
    CachedEntity* windows = nullptr;
    bool changed = false;
    for (size_t i : groups_[g]) {
      const FeatureSpec& spec = specs_[i];
      std::optional<WindowContribution> contribution;
      if (spec.Contributes(event.type)) contribution = Contribution(spec, event, text);
      const bool want_previous = spec.function == FeatureFunction::kLast ||
                                 spec.function == FeatureFunction::kTimeSinceLast;
      auto aggregate = stores_[i]->Apply(windows, key.hashed(), event.event_time, contribution,
                                         want_previous, changed);
      if (!aggregate.ok()) {
        return aggregate.status().WithContext("feature " + spec.name + ", event " + event.event_id);
      }
      out.exact = out.exact && aggregate->exact;
      out.values[i] = ValueOf(spec, *aggregate, stores_[i]->spec().Bounds(event.event_time).first,
                              event.event_time);
    }
    if (windows != nullptr) db_.ReleaseCached(windows, changed);
  }
  for (size_t i = 0; i < specs_.size(); ++i) {
    const FeatureSpec& spec = specs_[i];
    if (spec.function != FeatureFunction::kRatio) continue;
    out.values[i] = RatioOf(out.values[spec.ratio_numerator], out.values[spec.ratio_denominator]);
  }
  if (!label_fields_.empty()) {
    IndexForLabels(event);
    if (Status s = index_.Expire(event.event_time); !s.ok()) return s;
    if (Status s = ApplyPendingLabels(event, out); !s.ok()) return s;
  }
  return Status::Ok();
}

Result<std::optional<CommittedWindow>> FeatureEngine::ReadCommittedWindow(
    size_t feature, const std::string& key_text) const {
  const FeatureSpec& spec = specs_[feature];
  const size_t parts =
      static_cast<size_t>(std::count(key_text.begin(), key_text.end(), '\x1f')) + 1;
  if (key_text.empty() || parts != spec.key.size()) {
    std::string fields;
    for (EventField field : spec.key) {
      fields += (fields.empty() ? "" : ", ") + std::string(FieldName(field));
    }
    return Status::InvalidInput("feature '" + spec.name + "' is keyed by " + fields +
                                ": expected " + std::to_string(spec.key.size()) + " key part(s)");
  }
  auto window =
      stores_[feature]->ReadCommitted(KafkaPartitionForKey(key_text, state_partitions_), key_text);
  if (!window.ok()) return window.status().WithContext("feature " + spec.name);
  return window;
}

Result<CommittedFeature> FeatureEngine::ReadCommitted(const std::string& feature_name,
                                                      const std::string& key_text) const {
  auto found = std::find_if(specs_.begin(), specs_.end(),
                            [&](const FeatureSpec& spec) { return spec.name == feature_name; });
  if (found == specs_.end()) return Status::NotFound("unknown feature '" + feature_name + "'");
  const FeatureSpec& spec = *found;
  const auto not_found = [&] {
    return Status::NotFound("no committed state of feature '" + spec.name + "' for this key");
  };
  CommittedFeature out;
  if (spec.function != FeatureFunction::kRatio) {
    auto window = ReadCommittedWindow(static_cast<size_t>(found - specs_.begin()), key_text);
    if (!window.ok()) return window.status();
    if (!window->has_value()) return not_found();
    out.window = std::move(**window);
    out.value = out.window->as_of_ms
                    ? ValueOf(spec, out.window->aggregate, out.window->lo_ms, std::nullopt)
                    : ValueOf(spec, WindowAggregate{}, 0, std::nullopt);
    return out;
  }
  // A part without state reads as an empty window, as in Evaluate; both without state: not found.
  Value parts[2];
  bool any = false;
  const size_t indexes[2] = {spec.ratio_numerator, spec.ratio_denominator};
  for (int p = 0; p < 2; ++p) {
    auto window = ReadCommittedWindow(indexes[p], key_text);
    if (!window.ok()) return window.status();
    any = any || window->has_value();
    const bool read = window->has_value() && (*window)->as_of_ms;
    parts[p] = ValueOf(specs_[indexes[p]], read ? (*window)->aggregate : WindowAggregate{},
                       read ? (*window)->lo_ms : 0, std::nullopt);
  }
  if (!any) return not_found();
  out.value = RatioOf(parts[0], parts[1]);
  return out;
}

Result<Value> FeatureEngine::CommittedValue(const std::string& feature_name,
                                            const std::string& key_text) const {
  auto committed = ReadCommitted(feature_name, key_text);
  if (!committed.ok()) return committed.status();
  return std::move(committed->value);
}

}  // namespace riskstream
