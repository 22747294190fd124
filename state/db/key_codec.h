// state/db/key_codec.h
//
// Byte encodings for RocksDB keys. Fixed-width integers are big-endian and timestamps have their
// sign bit flipped, so that RocksDB's bytewise order equals numeric order. Variable-length parts
// (entity keys) are length-prefixed, so no separator byte can collide with key content and one
// entity's keys are never a prefix of another's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/time.h"

namespace rocksdb {
class SliceTransform;
}

namespace riskstream {

void AppendU16(std::string& out, uint16_t value);
void AppendU32(std::string& out, uint32_t value);
void AppendU64(std::string& out, uint64_t value);
void AppendTimestamp(std::string& out, TimestampMs ts);
// Appends a u16 length then the bytes; `bytes` longer than 65535 is truncated (callers bound it).
void AppendLengthPrefixed(std::string& out, std::string_view bytes);
void AppendDouble(std::string& out, double value);

// Readers take the bytes at `pos` and advance it; they return false when too few bytes remain.
bool ReadU16(std::string_view in, size_t& pos, uint16_t& out);
bool ReadU32(std::string_view in, size_t& pos, uint32_t& out);
bool ReadU64(std::string_view in, size_t& pos, uint64_t& out);
bool ReadTimestamp(std::string_view in, size_t& pos, TimestampMs& out);
bool ReadDouble(std::string_view in, size_t& pos, double& out);
bool ReadLengthPrefixed(std::string_view in, size_t& pos, std::string_view& out);

// The length of the entity prefix `partition(u32) | store(u64) | length-prefixed entity` that
// starts `key`, or 0 when `key` does not start with a whole one.
size_t EntityPrefixLength(std::string_view key);
// RocksDB's prefix extractor for keys that start with an entity prefix (the windows family): lets
// bloom filters skip files and memtables without the entity when iterating within one entity.
const rocksdb::SliceTransform* NewEntityPrefixTransform();

// 64-bit FNV-1a: a stable fingerprint (identical across runs, builds and machines).
uint64_t Fingerprint64(std::string_view bytes);

// Kafka's default partitioner (murmur2 of the key, positive, modulo `partitions`), so that state
// partitions line up with topics keyed by the same entity.
uint32_t KafkaPartitionForKey(std::string_view key, uint32_t partitions);

}  // namespace riskstream
