#include "state/credit/credit_store.h"

#include <memory>
#include <utility>

#include "state/cache/keyed_allocation.h"
#include "state/cache/row_cache.h"
#include "state/db/key_codec.h"

namespace riskstream {
namespace {

constexpr uint16_t kFormat = 1;

std::string Encode(const CreditAccount& account) {
  std::string out;
  AppendU16(out, kFormat);
  AppendDouble(out, account.limit);
  AppendDouble(out, account.used);
  AppendU16(out, account.frozen ? 1 : 0);
  AppendTimestamp(out, account.approved_at);
  AppendDouble(out, account.withdrawn_since_approval);
  return out;
}

Result<std::optional<CreditAccount>> Decode(const std::optional<std::string>& row,
                                            std::string_view account_id) {
  if (!row) return std::optional<CreditAccount>();
  CreditAccount account;
  size_t pos = 0;
  uint16_t format = 0, frozen = 0;
  if (!ReadU16(*row, pos, format) || format != kFormat || !ReadDouble(*row, pos, account.limit) ||
      !ReadDouble(*row, pos, account.used) || !ReadU16(*row, pos, frozen) ||
      !ReadTimestamp(*row, pos, account.approved_at) ||
      !ReadDouble(*row, pos, account.withdrawn_since_approval) || pos != row->size()) {
    return Status::IoError("corrupt credit state of account '" + std::string(account_id) + "'");
  }
  account.frozen = frozen != 0;
  return std::optional<CreditAccount>(account);
}

// An account in the row cache. Its row key is its cache key without the tag. Made by MakeKeyed
// (keyed_allocation.h): beside the account's windows when they are made in the same event.
class CachedAccount final : public CachedRow {
 public:
  CachedAccount(uint32_t key_size, const CreditAccount& account, bool stored)
      : account_(account), key_size_(key_size), noted_(stored) {}
  static void operator delete(void* object) { ::operator delete(object); }

  std::string_view key() const override { return KeyAfter(this, key_size_); }
  size_t Bytes() const override { return KeyedAllocationBytes(sizeof(*this), key_size_); }
  void Stage(RowWriter& out) const override {
    const std::string_view row_key = key().substr(1);
    if (!noted_) out.MarkPrefixWritten(StateFamily::kCredit, row_key);
    out.Put(StateFamily::kCredit, row_key, Encode(account_));
  }
  void Committed() override { noted_ = true; }

  CreditAccount& account() { return account_; }

 private:
  CreditAccount account_;
  uint32_t key_size_;
  bool noted_;  // its row key was noted as written (RowWriter::MarkPrefixWritten)
};

}  // namespace

CreditStore::CreditStore(StateDb& db, std::string_view name, uint32_t state_partitions)
    : db_(&db),
      fingerprint_(Fingerprint64("credit/" + std::string(name))),
      partitions_(state_partitions) {}

void CreditStore::CacheKey(std::string_view account_id, std::string& out) const {
  out.assign(1, kCacheTag);
  AppendU32(out, KafkaPartitionForKey(account_id, partitions_));
  AppendU64(out, fingerprint_);
  AppendLengthPrefixed(out, account_id);
}

HashedKey CreditStore::HashedCacheKey(std::string_view account_id) {
  if (key_.empty() || key_account_ != account_id) {  // a built key holds its tag at least
    CacheKey(account_id, key_);
    key_hash_ = RowCache::Hash(key_);
    key_account_.assign(account_id);
  }
  return {key_, key_hash_};
}

Result<std::optional<CreditAccount>> CreditStore::Get(std::string_view account_id) {
  if (CachedRow* cached = db_->FindCached(HashedCacheKey(account_id))) {
    CreditAccount account = static_cast<CachedAccount*>(cached)->account();
    db_->ReleaseCached(cached, /*changed=*/false);
    return std::optional<CreditAccount>(account);
  }
  const std::string_view row_key = std::string_view(key_).substr(1);
  // Most accounts a stream sees are new: known unwritten, they cost no read (nor a copy of the
  // key).
  if (!db_->MayHaveRows(StateDb::Family::kCredit, row_key)) return std::optional<CreditAccount>();
  auto row = db_->Get(StateDb::Family::kCredit, std::string(row_key));
  if (!row.ok()) return row.status();
  auto account = Decode(*row, account_id);
  if (account.ok() && account->has_value()) {
    CachedRow* cached = db_->AddCached(MakeKeyed<CachedAccount>(key_, **account, true));
    db_->ReleaseCached(cached, /*changed=*/false);
  }
  return account;
}

void CreditStore::Put(std::string_view account_id, const CreditAccount& account) {
  CachedRow* cached = db_->FindCached(HashedCacheKey(account_id));
  if (cached != nullptr) {
    static_cast<CachedAccount*>(cached)->account() = account;
  } else {
    cached = db_->AddCached(MakeKeyed<CachedAccount>(key_, account, false));
  }
  db_->ReleaseCached(cached, /*changed=*/true);
}

Result<std::optional<CreditAccount>> CreditStore::GetCommitted(std::string_view account_id) const {
  std::string key;
  CacheKey(account_id, key);
  auto row = db_->GetCommitted(StateDb::Family::kCredit, key.substr(1));
  if (!row.ok()) return row.status();
  return Decode(*row, account_id);
}

}  // namespace riskstream
