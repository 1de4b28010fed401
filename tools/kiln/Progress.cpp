//===- Progress.cpp - One progress line on a terminal ---------------------===//

#include "tools/kiln/Progress.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace kiln::cli {

namespace {
bool stderrIsTerminal() {
  const char *term = std::getenv("TERM");
  return isatty(STDERR_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}
} // namespace

ProgressLine::ProgressLine() : enabled_(stderrIsTerminal()) {}

void ProgressLine::show(const std::string &text, bool force) {
  if (!enabled_)
    return;
  auto now = std::chrono::steady_clock::now();
  if (!force && shown_ && now - last_ < std::chrono::milliseconds(50))
    return;
  last_ = now;
  shown_ = true;
  // \033[K erases what a longer previous text left.
  fmt::print(stderr, "\r\033[K{}", text);
  std::fflush(stderr);
}

void ProgressLine::clear() {
  if (!enabled_ || !shown_)
    return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

driver::Stages::Listener compileProgress(ProgressLine &line, bool verbose) {
  return [&line, verbose](const driver::StageEvent &e) {
    using K = driver::StageEvent::Kind;
    switch (e.kind) {
    case K::Begin:
      line.show(fmt::format("{}...", e.stage), true);
      return;
    case K::Step:
      line.show(fmt::format("{}: {} {} of {}", e.stage, e.sub, e.i + 1, e.n), e.i + 1 == e.n);
      return;
    case K::SubEnd:
      if (!verbose)
        return;
      line.clear();
      fmt::print(stderr, "  {:<22} {:9.1f} ms  cpu {:9.1f} ms\n", e.sub, e.wallMs, e.cpuMs);
      return;
    case K::End:
      line.clear();
      if (verbose)
        fmt::print(stderr, "{:<24} {:9.1f} ms  cpu {:9.1f} ms  peak RSS {:6.0f} MB\n", e.stage,
                   e.wallMs, e.cpuMs, e.peakRssMB);
      return;
    case K::Note:
      if (!verbose)
        return;
      line.clear();
      fmt::print(stderr, "{}\n", e.text);
      return;
    }
  };
}

} // namespace kiln::cli
