// state/db/sorted_rows.h
//
// SortedRows collects row changes (puts and deletes, with copies of their bytes) and hands them on
// in (family, key) order. RocksDB's memtable inserts a batch's rows with a hint kept from the row
// before, so a batch in key order costs a short search per row instead of a full skip-list descent
// per row: commits of many changed entities get much cheaper. Changes of one key keep their order
// (the later one wins, as in a batch). Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "state/cache/row_cache.h"

namespace riskstream {

class SortedRows final : public RowWriter {
 public:
  void Put(StateFamily family, std::string_view key, std::string_view value) override;
  void Delete(StateFamily family, std::string_view key) override;
  void MarkPrefixWritten(StateFamily family, std::string_view prefix) override;

  // Writes every collected change into `out`, in (family, key) order, after the noted prefixes.
  void WriteTo(RowWriter& out);
  size_t size() const { return rows_.size(); }

 private:
  struct Row {
    StateFamily family;
    bool is_delete;
    uint32_t chunk;  // which of chunks_ holds its bytes: key, then value
    size_t offset;
    uint32_t key_size, value_size;
  };
  void Add(StateFamily family, bool is_delete, std::string_view key, std::string_view value);
  std::string_view Key(const Row& row) const;
  std::string_view Value(const Row& row) const;

  // Bytes in chunks that never reallocate once full, so views into them stay valid.
  std::vector<std::string> chunks_;
  std::vector<Row> rows_;
  std::vector<std::pair<StateFamily, std::string>> notes_;
};

}  // namespace riskstream
