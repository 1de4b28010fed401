//===- Passes.cpp - `kiln passes`: list the optimization pipeline ---------===//
//
//   kiln passes
//
// One line per pass, in pipeline order: the name `kiln dump --after` takes,
// then what the pass does.
//
//===----------------------------------------------------------------------===//

#include "compiler/passes/Pipeline.h"
#include "tools/kiln/Args.h"
#include "tools/kiln/Commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace kiln::cli {

int passesMain(int argc, char **argv) {
  Args args("passes", "", "List the optimization pipeline in order.");
  if (int rc = args.parse(argc, argv); rc >= 0)
    return rc;
  size_t width = 0;
  for (const PassInfo &p : passPipeline())
    width = std::max(width, std::strlen(p.name));
  for (const PassInfo &p : passPipeline())
    fmt::print("{:<{}} {}\n", p.name, width, p.description);
  return 0;
}

} // namespace kiln::cli
