#include "common/allocator/bulk_heap.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace riskstream {
namespace {

// This binary links the riskstream_allocator target, so it allocates through tcmalloc when the
// build does (RISKSTREAM_TCMALLOC).
bool BuiltWithTcmalloc() { return RISKSTREAM_TCMALLOC != 0; }

// Share of the pages of [p, p + bytes) that are resident, by mincore.
double ResidentShare(const void* p, size_t bytes) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  auto first = reinterpret_cast<uintptr_t>(p) & ~(page - 1);
  auto last = reinterpret_cast<uintptr_t>(p) + bytes;
  std::vector<unsigned char> resident((last - first + page - 1) / page);
  if (mincore(reinterpret_cast<void*>(first), last - first, resident.data()) != 0) return -1;
  size_t in = 0;
  for (unsigned char r : resident) in += r & 1;
  return static_cast<double>(in) / static_cast<double>(resident.size());
}

bool KernelCanPopulate() {
  const size_t bytes = 1 << 20;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  const bool ok = madvise(p, bytes, MADV_POPULATE_WRITE) == 0;
  munmap(p, bytes);
  return ok;
}

TEST(BulkHeapTest, IsUsedWithTcmallocOnlyAndOnce) {
  EXPECT_EQ(UseBulkHeap(), BuiltWithTcmalloc());
  EXPECT_EQ(UseBulkHeap(), BuiltWithTcmalloc());
}

// Fresh heap memory is resident before it is touched: the prefaulting thread faulted it in.
// Without the bulk heap a fresh mapping is not resident until written.
TEST(BulkHeapTest, FreshMemoryIsFaultedInAheadOfUse) {
  if (!BuiltWithTcmalloc()) GTEST_SKIP() << "built without tcmalloc";
  if (!KernelCanPopulate()) GTEST_SKIP() << "the kernel has no MADV_POPULATE_WRITE";
  UseBulkHeap();
  constexpr size_t kBlock = size_t{16} << 20;
  std::vector<std::unique_ptr<char[]>> blocks;
  int resident_late_blocks = 0;
  // More than earlier tests left free in tcmalloc (resident since they touched it); new char[]
  // leaves the memory untouched, so only the prefaulting can make the last blocks resident. The
  // pace (160 MiB/s) leaves the prefaulting thread room on a busy machine, where clearing fresh
  // memory may run at only about 330 MiB/s; a block it fell behind on is faulted in by its user.
  for (int i = 0; i < 40; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    blocks.emplace_back(new char[kBlock]);
    if (i >= 30 && ResidentShare(blocks.back().get(), kBlock) > 0.9) ++resident_late_blocks;
  }
  EXPECT_GE(resident_late_blocks, 7) << "of the last 10 blocks";
}

// Memory handed out while the heap grows and its regions are faulted in ahead from another thread
// keeps what each thread writes: blocks of many sizes (small ones in tcmalloc's spans, large ones
// past a region's share that come from the fallback allocator), filled and checked by four threads
// at once, freed in part and allocated again.
TEST(BulkHeapTest, MemoryKeepsWhatEachThreadWrites) {
  UseBulkHeap();
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<int> bad(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &bad] {
      struct Block {
        std::unique_ptr<unsigned char[]> data;
        size_t size;
        unsigned char fill;
      };
      std::vector<Block> blocks;
      const size_t sizes[] = {24, 200, 4000, 70000, size_t{1} << 20, size_t{5} << 20};
      for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 120; ++i) {
          size_t size = sizes[i % 6] + static_cast<size_t>(i);
          auto fill = static_cast<unsigned char>(t * 61 + i * 7 + round);
          Block b{std::make_unique<unsigned char[]>(size), size, fill};
          std::memset(b.data.get(), fill, size);
          blocks.push_back(std::move(b));
        }
        if (t == 0 && round == 0) {  // past the share of a region: the fallback's runs
          Block big{std::make_unique<unsigned char[]>(size_t{300} << 20), size_t{300} << 20, 0x5a};
          std::memset(big.data.get(), big.fill, big.size);
          blocks.push_back(std::move(big));
        }
        for (const Block& b : blocks) {
          for (size_t k = 0; k < b.size; k += 997) bad[t] += b.data[k] != b.fill;
          bad[t] += b.data[b.size - 1] != b.fill;
        }
        blocks.erase(blocks.begin(), blocks.begin() + static_cast<long>(blocks.size() / 2));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(bad[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace riskstream
