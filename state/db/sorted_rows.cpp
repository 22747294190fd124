#include "state/db/sorted_rows.h"

#include <algorithm>

namespace riskstream {
namespace {

constexpr size_t kChunkBytes = size_t{1} << 20;

}  // namespace

void SortedRows::Put(StateFamily family, std::string_view key, std::string_view value) {
  Add(family, false, key, value);
}

void SortedRows::Delete(StateFamily family, std::string_view key) { Add(family, true, key, {}); }

void SortedRows::MarkPrefixWritten(StateFamily family, std::string_view prefix) {
  notes_.emplace_back(family, prefix);
}

void SortedRows::Add(StateFamily family, bool is_delete, std::string_view key,
                     std::string_view value) {
  const size_t bytes = key.size() + value.size();
  if (chunks_.empty() || chunks_.back().size() + bytes > chunks_.back().capacity()) {
    chunks_.emplace_back().reserve(std::max(kChunkBytes, bytes));
  }
  std::string& chunk = chunks_.back();
  rows_.push_back(Row{family, is_delete, static_cast<uint32_t>(chunks_.size() - 1), chunk.size(),
                      static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size())});
  chunk.append(key);
  chunk.append(value);
}

std::string_view SortedRows::Key(const Row& row) const {
  return std::string_view(chunks_[row.chunk]).substr(row.offset, row.key_size);
}

std::string_view SortedRows::Value(const Row& row) const {
  return std::string_view(chunks_[row.chunk]).substr(row.offset + row.key_size, row.value_size);
}

void SortedRows::WriteTo(RowWriter& out) {
  for (const auto& [family, prefix] : notes_) out.MarkPrefixWritten(family, prefix);
  std::stable_sort(rows_.begin(), rows_.end(), [this](const Row& a, const Row& b) {
    if (a.family != b.family) return a.family < b.family;
    return Key(a) < Key(b);
  });
  for (const Row& row : rows_) {
    if (row.is_delete) {
      out.Delete(row.family, Key(row));
    } else {
      out.Put(row.family, Key(row), Value(row));
    }
  }
}

}  // namespace riskstream
