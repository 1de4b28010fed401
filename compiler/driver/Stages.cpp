//===- Stages.cpp - Progress and per-stage timing of a compile ------------===//

#include "compiler/driver/Stages.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <unistd.h>

namespace kiln::driver {

namespace {

double msSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t)
      .count();
}

/// CPU time of the process (all threads), user + system.
double cpuMs() {
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
    return 0;
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

/// VmHWM from /proc/self/status (Linux); 0 elsewhere.
double peakRssMB() {
  std::FILE *f = std::fopen("/proc/self/status", "r");
  if (!f)
    return 0;
  char line[256];
  double kb = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmHWM: %lf kB", &kb) == 1)
      break;
  std::fclose(f);
  return kb / 1024;
}

/// Restarts VmHWM so every stage reports its own peak (Linux >= 4.0).
void resetPeakRss() {
  if (std::FILE *f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}

} // namespace

Stages::Stages(bool verbose) : verbose_(verbose), tty_(isatty(2)) {}

void Stages::begin(const char *stage) {
  stage_ = stage;
  start_ = std::chrono::steady_clock::now();
  cpuStart_ = cpuMs();
  if (tty_)
    fmt::print(stderr, "\r\033[K{}...", stage);
}

void Stages::step(const char *what, size_t i, size_t n) {
  if (!sub_ || std::strcmp(sub_, what) != 0) {
    endSub();
    sub_ = what;
    subStart_ = std::chrono::steady_clock::now();
    subCpuStart_ = cpuMs();
  }
  if (tty_ && n > 1 && (i % 16 == 0 || i + 1 == n))
    fmt::print(stderr, "\r\033[K{}: {} {} of {}", stage_, what, i + 1, n);
}

void Stages::end() {
  endSub();
  if (tty_)
    fmt::print(stderr, "\r\033[K");
  if (verbose_)
    fmt::print(stderr, "{:<24} {:9.1f} ms  cpu {:9.1f} ms  peak RSS {:6.0f} MB\n", stage_,
               msSince(start_), cpuMs() - cpuStart_, peakRssMB());
  resetPeakRss();
}

void Stages::note(const std::string &line) {
  if (verbose_)
    fmt::print(stderr, "{}\n", line);
}

void Stages::endSub() {
  if (sub_ && verbose_ && tty_)
    fmt::print(stderr, "\r\033[K");
  if (sub_ && verbose_)
    fmt::print(stderr, "  {:<22} {:9.1f} ms  cpu {:9.1f} ms\n", sub_, msSince(subStart_),
               cpuMs() - subCpuStart_);
  sub_ = nullptr;
}

} // namespace kiln::driver
