#include "pipeline/replay/replay_progress.h"

#include <fmt/format.h>

#include <ctime>

namespace riskstream {
namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(250);
constexpr int kBarWidth = 24;

std::string Clock(double seconds) {
  auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

double ThreadCpuSeconds() {
  timespec cpu{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
  return static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9;
}

ReplayProgress::ReplayProgress(std::ostream& out, bool terminal)
    : out_(out), terminal_(terminal), start_(std::chrono::steady_clock::now()) {}

double ReplayProgress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ReplayProgress::Update(const ReplayTotals& totals, double fraction) {
  if (!terminal_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  double elapsed = elapsed_seconds();
  int filled = static_cast<int>(fraction * kBarWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kBarWidth, '.');
  double rate = elapsed > 0 ? static_cast<double>(totals.events) / elapsed : 0;
  std::string eta = fraction > 0.001 ? Clock(elapsed * (1 - fraction) / fraction) : "?";
  std::string position =
      totals.last_event_time ? FormatRfc3339(*totals.last_event_time) : std::string("-");
  out_ << fmt::format("\r[{}] {:5.1f}% {} events {:.0f}/s at {} ETA {}   ", bar, fraction * 100,
                      totals.events, rate, position, eta)
       << std::flush;
}

void ReplayProgress::Finish(const ReplayTotals& totals) {
  if (terminal_) out_ << "\r\033[K";
  double rate = totals.seconds > 0 ? static_cast<double>(totals.events) / totals.seconds : 0;
  out_ << fmt::format(
      "replayed {} events in {:.1f} s ({:.0f} events/s): {} decisions, {} alerts, "
      "{} rejects",
      totals.events, totals.seconds, rate, totals.decisions, totals.alerts, totals.rejects);
  if (totals.outside_range > 0)
    out_ << fmt::format(", {} outside --from/--to", totals.outside_range);
  if (totals.forced_releases > 0) {
    out_ << fmt::format(", {} released before every input showed its next record",
                        totals.forced_releases);
  }
  out_ << "\n";
  if (totals.first_event_time) {
    out_ << "event time " << FormatRfc3339(*totals.first_event_time) << " .. "
         << FormatRfc3339(*totals.last_event_time) << "\n";
  }
  out_ << std::flush;
}

}  // namespace riskstream
