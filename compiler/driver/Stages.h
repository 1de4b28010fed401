//===- Stages.h - Progress and per-stage timing of a compile ----*- C++ -*-===//
//
// Progress on a terminal; with verbose, the wall and CPU time of every stage
// and sub-stage and the stage's peak resident memory (the CPU time is what
// to compare on a loaded machine). All of it goes to stderr.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DRIVER_STAGES_H
#define KILN_DRIVER_STAGES_H

#include <chrono>
#include <cstddef>
#include <string>

namespace kiln::driver {

class Stages {
public:
  explicit Stages(bool verbose);

  bool verbose() const { return verbose_; }
  /// Starts a stage ("import", "lower"...).
  void begin(const char *stage);
  /// Item i of n of a sub-stage ("tasks", "weights"...) of the current stage.
  void step(const char *what, size_t i, size_t n);
  /// Ends the stage: its line with -v, then its peak RSS is reset.
  void end();
  /// One line of detail, printed only when verbose.
  void note(const std::string &line);

private:
  void endSub();

  bool verbose_, tty_;
  const char *stage_ = "";
  const char *sub_ = nullptr;
  std::chrono::steady_clock::time_point start_, subStart_;
  double cpuStart_ = 0, subCpuStart_ = 0;
};

} // namespace kiln::driver

#endif // KILN_DRIVER_STAGES_H
