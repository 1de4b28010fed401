//===- ModelCheck.cpp - Run the pipeline on a real model and check it -----===//
//
//   passes_model_check MODEL.onnx [--absent Op,Op,...] [--fused op=N,...]
//                      [--max-workspace-mb X] [--compare]
//
// Imports the model, runs the whole pipeline with the verifier after every
// pass, then checks what the optimized graph must look like: ops that must be
// gone, how many of each fusion must exist, the workspace bound. With
// --compare, also runs the reference interpreter before and after on a
// seeded random input and compares the outputs. Prints a one-line summary
// per check; exit code 0 when all hold.
//
//===----------------------------------------------------------------------===//

#include "compiler/ir/Printer.h"
#include "compiler/passes/Pipeline.h"
#include "compiler/reference/Reference.h"
#include "frontend/OnnxImporter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <vector>

using namespace kiln;

namespace {

std::vector<std::string> splitList(const std::string &s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos)
      comma = s.size();
    if (comma > start)
      out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string lower(std::string s) {
  for (char &c : s)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Largest difference relative to the largest reference magnitude.
double relativeDifference(const std::vector<Tensor> &a, const std::vector<Tensor> &b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double scale = 1e-30;
    for (float v : a[i].f32)
      scale = std::max(scale, double(std::fabs(v)));
    for (size_t j = 0; j < a[i].f32.size(); ++j)
      worst = std::max(worst, std::fabs(double(a[i].f32[j]) - b[i].f32[j]) / scale);
  }
  return worst;
}

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int main(int argc, char **argv) {
  std::string path;
  std::vector<std::string> absent;
  std::map<std::string, int64_t> fused;
  double maxWorkspaceMb = -1;
  bool compare = false, winograd = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "error: {} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--absent") {
      for (auto &op : splitList(next()))
        absent.push_back(op);
    } else if (a == "--fused") {
      for (auto &kv : splitList(next())) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos) {
          fmt::print(stderr, "error: --fused wants op=count, got '{}'\n", kv);
          return 2;
        }
        fused[lower(kv.substr(0, eq))] = std::stoll(kv.substr(eq + 1));
      }
    } else if (a == "--max-workspace-mb") {
      maxWorkspaceMb = std::stod(next());
    } else if (a == "--compare") {
      compare = true;
    } else if (a == "--no-winograd") {
      winograd = false; // as `kiln compile --no-winograd`: every pool fuses
    } else if (path.empty() && !a.empty() && a[0] != '-') {
      path = a;
    } else {
      fmt::print(stderr, "error: unexpected argument '{}'\n", a);
      return 2;
    }
  }
  if (path.empty()) {
    fmt::print(stderr, "usage: passes_model_check MODEL.onnx [--absent Op,...] "
                       "[--fused op=N,...] [--max-workspace-mb X] [--compare] [--no-winograd]\n");
    return 2;
  }

  auto t0 = std::chrono::steady_clock::now();
  auto imported = importOnnxFile(path);
  if (!imported) {
    fmt::print(stderr, "error: {}: {}\n", path, llvm::toString(imported.takeError()));
    return 1;
  }
  Graph &g = **imported;
  size_t nodesBefore = g.nodes().size();
  fmt::print("{}: imported {} nodes in {:.1f} s\n", path, nodesBefore, seconds(t0));

  std::vector<Tensor> inputs, before;
  if (compare) {
    uint32_t seed = 12345;
    for (const Value *in : g.inputs) {
      std::vector<float> v(static_cast<size_t>(in->type.numElements()));
      for (float &x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = float(seed >> 8) / float(1 << 24) * 2.0f - 1.0f;
      }
      inputs.push_back(Tensor::fromF32(in->type.dims, std::move(v)));
    }
    auto out = runReference(g, inputs, ReferenceOptions{2});
    if (!out) {
      fmt::print(stderr, "error: reference before passes: {}\n", llvm::toString(out.takeError()));
      return 1;
    }
    before = std::move(*out);
  }

  PassOptions opts;
  opts.verifyEach = true;
  opts.winograd = winograd;
  t0 = std::chrono::steady_clock::now();
  if (auto err = runPipeline(g, opts)) {
    fmt::print(stderr, "error: {}: {}\n", path, llvm::toString(std::move(err)));
    return 1;
  }
  fmt::print("pipeline: {} -> {} nodes in {:.2f} s, workspace {:.2f} MB\n", nodesBefore,
             g.nodes().size(), seconds(t0), double(g.workspaceBytes) / (1 << 20));

  std::map<std::string, int64_t> opCount, fusedCount;
  for (const auto &n : g.nodes()) {
    ++opCount[opName(n->op)];
    for (const Fusion &f : n->fused)
      ++fusedCount[lower(opName(f.op))];
  }
  std::vector<std::string> ops, fusions;
  for (auto &[k, v] : opCount)
    ops.push_back(fmt::format("{}={}", k, v));
  for (auto &[k, v] : fusedCount)
    fusions.push_back(fmt::format("{}={}", k, v));
  fmt::print("ops: {}\nfused: {}\n", fmt::join(ops, " "), fmt::join(fusions, " "));

  int failures = 0;
  auto check = [&](bool ok, const std::string &what) {
    fmt::print("{} {}\n", ok ? "ok:  " : "FAIL:", what);
    failures += !ok;
  };
  for (const std::string &op : absent)
    check(opCount[op] == 0, fmt::format("no standalone {} (found {})", op, opCount[op]));
  for (const auto &[op, want] : fused)
    check(fusedCount[op] == want,
          fmt::format("{} fused {} (want {})", fusedCount[op], op, want));
  if (maxWorkspaceMb >= 0)
    check(double(g.workspaceBytes) <= maxWorkspaceMb * (1 << 20),
          fmt::format("workspace {:.2f} MB <= {} MB", double(g.workspaceBytes) / (1 << 20),
                      maxWorkspaceMb));
  if (compare) {
    auto after = runReference(g, inputs, ReferenceOptions{2});
    if (!after) {
      fmt::print(stderr, "error: reference after passes: {}\n",
                 llvm::toString(after.takeError()));
      return 1;
    }
    // Folding BatchNormalization rounds the weights once more: a relative
    // error of a few float32 ulps per layer, compounded over the depth.
    double diff = relativeDifference(before, *after);
    check(diff <= 2e-5, fmt::format("outputs before/after agree: max relative difference "
                                     "{:.2e} <= 2e-5",
                                     diff));
  }
  return failures ? 1 : 0;
}
