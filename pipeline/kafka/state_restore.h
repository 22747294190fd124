// pipeline/kafka/state_restore.h
//
// Brings a StateDb up to date with its changelog topic before processing starts (exactly-once
// mode). The local database records how far into the changelog it is (its changelog position,
// committed with every state batch); restore reads, with isolation.level=read_committed, from that
// position to the end of the committed changelog and writes what it reads in chunks, each chunk
// with the position it reached. A current database reads nothing but the last transaction marker;
// a missing one reads the (compacted) changelog from its start; a database whose position is not
// inside the changelog (the topic was lost and recreated) is an error, not silently wiped. Must run
// before anything reads the stores (and so before any cache over them is filled), and after the
// instance's transactional producer was initialised, so no transaction of an earlier instance is
// still open and the end of the committed changelog is final.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "pipeline/kafka/kafka_properties.h"
#include "state/db/state_db.h"

namespace riskstream {

struct RestoreStats {
  int64_t records = 0;  // changelog records applied
  int64_t bytes = 0;    // their key and value bytes
  double seconds = 0;
  int64_t from_offset = 0;  // changelog position before and after
  int64_t to_offset = 0;
};

// The changelog partition riskstream writes and restores (one per instance's state).
inline constexpr int32_t kChangelogPartition = 0;

// Restores `db` from `topic` as described above; `consumer_properties` are passed to the restore
// consumer (group `group_id`, which it never commits). Logs progress every few seconds.
Result<RestoreStats> RestoreFromChangelog(const std::string& bootstrap_servers,
                                          const std::string& group_id,
                                          const KafkaProperties& consumer_properties,
                                          const std::string& topic, StateDb& db);

}  // namespace riskstream
