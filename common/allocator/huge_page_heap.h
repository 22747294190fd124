// common/allocator/huge_page_heap.h
//
// AskForHugePages() makes the heap of a program that allocates through tcmalloc (the
// riskstream_allocator target) ask for transparent huge pages from then on. For bulk work over a
// large in-memory state (replay, backtest): a 10M-event replay grows the heap to about 8 GB, and
// with 4 KiB pages each first touch of a page is a fault (on a virtual machine also a trap to the
// host) while the hash tables' random probes miss the TLB. With the kernel's THP mode "madvise" (a
// common default) nothing gets huge pages unless asked for: this installs a tcmalloc system
// allocator that takes the heap in whole, aligned 2 MiB runs and marks them MADV_HUGEPAGE. Not for
// the live service: a huge page fault may stall on memory compaction, and a small process touches
// whole 2 MiB pages sparsely (operators_bench's feature engine ran about 20 % slower with it). The
// advice is only advice: where the kernel gives no huge pages (THP "never", fragmented memory),
// the heap works with small pages. Returns false (and does nothing) without tcmalloc. Idempotent.
#pragma once

namespace riskstream {

bool AskForHugePages();

}  // namespace riskstream
