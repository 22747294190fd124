// bench/machine_reference.cpp
#include "bench/machine_reference.h"

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

namespace riskstream::bench {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

constexpr size_t kBufferBytes = size_t{1} << 30;
constexpr size_t kCachedBytes = size_t{4} << 20;
constexpr size_t kDependentReads = 4'000'000;
constexpr size_t kLineBytes = 64;
constexpr size_t kPageBytes = 4096;

// A volatile sink, so that the compiler keeps the loops whose results nothing else reads.
volatile uint64_t sink = 0;

}  // namespace

MachineReference MeasureMachine() {
  MachineReference machine;
  void* mapped =
      mmap(nullptr, kBufferBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) return machine;
  madvise(mapped, kBufferBytes, MADV_HUGEPAGE);  // as the replay's heap asks
  auto* bytes = static_cast<char*>(mapped);

  auto started = Clock::now();
  for (size_t i = 0; i < kBufferBytes; i += kPageBytes) bytes[i] = 1;
  machine.first_touch_gb_per_s = static_cast<double>(kBufferBytes) / 1e9 / SecondsSince(started);

  auto line = [&](size_t i) { return reinterpret_cast<uint64_t*>(bytes + i * kLineBytes); };
  std::mt19937_64 random(7);
  // One cycle through the first `span` bytes' lines in a random order (Sattolo's shuffle): each
  // line holds the index of the next, so each read waits for the one before it. Nanoseconds per
  // read.
  auto dependent_reads = [&](size_t span) {
    const size_t lines = span / kLineBytes;
    std::vector<uint32_t> order(lines);
    std::iota(order.begin(), order.end(), 0);
    for (size_t i = lines - 1; i > 0; --i) {
      std::swap(order[i], order[std::uniform_int_distribution<size_t>(0, i - 1)(random)]);
    }
    for (size_t i = 0; i < lines; ++i) *line(order[i]) = order[(i + 1) % lines];
    std::vector<uint32_t>().swap(order);
    uint64_t at = 0;
    if (lines < kDependentReads) {  // a span the caches may hold: one pass first brings it in
      for (size_t i = 0; i < lines; ++i) at = *line(at);
    }
    const auto start = Clock::now();
    for (size_t i = 0; i < kDependentReads; ++i) at = *line(at);
    sink = at;
    return SecondsSince(start) * 1e9 / static_cast<double>(kDependentReads);
  };
  machine.dependent_read_ns = dependent_reads(kBufferBytes);
  // Reads whose addresses do not depend on what was read (a generator's, not the line's): as many
  // are in flight as the core allows.
  {
    const uint64_t lines = kBufferBytes / kLineBytes;
    uint64_t state = 1, sum = 0;
    const auto start = Clock::now();
    for (size_t i = 0; i < kDependentReads; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      sum += *line((state >> 20) % lines);
    }
    sink = sum;
    machine.independent_read_ns = SecondsSince(start) * 1e9 / static_cast<double>(kDependentReads);
  }
  machine.cached_read_ns = dependent_reads(kCachedBytes);
  munmap(mapped, kBufferBytes);

  constexpr uint64_t kSteps = 200'000'000;
  uint64_t x = 1;
  started = Clock::now();
  for (uint64_t i = 0; i < kSteps; ++i) {
    x *= 0x9E3779B97F4A7C15ULL;
    x ^= x >> 29;
  }
  machine.integer_loop_ns = SecondsSince(started) * 1e9 / static_cast<double>(kSteps);
  sink = x;
  return machine;
}

std::string Describe(const MachineReference& machine) {
  char text[200];
  std::snprintf(text, sizeof text,
                "machine: first touch %.2f GB/s, dependent read among 1 GiB %.0f ns (4 MiB %.1f "
                "ns), independent read %.1f ns, integer step %.2f ns",
                machine.first_touch_gb_per_s, machine.dependent_read_ns, machine.cached_read_ns,
                machine.independent_read_ns, machine.integer_loop_ns);
  return text;
}

double StolenCpuSeconds() {
  // "cpu  user nice system idle iowait irq softirq steal ...", in clock ticks.
  std::FILE* stat = std::fopen("/proc/stat", "r");
  if (stat == nullptr) return 0;
  unsigned long long ticks[8] = {};
  const int read =
      std::fscanf(stat, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &ticks[0], &ticks[1],
                  &ticks[2], &ticks[3], &ticks[4], &ticks[5], &ticks[6], &ticks[7]);
  std::fclose(stat);
  const long per_second = sysconf(_SC_CLK_TCK);
  if (read != 8 || per_second <= 0) return 0;
  return static_cast<double>(ticks[7]) / static_cast<double>(per_second);
}

}  // namespace riskstream::bench
