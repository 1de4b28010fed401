//===- Stages.cpp - The stages of a compile, reported as they go ----------===//

#include "compiler/driver/Stages.h"

#include <cstdio>
#include <cstring>
#include <ctime>

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

Stages::Stages(Listener listener) : listener_(std::move(listener)) {}

namespace {
StageEvent event(StageEvent::Kind kind) {
  StageEvent e;
  e.kind = kind;
  return e;
}
} // namespace

void Stages::report(StageEvent e) const {
  e.stage = stage_;
  if (listener_)
    listener_(e);
}

void Stages::begin(const char *stage) {
  stage_ = stage;
  start_ = std::chrono::steady_clock::now();
  cpuStart_ = cpuMs();
  report(event(StageEvent::Begin));
}

void Stages::step(const char *what, size_t i, size_t n) {
  if (!sub_ || std::strcmp(sub_, what) != 0) {
    endSub();
    sub_ = what;
    subStart_ = std::chrono::steady_clock::now();
    subCpuStart_ = cpuMs();
  }
  StageEvent e = event(StageEvent::Step);
  e.sub = what;
  e.i = i;
  e.n = n;
  report(std::move(e));
}

void Stages::end() {
  endSub();
  StageEvent e = event(StageEvent::End);
  e.wallMs = msSince(start_);
  e.cpuMs = cpuMs() - cpuStart_;
  e.peakRssMB = peakRssMB();
  report(std::move(e));
  resetPeakRss();
}

void Stages::note(const std::string &line) {
  StageEvent e = event(StageEvent::Note);
  e.text = line;
  report(std::move(e));
}

void Stages::endSub() {
  if (!sub_)
    return;
  StageEvent e = event(StageEvent::SubEnd);
  e.sub = sub_;
  e.wallMs = msSince(subStart_);
  e.cpuMs = cpuMs() - subCpuStart_;
  sub_ = nullptr;
  report(std::move(e));
}

} // namespace kiln::driver
