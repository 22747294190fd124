// bench/machine_reference.h
//
// MachineReference measures the machine a benchmark ran on, with fixed work that shares nothing
// with riskstream: how fast fresh memory is first written, how long a read that depends on the
// read before it takes among 256 MiB (the replay's deciding thread is bound by such reads), and
// how long a fixed integer loop takes on one core. The virtual machines these benchmarks run on
// change speed by more than 1.4 x from hour to hour; printed beside each figure, these show
// whether a run was slow because of the code or because of the machine.
#pragma once

#include <string>

namespace riskstream::bench {

struct MachineReference {
  double first_touch_gb_per_s = 0;  // fresh anonymous memory, written one page at a time
  double dependent_read_ns = 0;     // one 64-byte line chosen at random among 256 MiB
  double integer_loop_ns = 0;       // one step of a multiply-xorshift chain
};

// Takes about 1.5 s on these machines, and all the memory it used back before returning.
MachineReference MeasureMachine();

// One line: "machine: first touch 0.38 GB/s, dependent read 190 ns, integer step 1.10 ns".
std::string Describe(const MachineReference& machine);

}  // namespace riskstream::bench
