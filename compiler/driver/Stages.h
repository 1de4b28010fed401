//===- Stages.h - The stages of a compile, reported as they go --*- C++ -*-===//
//
// compileToFile reports where it is through a Stages: a stage begins
// ("import", "lower"...), steps through the items of a sub-stage ("layers"
// 12 of 170), ends with its wall and CPU time and its peak resident memory.
// The library only measures and reports; a listener (the CLI's progress
// line and -v table, tools/kiln/Progress.h) decides what to show.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_STAGES_H
#define KILN_DRIVER_STAGES_H

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace kiln::driver {

struct StageEvent {
  enum Kind : uint8_t {
    Begin,  ///< `stage` starts
    Step,   ///< item i of n of the sub-stage `sub` of `stage`
    SubEnd, ///< the sub-stage `sub` ended: wallMs, cpuMs
    End,    ///< `stage` ended: wallMs, cpuMs, peakRssMB
    Note,   ///< one line of detail (`text`: the target, the layer count...)
  } kind = Begin;
  const char *stage = "";
  const char *sub = nullptr;
  size_t i = 0, n = 0;
  double wallMs = 0, cpuMs = 0; ///< the process's CPU time, all threads
  double peakRssMB = 0;         ///< since the stage began (Linux; 0 elsewhere)
  std::string text;
};

class Stages {
public:
  using Listener = std::function<void(const StageEvent &)>;
  /// `listener` may be null: nothing is reported.
  explicit Stages(Listener listener = nullptr);

  /// Starts a stage ("import", "lower"...).
  void begin(const char *stage);
  /// Item i of n of a sub-stage ("tasks", "weights"...) of the current stage.
  void step(const char *what, size_t i, size_t n);
  /// Ends the stage; its peak RSS is reset for the next.
  void end();
  /// One line of detail.
  void note(const std::string &line);

private:
  void endSub();
  void report(StageEvent e) const;

  Listener listener_;
  const char *stage_ = "";
  const char *sub_ = nullptr;
  std::chrono::steady_clock::time_point start_, subStart_;
  double cpuStart_ = 0, subCpuStart_ = 0;
};

} // namespace kiln::driver

#endif // KILN_DRIVER_STAGES_H
