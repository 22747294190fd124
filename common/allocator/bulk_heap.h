// common/allocator/bulk_heap.h
//
// UseBulkHeap() prepares the heap of a program that allocates through tcmalloc (the
// riskstream_allocator target) for bulk work over a large in-memory state (replay, backtest): a
// 10M-event replay grows the heap to about 7 GB, and the first touch of each fresh page (a fault,
// on a virtual machine also a trap to the host, and the clearing of the page) had cost the deciding
// thread about a sixth of its time. It installs a tcmalloc system allocator that
//   - takes the heap in whole, aligned 2 MiB runs marked MADV_HUGEPAGE, so with the kernel's THP
//     mode "madvise" (a common default) the heap gets transparent huge pages: fewer faults, and
//     fewer TLB misses for the hash tables' random probes;
//   - carves the runs in order from large reserved regions, and has a thread of its own fault in
//     (MADV_POPULATE_WRITE, Linux 5.14) the next 128 MiB of the region ahead of use, so pages are
//     cleared on another core than the one allocating. At most that much more memory is resident.
// Not for the live service: a huge page fault may stall on memory compaction, and a small process
// touches whole 2 MiB pages sparsely (operators_bench's feature engine ran about 20 % slower with
// huge pages). Everything is advice: where the kernel gives no huge pages (THP "never", fragmented
// memory) the heap works with small pages, and where it cannot populate, the allocating threads
// fault pages in themselves. Returns false (and does nothing) without tcmalloc. Idempotent.
#pragma once

namespace riskstream {

bool UseBulkHeap();

}  // namespace riskstream
