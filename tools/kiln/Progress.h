//===- Progress.h - One progress line on a terminal -------------*- C++ -*-===//
//
// Long work (a compile, the conformance suite) shows where it is on one line
// of stderr, rewritten in place with \r and cleared when done. Nothing is
// shown when stderr is not a terminal (a pipe, a file, CI logs) or TERM is
// "dumb": logs stay clean.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_PROGRESS_H
#define KILN_TOOLS_PROGRESS_H

#include "compiler/driver/Stages.h"

#include <chrono>
#include <string>

namespace kiln::cli {

class ProgressLine {
public:
  ProgressLine();
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine &) = delete;
  ProgressLine &operator=(const ProgressLine &) = delete;

  bool enabled() const { return enabled_; }
  /// Replaces the line with `text`. Unless `force`, at most every 50 ms
  /// (a redraw per layer would cost more than the layer).
  void show(const std::string &text, bool force = false);
  /// Erases the line (before other output, and at the end).
  void clear();

private:
  bool enabled_, shown_ = false;
  std::chrono::steady_clock::time_point last_;
};

/// The listener `kiln compile` gives the driver: the stage on the progress
/// line; with `verbose`, a line per stage and sub-stage with its wall and
/// CPU time and peak memory, and the driver's notes.
driver::Stages::Listener compileProgress(ProgressLine &line, bool verbose);

} // namespace kiln::cli

#endif // KILN_TOOLS_PROGRESS_H
