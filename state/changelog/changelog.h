// state/changelog/changelog.h
//
// The changelog format: how StateDb's changes travel through a compacted Kafka topic so a lost or
// stale state directory can be rebuilt. One record per changed key: the record key is the column
// family (one byte) followed by the state key; the value is the new value, or no value (a
// tombstone, which compaction eventually drops) for a delete. Input offsets travel as kMeta rows,
// so a restored state records exactly the input position its changes cover. Compaction keeps the
// newest record per key, so reading the topic from its start gives the newest state. Kafka-free:
// the runtime produces and consumes the bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/db/state_db.h"

namespace riskstream {

struct ChangelogRecord {
  std::string key;
  std::optional<std::string> value;  // nullopt: tombstone
};

// The record for one change of `key` in `family` (value nullopt: deleted).
ChangelogRecord EncodeChange(StateDb::Family family, std::string_view key,
                             std::optional<std::string_view> value);

// Every pending change of `db` (see StateDb::ForEachPending) as changelog records.
std::vector<ChangelogRecord> PendingChangelog(StateDb& db);

// The change a changelog record carries. `value` nullptr is a tombstone. Fails on a key naming no
// known family (the topic is not a riskstream changelog, or from an incompatible version).
Result<StateDb::Change> DecodeChange(std::string_view key, const std::string* value);

}  // namespace riskstream
