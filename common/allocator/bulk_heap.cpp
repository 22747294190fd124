#include "common/allocator/bulk_heap.h"

#if RISKSTREAM_TCMALLOC
#include <gperftools/malloc_extension.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

namespace riskstream {
namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;
// The heap's runs come from regions of this much address space, reserved (not committed) at once.
constexpr size_t kRegionBytes = size_t{1} << 30;
// How far ahead of the runs handed out the prefaulting thread keeps memory faulted in, and how much
// it faults in per call.
constexpr size_t kAheadBytes = size_t{128} << 20;
constexpr size_t kStepBytes = size_t{8} << 20;

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) & ~(to - 1); }

// Runs for tcmalloc's page heap: whole, aligned 2 MiB runs marked MADV_HUGEPAGE, carved in order
// from a region whose next pages a thread of its own faults in ahead of use (MADV_POPULATE_WRITE),
// so the clearing of fresh pages is done on another core than the one allocating. Alloc() is
// called under tcmalloc's lock and must not allocate; it never waits for the thread.
class BulkSysAllocator final : public SysAllocator {
 public:
  explicit BulkSysAllocator(SysAllocator* next) : next_(next) {}

  void StartPrefaulting() {
    prefaulting_ = true;
    std::thread([this] { Prefault(); }).detach();  // lives as long as the process
  }

  void* Alloc(size_t size, size_t* actual_size, size_t alignment) override {
    const size_t whole = RoundUp(size, kHugePageBytes);
    if (alignment <= kHugePageBytes && whole <= kRegionBytes / 8) {
      if (void* run = Carve(whole)) {
        *actual_size = whole;
        return run;
      }
    }
    void* run = next_->Alloc(whole, actual_size, std::max(alignment, kHugePageBytes));
    if (run == nullptr) return next_->Alloc(size, actual_size, alignment);
    static_cast<void>(madvise(run, *actual_size, MADV_HUGEPAGE));  // advice; may be refused
    return run;
  }

 private:
  // The next `bytes` of the current region (a new region when it is used up); nullptr when no
  // address space could be reserved.
  void* Carve(size_t bytes) {
    std::unique_lock lock(mutex_);
    if (base_ == nullptr || used_ + bytes > kRegionBytes) {
      void* region = mmap(nullptr, kRegionBytes + kHugePageBytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (region == MAP_FAILED) return nullptr;
      auto* aligned =
          reinterpret_cast<char*>(RoundUp(reinterpret_cast<uintptr_t>(region), kHugePageBytes));
      static_cast<void>(madvise(aligned, kRegionBytes, MADV_HUGEPAGE));
      base_ = aligned;
      used_ = 0;
      faulted_ = 0;
    }
    char* run = base_ + used_;
    used_ += bytes;
    if (prefaulting_ && faulted_ < used_ + kAheadBytes / 2) wake_.notify_one();
    return run;
  }

  void Prefault() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait_for(lock, std::chrono::milliseconds(50));
      while (base_ != nullptr) {
        char* region = base_;
        size_t from = std::max(faulted_, used_);
        size_t to = std::min({from + kStepBytes, used_ + kAheadBytes, kRegionBytes});
        if (from >= to) break;
        lock.unlock();
        int rc = madvise(region + from, to - from, MADV_POPULATE_WRITE);
        lock.lock();
        if (rc != 0) return;  // not supported here: the allocating threads fault pages in
        if (region == base_) faulted_ = std::max(faulted_, to);
      }
    }
  }

  SysAllocator* next_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool prefaulting_ = false;
  char* base_ = nullptr;  // the current region
  size_t used_ = 0;       // bytes of it handed out
  size_t faulted_ = 0;    // bytes of it faulted in by the prefaulting thread
};

}  // namespace

bool UseBulkHeap() {
  static const bool installed = [] {
    MallocExtension* extension = MallocExtension::instance();
    SysAllocator* next = extension->GetSystemAllocator();
    if (next == nullptr) return false;  // not tcmalloc
    static BulkSysAllocator allocator(next);
    extension->SetSystemAllocator(&allocator);
    allocator.StartPrefaulting();
    return true;
  }();
  return installed;
}

}  // namespace riskstream
#else
namespace riskstream {

bool UseBulkHeap() { return false; }

}  // namespace riskstream
#endif
