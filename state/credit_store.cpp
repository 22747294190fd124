#include "state/credit_store.h"

#include "state/key_codec.h"

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

}  // namespace

CreditStore::CreditStore(StateDb& db, std::string_view name, uint32_t state_partitions)
    : db_(&db),
      fingerprint_(Fingerprint64("credit/" + std::string(name))),
      partitions_(state_partitions) {}

std::string CreditStore::Key(std::string_view account_id) const {
  std::string key;
  AppendU32(key, KafkaPartitionForKey(account_id, partitions_));
  AppendU64(key, fingerprint_);
  AppendLengthPrefixed(key, account_id);
  return key;
}

Result<std::optional<CreditAccount>> CreditStore::Get(std::string_view account_id) {
  const std::string key = Key(account_id);
  // Most accounts a stream sees are new: known unwritten, they cost no read.
  if (!db_->MayHaveRows(StateDb::Family::kCredit, key)) return std::optional<CreditAccount>();
  auto row = db_->Get(StateDb::Family::kCredit, key);
  if (!row.ok()) return row.status();
  return Decode(*row, account_id);
}

void CreditStore::Put(std::string_view account_id, const CreditAccount& account) {
  db_->Put(StateDb::Family::kCredit, Key(account_id), Encode(account));
}

Result<std::optional<CreditAccount>> CreditStore::GetCommitted(std::string_view account_id) const {
  auto row = db_->GetCommitted(StateDb::Family::kCredit, Key(account_id));
  if (!row.ok()) return row.status();
  return Decode(*row, account_id);
}

}  // namespace riskstream
