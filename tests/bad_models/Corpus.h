//===- Corpus.h - The bad-model corpus being written ------------*- C++ -*-===//
//
// Each case is one file plus one line of expectations.tsv (see
// make_bad_models.cpp for the table's format). The cases are grouped by what
// they attack, one function per group.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_BAD_MODELS_CORPUS_H
#define KILN_TESTS_BAD_MODELS_CORPUS_H

#include "tests/bad_models/OnnxBuild.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace kiln::badmodels {

class Corpus {
public:
  explicit Corpus(std::filesystem::path dir) : dir_(std::move(dir)) {}

  /// Registers a case whose file holds `bytes`.
  void addBytes(const std::string &name, const std::string &bytes,
                std::vector<std::string> needles, bool oneLine = false) {
    std::ofstream(dir_ / (name + ".onnx"), std::ios::binary) << bytes;
    table_ += name + "\t" + (oneLine ? "oneline" : "-");
    for (auto &n : needles)
      table_ += "\t" + n;
    table_ += "\n";
    ++cases_;
  }

  void add(const std::string &name, const ModelProto &m,
           std::vector<std::string> needles, bool oneLine = false) {
    std::string bytes;
    if (!m.SerializeToString(&bytes)) {
      std::fprintf(stderr, "error: cannot serialize case %s\n", name.c_str());
      std::exit(1);
    }
    addBytes(name, bytes, std::move(needles), oneLine);
  }

  const std::filesystem::path &dir() const { return dir_; }

  int finish() {
    std::ofstream(dir_ / "expectations.tsv") << table_;
    return cases_;
  }

private:
  std::filesystem::path dir_;
  std::string table_;
  int cases_ = 0;
};

// The groups of cases.
void fileCases(Corpus &c);     // not protobuf, or broken protobuf
void graphCases(Corpus &c);    // graph structure and op types
void tensorCases(Corpus &c);   // initializers and declared types/shapes
void convCases(Corpus &c);     // Conv and pooling attributes
void shapeCases(Corpus &c);    // shape errors of the other ops
void externalCases(Corpus &c); // external data files
void extremeCases(Corpus &c);  // int64 extremes that a naive check overflows on

} // namespace kiln::badmodels

#endif // KILN_TESTS_BAD_MODELS_CORPUS_H
