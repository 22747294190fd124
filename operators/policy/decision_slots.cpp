#include "operators/policy/decision_slots.h"

#include <iterator>

namespace riskstream {
namespace {

constexpr const char* kAccountVariables[] = {"account.limit", "account.used", "account.available",
                                             "account.frozen", "account.seconds_since_approval"};

Value ToValue(const FieldValue& field) {
  switch (field.kind) {
    case FieldValue::Kind::kMissing:
      return Value::Missing();
    case FieldValue::Kind::kText:
      return Value::String(std::string(field.text));
    case FieldValue::Kind::kNumber:
      return Value::Number(field.number);
  }
  return Value::Missing();
}

}  // namespace

Result<DecisionSlots> DecisionSlots::Create(const std::vector<std::string>& feature_names,
                                            const std::string& source) {
  DecisionSlots slots;
  int slot = 0;
  for (const auto& name : feature_names) {
    if (Status s = slots.context_.AddVariable(name, slot++); !s.ok()) {
      return s.WithContext(source + ": feature name '" + name + "'");
    }
    slots.names_.push_back(name);
  }
  slots.feature_count_ = feature_names.size();
  for (std::string_view field : AllFieldNames()) {
    if (slots.context_.FindVariable(field)) {
      return Status::InvalidConfig(source + ": feature name '" + std::string(field) +
                                   "' hides the event field of that name");
    }
    if (Status s = slots.context_.AddVariable(std::string(field), slot++); !s.ok()) return s;
    slots.names_.emplace_back(field);
  }
  slots.account_slot_ = slot;
  for (const char* name : kAccountVariables) {
    if (Status s = slots.context_.AddVariable(name, slot++); !s.ok()) {
      return s.WithContext(source + ": feature name '" + name + "'");
    }
    slots.names_.emplace_back(name);
  }
  return slots;
}

void DecisionSlots::Use(const CompiledExpression& expression) {
  for (int s : expression.ReferencedSlots()) {
    if (static_cast<size_t>(s) < feature_count_) continue;
    if (s >= account_slot_) {
      reads_account_ = true;
      continue;
    }
    bool known = false;
    for (const auto& entry : field_slots_) known = known || entry.first == s;
    if (known) continue;
    auto field = ResolveEventField(names_[s]);
    if (field.ok()) field_slots_.emplace_back(s, *field);
  }
}

void DecisionSlots::Fill(const Event& event, const std::vector<Value>& features,
                         const std::optional<CreditAccount>& account,
                         std::vector<Value>& slots) const {
  // Only the slots some expression reads are written, and each of them on every call: a slot
  // vector reused from an earlier decision (of this layout) needs no reset.
  if (slots.size() != names_.size()) slots.assign(names_.size(), Value::Missing());
  for (size_t i = 0; i < feature_count_; ++i) {
    slots[i] = i < features.size() ? features[i] : Value::Missing();
  }
  for (const auto& [slot, field] : field_slots_) slots[slot] = ToValue(ReadField(event, field));
  if (!reads_account_) return;
  if (!account) {
    for (size_t i = 0; i < std::size(kAccountVariables); ++i)
      slots[account_slot_ + i] = Value::Missing();
    return;
  }
  slots[account_slot_] = Value::Number(account->limit);
  slots[account_slot_ + 1] = Value::Number(account->used);
  slots[account_slot_ + 2] = Value::Number(account->available());
  slots[account_slot_ + 3] = Value::Bool(account->frozen);
  slots[account_slot_ + 4] =
      Value::Number(static_cast<double>(event.event_time - account->approved_at) / kSecondMs);
}

}  // namespace riskstream
