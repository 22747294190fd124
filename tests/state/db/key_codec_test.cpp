#include "state/db/key_codec.h"

#include <gtest/gtest.h>

namespace riskstream {
namespace {

TEST(KeyCodec, TimestampBytesSortLikeNumbers) {
  std::vector<TimestampMs> values = {-5000, -1, 0, 1, 1795760443125, INT64_MAX - 1};
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    std::string a, b;
    AppendTimestamp(a, values[i]);
    AppendTimestamp(b, values[i + 1]);
    EXPECT_LT(a, b) << values[i] << " vs " << values[i + 1];
    size_t pos = 0;
    TimestampMs back;
    ASSERT_TRUE(ReadTimestamp(a, pos, back));
    EXPECT_EQ(back, values[i]);
  }
}

TEST(KeyCodec, IntegersAreAppendedBigEndianAfterWhatIsThereAndReadBack) {
  std::string out = "x";
  AppendU16(out, 0x0102);
  AppendU32(out, 0x03040506);
  AppendU64(out, 0x0708090a0b0c0dfe);
  EXPECT_EQ(out, std::string("x\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\xfe", 15));
  size_t pos = 1;
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;
  ASSERT_TRUE(ReadU16(out, pos, u16));
  ASSERT_TRUE(ReadU32(out, pos, u32));
  ASSERT_TRUE(ReadU64(out, pos, u64));
  EXPECT_EQ(u16, 0x0102);
  EXPECT_EQ(u32, 0x03040506u);
  EXPECT_EQ(u64, 0x0708090a0b0c0dfeu);
  EXPECT_EQ(pos, out.size());
  EXPECT_FALSE(ReadU16(out, pos, u16));  // nothing left
}

TEST(KeyCodec, LengthPrefixKeepsEntitiesApart) {
  std::string a, b;
  AppendLengthPrefixed(a, "ab");
  AppendLengthPrefixed(b, "abc");
  EXPECT_FALSE(b.starts_with(a));
  size_t pos = 0;
  std::string_view out;
  ASSERT_TRUE(ReadLengthPrefixed(b, pos, out));
  EXPECT_EQ(out, "abc");
  pos = 0;
  EXPECT_FALSE(ReadLengthPrefixed(std::string_view(b).substr(0, 3), pos, out));
}

TEST(KeyCodec, PartitionerMatchesKafkaDefault) {
  // murmur2 values from the Java client's own tests; with 2^31-1 partitions the partition is
  // toPositive(murmur2(key)) itself.
  const std::pair<const char*, int32_t> known[] = {{"21", -973932308},
                                                   {"foobar", -790332482},
                                                   {"a-little-bit-long-string", -985981536},
                                                   {"a-little-bit-longer-string", -1486304829},
                                                   {"abc", 479470107}};
  for (const auto& [key, murmur] : known) {
    EXPECT_EQ(KafkaPartitionForKey(key, 0x7fffffff), static_cast<uint32_t>(murmur) & 0x7fffffff)
        << key;
  }
  EXPECT_EQ(KafkaPartitionForKey("", 7), KafkaPartitionForKey("", 7));
  for (uint32_t n : {1u, 3u, 6u, 12u}) EXPECT_LT(KafkaPartitionForKey("device-1", n), n);
}

TEST(KeyCodec, FingerprintIsStable) {
  EXPECT_EQ(Fingerprint64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fingerprint64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_NE(Fingerprint64("count over 1h"), Fingerprint64("count over 2h"));
}

}  // namespace
}  // namespace riskstream
