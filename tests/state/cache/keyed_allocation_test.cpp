#include "state/cache/keyed_allocation.h"

#include <gtest/gtest.h>

#include <string>

namespace riskstream {
namespace {

struct Keyed {
  Keyed(uint32_t size, int number) : key_size(size), value(number) {}
  static void operator delete(void* object) { ::operator delete(object); }
  std::string_view key() const { return KeyAfter(this, key_size); }
  uint32_t key_size;
  int value;
};

TEST(KeyedAllocation, KeepsTheKeyRightAfterTheObjectAtAnyLength) {
  for (size_t length : {0u, 1u, 150u, 160u, 5000u}) {
    const std::string key(length, 'k');
    auto object = MakeKeyed<Keyed>(key, 7);
    EXPECT_EQ(object->key(), key);
    EXPECT_EQ(object->value, 7);
    EXPECT_EQ(reinterpret_cast<const char*>(object->key().data()),
              reinterpret_cast<const char*>(object.get() + 1));
  }
}

TEST(KeyedAllocation, SmallObjectsTakeOneSlotSizeSoThatTheyLieSideBySide) {
  EXPECT_EQ(KeyedAllocationBytes(sizeof(Keyed), 0), kCachedSlotBytes);
  EXPECT_EQ(KeyedAllocationBytes(100, kCachedSlotBytes - 100), kCachedSlotBytes);
  // Larger objects take what they need.
  EXPECT_EQ(KeyedAllocationBytes(100, kCachedSlotBytes - 99), kCachedSlotBytes + 1);
}

}  // namespace
}  // namespace riskstream
