#include "operators/feature_engine.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "state/key_codec.h"

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

}  // namespace

FeatureEngine::FeatureEngine(StateDb& db, std::vector<FeatureSpec> specs, uint32_t state_partitions,
                             DurationMs label_retention_ms)
    : specs_(std::move(specs)),
      state_partitions_(state_partitions),
      index_(db, label_retention_ms) {
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
    text = FormatNumber(argument.number);
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
  std::string payload(1, static_cast<char>(event.type));
  for (EventField field : label_fields_) {
    FieldValue value = ReadField(event, field);
    AppendU16(payload, static_cast<uint16_t>(field));
    payload.push_back(static_cast<char>(value.kind));
    if (value.kind == FieldValue::Kind::kNumber) {
      AppendDouble(payload, value.number);
    } else {
      AppendLengthPrefixed(payload, value.text);
    }
  }
  index_.Put(event.event_id, event.event_time, payload);
}

Status FeatureEngine::ApplyLabel(const Event& label, FeatureVector& out) {
  auto indexed = index_.Get(label.labelled_event_id);
  if (!indexed.ok()) return indexed.status();
  if (!indexed->has_value()) {
    out.label_unmatched = true;
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
  std::string key, text;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const FeatureSpec& spec = specs_[i];
    if (!stores_[i] || !spec.Contributes(EventType::kLabel)) continue;
    if (!EntityKey(spec, labelled, key)) continue;
    auto contribution = Contribution(spec, labelled, text);
    if (!contribution) continue;
    Status status =
        stores_[i]->Insert(KafkaPartitionForKey(key, state_partitions_), key, time, *contribution);
    if (!status.ok())
      return status.WithContext("feature " + spec.name + ", label " + label.event_id);
  }
  return Status::Ok();
}

Result<FeatureVector> FeatureEngine::Evaluate(const Event& event) {
  FeatureVector out;
  out.values.assign(specs_.size(), Value::Missing());
  if (event.type == EventType::kLabel) {
    Status status = ApplyLabel(event, out);
    if (!status.ok()) return status;
    return out;
  }
  std::string key, text;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const FeatureSpec& spec = specs_[i];
    if (!stores_[i] || !EntityKey(spec, event, key)) continue;
    std::optional<WindowContribution> contribution;
    if (spec.Contributes(event.type)) contribution = Contribution(spec, event, text);
    const bool want_previous =
        spec.function == FeatureFunction::kLast || spec.function == FeatureFunction::kTimeSinceLast;
    auto aggregate = stores_[i]->Apply(KafkaPartitionForKey(key, state_partitions_), key,
                                       event.event_time, contribution, want_previous);
    if (!aggregate.ok()) {
      return aggregate.status().WithContext("feature " + spec.name + ", event " + event.event_id);
    }
    out.exact = out.exact && aggregate->exact;
    const WindowAggregate& a = *aggregate;
    Value& value = out.values[i];
    const bool previous_in_window =
        a.previous_time && *a.previous_time > stores_[i]->spec().Bounds(event.event_time).first;
    switch (spec.function) {
      case FeatureFunction::kCount:
        value = Value::Number(static_cast<double>(a.count));
        break;
      case FeatureFunction::kSum:
        value = Value::Number(a.sum);
        break;
      case FeatureFunction::kAvg:
        if (a.count > 0) value = Value::Number(a.sum / static_cast<double>(a.count));
        break;
      case FeatureFunction::kMin:
        if (a.min) value = Value::Number(*a.min);
        break;
      case FeatureFunction::kMax:
        if (a.max) value = Value::Number(*a.max);
        break;
      case FeatureFunction::kCountDistinct:
        value = Value::Number(static_cast<double>(a.distinct));
        break;
      case FeatureFunction::kLast:
        if (previous_in_window)
          value = TextOrNumber(a.previous_text, IsNumericField(*spec.argument));
        break;
      case FeatureFunction::kTimeSinceLast:
        if (previous_in_window) {
          value = Value::Number(static_cast<double>(event.event_time - *a.previous_time) / 1000.0);
        }
        break;
      case FeatureFunction::kRatio:
        break;
    }
  }
  for (size_t i = 0; i < specs_.size(); ++i) {
    const FeatureSpec& spec = specs_[i];
    if (spec.function != FeatureFunction::kRatio) continue;
    const Value& numerator = out.values[spec.ratio_numerator];
    const Value& denominator = out.values[spec.ratio_denominator];
    if (numerator.is_number() && denominator.is_number() && denominator.number() != 0) {
      out.values[i] = Value::Number(numerator.number() / denominator.number());
    }
  }
  if (!label_fields_.empty()) {
    IndexForLabels(event);
    Status status = index_.Expire(event.event_time);
    if (!status.ok()) return status;
  }
  return out;
}

}  // namespace riskstream
