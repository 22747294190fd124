#include "common/allocator/huge_page_heap.h"

#if RISKSTREAM_TCMALLOC
#include <gperftools/malloc_extension.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>

namespace riskstream {
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

}  // namespace

bool AskForHugePages() {
  static const bool installed = [] {
    MallocExtension* extension = MallocExtension::instance();
    SysAllocator* next = extension->GetSystemAllocator();
    if (next == nullptr) return false;  // not tcmalloc
    static HugePageSysAllocator allocator(next);
    extension->SetSystemAllocator(&allocator);
    return true;
  }();
  return installed;
}

}  // namespace riskstream
#else
namespace riskstream {

bool AskForHugePages() { return false; }

}  // namespace riskstream
#endif
