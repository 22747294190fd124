// state/credit/credit_store.h
//
// CreditStore keeps each credit account's CreditAccount in StateDb's `credit` column family. Keys
// are `partition(u32) | store fingerprint(u64) | account (length-prefixed)`, where the partition is
// Kafka's default partitioner on the account id (as for window state) and the fingerprint names
// the store, so a live and a shadow policy keep separate credit state in one family. Accounts are
// kept as objects in StateDb's row cache (tag kCacheTag before the row key): a read of a cached
// account touches no RocksDB batch, and a changed account reaches the pending batch when it is
// committed or evicted, committing atomically with the input offsets.
// Not thread-safe: one store per task.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "state/credit/credit_account.h"
#include "state/db/state_db.h"

namespace riskstream {

class CreditStore {
 public:
  // `db` must outlive the store. `name` tells stores apart ("live", "shadow"); `state_partitions`
  // > 0.
  CreditStore(StateDb& db, std::string_view name, uint32_t state_partitions);

  static constexpr char kCacheTag = 'C';

  // The account's state, uncommitted writes included; nullopt when it has none. Corrupt rows are
  // an error naming the account.
  Result<std::optional<CreditAccount>> Get(std::string_view account_id);
  // Starts fetching where the cache holds the account (StateDb::PrefetchCached), for a Get soon
  // after.
  void Prefetch(std::string_view account_id) { db_->PrefetchCached(HashedCacheKey(account_id)); }
  void Put(std::string_view account_id, const CreditAccount& account);
  // Committed state only; safe from any thread.
  Result<std::optional<CreditAccount>> GetCommitted(std::string_view account_id) const;

 private:
  // kCacheTag | the account's row key, into `out` (its memory reused).
  void CacheKey(std::string_view account_id, std::string& out) const;
  // The account's cache key and its hash, in key_: built again only for another account than the
  // last one's (a Prefetch, a Get and a Put of one event share it).
  HashedKey HashedCacheKey(std::string_view account_id);

  StateDb* db_;
  uint64_t fingerprint_;
  uint32_t partitions_;
  // The last cache key built by Prefetch, Get or Put (their thread's; empty before the first),
  // its hash and account.
  std::string key_;
  size_t key_hash_ = 0;
  std::string key_account_;
};

}  // namespace riskstream
