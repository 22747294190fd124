// common/allocator/huge_page_heap.cpp
//
// Asks for transparent huge pages under tcmalloc's heap. Compiled into the programs that allocate
// through tcmalloc (the riskstream_allocator target), never into a library.
//
// A replay keeps millions of entities in memory: a 10M-event day grows the heap to about 8 GB.
// With 4 KiB pages each first touch of a page is a fault (on a virtual machine also a trap to the
// host), and the hash tables' random probes miss the TLB. With the kernel's THP mode "madvise" (a
// common default) nothing gets huge pages unless asked for; this installs, before main() runs, a
// tcmalloc system allocator that takes the heap in whole, aligned 2 MiB runs and marks them
// MADV_HUGEPAGE. The advice is only advice: where the kernel cannot give huge pages (THP "never",
// fragmented memory), the heap works with small pages as before. docs/BENCHMARKS.md has the
// measured effect.
#include <gperftools/malloc_extension.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>

namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;

class HugePageSysAllocator final : public SysAllocator {
 public:
  explicit HugePageSysAllocator(SysAllocator* next) : next_(next) {}

  void* Alloc(size_t size, size_t* actual_size, size_t alignment) override {
    const size_t whole = (size + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
    void* run = next_->Alloc(whole, actual_size, std::max(alignment, kHugePageBytes));
    if (run == nullptr) return next_->Alloc(size, actual_size, alignment);
    static_cast<void>(madvise(run, *actual_size, MADV_HUGEPAGE));  // advice; may be refused
    return run;
  }

 private:
  SysAllocator* next_;
};

const bool kInstalled = [] {
  MallocExtension* extension = MallocExtension::instance();
  SysAllocator* next = extension->GetSystemAllocator();
  if (next == nullptr) return false;  // not tcmalloc
  static HugePageSysAllocator allocator(next);
  extension->SetSystemAllocator(&allocator);
  return true;
}();

}  // namespace
