#include "state/changelog/changelog.h"

namespace riskstream {

ChangelogRecord EncodeChange(StateDb::Family family, std::string_view key,
                             std::optional<std::string_view> value) {
  ChangelogRecord record;
  record.key.reserve(key.size() + 1);
  record.key.push_back(static_cast<char>(family));
  record.key.append(key);
  if (value) record.value = std::string(*value);
  return record;
}

std::vector<ChangelogRecord> PendingChangelog(StateDb& db) {
  std::vector<ChangelogRecord> records;
  db.ForEachPending(
      [&](StateDb::Family family, std::string_view key, std::optional<std::string_view> value) {
        records.push_back(EncodeChange(family, key, value));
      });
  return records;
}

Result<StateDb::Change> DecodeChange(std::string_view key, const std::string* value) {
  if (key.empty()) return Status::InvalidInput("changelog record without a key");
  auto family = static_cast<uint8_t>(key[0]);
  if (family > static_cast<uint8_t>(StateDb::Family::kCredit)) {
    return Status::InvalidInput("changelog record for unknown state family " +
                                std::to_string(family));
  }
  StateDb::Change change{static_cast<StateDb::Family>(family), std::string(key.substr(1)),
                         std::nullopt};
  if (value != nullptr) change.value = *value;
  return change;
}

}  // namespace riskstream
