//===- Args.cpp - Flag parsing for kiln's subcommands ---------------------===//

#include "tools/kiln/Args.h"

#include <charconv>
#include <fmt/format.h>

namespace kiln::cli {

Args::Args(std::string command, std::string positionalsUsage,
           std::string summary)
    : command_(std::move(command)), positionalsUsage_(std::move(positionalsUsage)),
      summary_(std::move(summary)) {}

void Args::flag(std::string name, bool *out, std::string help) {
  specs_.push_back({std::move(name), "", std::move(help), nullptr, out});
}

void Args::option(std::string name, std::string *out, std::string metavar,
                  std::string help) {
  specs_.push_back({std::move(name), std::move(metavar), std::move(help),
                    [out](const std::string &v) {
                      *out = v;
                      return true;
                    }});
}

void Args::option(std::string name, int64_t *out, std::string metavar,
                  std::string help) {
  specs_.push_back({std::move(name), std::move(metavar), std::move(help),
                    [out](const std::string &v) {
                      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
                      return ec == std::errc() && p == v.data() + v.size();
                    }});
}

void Args::list(std::string name, std::vector<std::string> *out,
                std::string metavar, std::string help) {
  specs_.push_back({std::move(name), std::move(metavar), std::move(help),
                    [out](const std::string &v) {
                      out->push_back(v);
                      return true;
                    }});
}

void Args::positionals(std::vector<std::string> *out, int min, int max) {
  positionals_ = out;
  minPositionals_ = min;
  maxPositionals_ = max;
}

const Args::Spec *Args::find(const std::string &name) const {
  for (const Spec &s : specs_)
    if (s.name == name)
      return &s;
  return nullptr;
}

void Args::printHelp() const {
  fmt::print("usage: kiln {} [options] {}\n\n{}\n\noptions:\n", command_,
             positionalsUsage_, summary_);
  for (const Spec &s : specs_) {
    std::string left = s.metavar.empty() ? s.name : s.name + " " + s.metavar;
    fmt::print("  {:<28} {}\n", left, s.help);
  }
  fmt::print("  {:<28} {}\n", "-h, --help", "show this help");
}

int usageError(const std::string &command, const std::string &message) {
  fmt::print(stderr, "error: kiln {}: {}\n", command, message);
  return 1;
}

void Args::check(std::function<void(std::vector<std::string> &)> fn) {
  checks_.push_back(std::move(fn));
}

int Args::parse(int argc, char **argv) {
  for (int i = 0; i < argc; ++i)
    if (std::string(argv[i]) == "-h" || std::string(argv[i]) == "--help") {
      printHelp();
      return 0;
    }
  std::vector<std::string> errors, pos;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 1 && a[0] == '-' && a != "-") {
      std::string name = a, value;
      bool hasValue = false;
      if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        hasValue = true;
      }
      const Spec *s = find(name);
      if (!s) {
        errors.push_back(fmt::format("unknown option '{}' (see --help)", a));
        continue;
      }
      if (s->flag) {
        if (hasValue)
          errors.push_back(fmt::format("option '{}' takes no value", name));
        else
          *s->flag = true;
        continue;
      }
      if (!hasValue) {
        if (i + 1 >= argc) {
          errors.push_back(fmt::format("option '{}' needs a value ({})", name, s->metavar));
          continue;
        }
        value = argv[++i];
      }
      if (!s->set(value))
        errors.push_back(fmt::format("bad value '{}' for {}", value, name));
      continue;
    }
    pos.push_back(a);
  }
  if (!positionals_ && !pos.empty())
    errors.push_back(fmt::format("unexpected argument '{}'", pos[0]));
  if (positionals_) {
    if (int(pos.size()) < minPositionals_)
      errors.push_back(fmt::format("missing {} (see --help)", positionalsUsage_));
    if (maxPositionals_ >= 0 && int(pos.size()) > maxPositionals_)
      errors.push_back(fmt::format("unexpected argument '{}'", pos[size_t(maxPositionals_)]));
    *positionals_ = std::move(pos);
  }
  for (const auto &check : checks_)
    check(errors);
  for (const std::string &e : errors)
    usageError(command_, e);
  return errors.empty() ? -1 : 1;
}

} // namespace kiln::cli
