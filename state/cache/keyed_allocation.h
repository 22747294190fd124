// state/cache/keyed_allocation.h
//
// One allocation for a cached object and its key: the key's bytes follow the object, so that a
// row cache lookup compares the key where it reads the object next. Such an allocation is at
// least kCachedSlotBytes, a window's size (WindowState): the allocator hands out equal sizes side
// by side from one run of slots, so the objects of an entity made in one event (its entity object,
// its windows, its credit account) share a memory page instead of one page each. A class made by
// MakeKeyed declares `static void operator delete(void* p) { ::operator delete(p); }`, because its
// allocation is not sizeof the class, and is constructed from its key's size (uint32_t) first, to
// keep and read its key back with KeyAfter.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <utility>

namespace riskstream {

inline constexpr size_t kCachedSlotBytes = 176;

// The bytes allocated for an object of `object_bytes` with a key of `key_size` bytes.
inline size_t KeyedAllocationBytes(size_t object_bytes, size_t key_size) {
  return std::max(object_bytes + key_size, kCachedSlotBytes);
}

// A T made from `key`'s size and `args`, with `key`'s bytes right after it.
template <typename T, typename... Args>
std::unique_ptr<T> MakeKeyed(std::string_view key, Args&&... args) {
  void* memory = ::operator new(KeyedAllocationBytes(sizeof(T), key.size()));
  std::memcpy(static_cast<char*>(memory) + sizeof(T), key.data(), key.size());
  return std::unique_ptr<T>(new (memory)
                                T(static_cast<uint32_t>(key.size()), std::forward<Args>(args)...));
}

// The key of `object`, made by MakeKeyed with a key of `key_size` bytes.
template <typename T>
std::string_view KeyAfter(const T* object, uint32_t key_size) {
  return {reinterpret_cast<const char*>(object + 1), key_size};
}

}  // namespace riskstream
