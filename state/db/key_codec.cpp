#include "state/db/key_codec.h"

#include <rocksdb/slice_transform.h>

#include <bit>
#include <cstring>

namespace riskstream {

namespace {

// Appends `value` big-endian: its bytes in one append (a push_back per byte checks the room each
// time, and these run several times per event).
template <typename Unsigned>
void AppendBigEndian(std::string& out, Unsigned value) {
  char bytes[sizeof(Unsigned)];
  for (size_t i = 0; i < sizeof(Unsigned); ++i) {
    bytes[i] = static_cast<char>(value >> (8 * (sizeof(Unsigned) - 1 - i)));
  }
  out.append(bytes, sizeof(bytes));
}

}  // namespace

void AppendU16(std::string& out, uint16_t value) { AppendBigEndian(out, value); }

void AppendU32(std::string& out, uint32_t value) { AppendBigEndian(out, value); }

void AppendU64(std::string& out, uint64_t value) { AppendBigEndian(out, value); }

void AppendTimestamp(std::string& out, TimestampMs ts) {
  AppendU64(out, static_cast<uint64_t>(ts) ^ (uint64_t{1} << 63));
}

void AppendLengthPrefixed(std::string& out, std::string_view bytes) {
  if (bytes.size() > 0xffff) bytes = bytes.substr(0, 0xffff);
  AppendU16(out, static_cast<uint16_t>(bytes.size()));
  out.append(bytes);
}

void AppendDouble(std::string& out, double value) {
  AppendU64(out, std::bit_cast<uint64_t>(value));
}

bool ReadU16(std::string_view in, size_t& pos, uint16_t& out) {
  if (pos + 2 > in.size()) return false;
  out = static_cast<uint16_t>((static_cast<uint8_t>(in[pos]) << 8) |
                              static_cast<uint8_t>(in[pos + 1]));
  pos += 2;
  return true;
}

bool ReadU32(std::string_view in, size_t& pos, uint32_t& out) {
  if (pos + 4 > in.size()) return false;
  out = 0;
  for (int i = 0; i < 4; ++i) out = (out << 8) | static_cast<uint8_t>(in[pos++]);
  return true;
}

bool ReadU64(std::string_view in, size_t& pos, uint64_t& out) {
  if (pos + 8 > in.size()) return false;
  out = 0;
  for (int i = 0; i < 8; ++i) out = (out << 8) | static_cast<uint8_t>(in[pos + i]);
  pos += 8;
  return true;
}

bool ReadTimestamp(std::string_view in, size_t& pos, TimestampMs& out) {
  uint64_t raw;
  if (!ReadU64(in, pos, raw)) return false;
  out = static_cast<TimestampMs>(raw ^ (uint64_t{1} << 63));
  return true;
}

bool ReadDouble(std::string_view in, size_t& pos, double& out) {
  uint64_t raw;
  if (!ReadU64(in, pos, raw)) return false;
  out = std::bit_cast<double>(raw);
  return true;
}

bool ReadLengthPrefixed(std::string_view in, size_t& pos, std::string_view& out) {
  uint16_t len;
  if (!ReadU16(in, pos, len) || pos + len > in.size()) return false;
  out = in.substr(pos, len);
  pos += len;
  return true;
}

size_t EntityPrefixLength(std::string_view key) {
  constexpr size_t kFixed = 4 + 8;
  size_t pos = kFixed;
  std::string_view entity;
  if (key.size() < kFixed || !ReadLengthPrefixed(key, pos, entity)) return 0;
  return pos;
}

namespace {

class EntityPrefixTransform : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "riskstream.EntityPrefix.v1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), EntityPrefixLength(std::string_view(key.data(), key.size())));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return EntityPrefixLength(std::string_view(key.data(), key.size())) > 0;
  }
};

}  // namespace

const rocksdb::SliceTransform* NewEntityPrefixTransform() { return new EntityPrefixTransform(); }

uint64_t Fingerprint64(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

uint32_t KafkaPartitionForKey(std::string_view key, uint32_t partitions) {
  // Murmur2 as in the Java client's Utils.murmur2 (seed 0x9747b28c).
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  const size_t length = key.size();
  uint32_t h = 0x9747b28c ^ static_cast<uint32_t>(length);
  const auto* data = reinterpret_cast<const uint8_t*>(key.data());
  size_t i = 0;
  for (; i + 4 <= length; i += 4) {
    uint32_t k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) |
                 (static_cast<uint32_t>(data[i + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (length - i) {
    case 3:
      h ^= static_cast<uint32_t>(data[i + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(data[i + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= data[i];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return (h & 0x7fffffff) % (partitions == 0 ? 1 : partitions);
}

}  // namespace riskstream
