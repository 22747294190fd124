// bench/machine_reference.h
//
// MachineReference measures the machine a benchmark ran on, with fixed work that shares nothing
// with riskstream: how fast fresh memory is first written, how long a read that depends on the
// read before it takes among 1 GiB (the replay's deciding thread is bound by such reads among
// gigabytes) and among 4 MiB (what the processor's caches hold), how many reads that do not wait
// for each other one core completes among 1 GiB (misses that overlap, as prefetched ones do), and
// how long a fixed integer loop takes on one core; and, over a run, the CPU time
// the hypervisor gave to other guests (steal). The virtual machines these benchmarks run on change
// speed by more than 1.4 x from hour to hour; printed beside each figure, these show whether a
// run was slow because of the code or because of the machine.
#pragma once

#include <string>

namespace riskstream::bench {

struct MachineReference {
  double first_touch_gb_per_s = 0;  // fresh anonymous memory, written one page at a time
  double dependent_read_ns = 0;     // one 64-byte line chosen at random among 1 GiB
  double cached_read_ns = 0;        // the same among 4 MiB
  double independent_read_ns = 0;   // per line, random lines among 1 GiB read without waiting
  double integer_loop_ns = 0;       // one step of a multiply-xorshift chain
};

// Takes about 5 s on these machines (most of it the first touch of 1 GiB), and gives all the
// memory it used back before returning.
MachineReference MeasureMachine();

// One line: "machine: first touch 0.38 GB/s, dependent read among 1 GiB 220 ns (4 MiB 12 ns),
// independent read 20 ns, integer step 1.40 ns".
std::string Describe(const MachineReference& machine);

// CPU seconds stolen from this machine's processors by the hypervisor since boot (all cores, from
// /proc/stat); 0 where the kernel does not say.
double StolenCpuSeconds();

}  // namespace riskstream::bench
