#pragma once
// A pass rewrites the IR in place. It reports "changed" apart from "failed":
// a pattern that does not match is OK-unchanged, never an error.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "converter/graph.h"

namespace optconv {

/// Per-run state shared by passes: counters feed reports ("fusions made").
struct PassContext {
  std::map<std::string, int64_t> counters;  // "pass_name.counter" -> value
  /// Things the user should know that are not errors (an iteration cap was
  /// hit); passes do not log, the CLI prints these and puts them in --json.
  std::vector<std::string> warnings;
  void Count(std::string_view pass, std::string_view counter, int64_t n = 1) {
    counters[std::string(pass) + "." + std::string(counter)] += n;
  }
  void Warn(std::string message) { warnings.push_back(std::move(message)); }
};

/// One construction-time option of a pass, as `optconv passes` prints it.
struct PassOption {
  std::string name;   // e.g. "max-bytes"
  std::string value;  // e.g. "1048576"
};

class Pass {
 public:
  virtual ~Pass() = default;
  /// Command-line name, e.g. "layout-nhwc".
  virtual std::string_view name() const = 0;
  /// One-line summary printed by `optconv passes`.
  virtual std::string_view summary() const = 0;
  /// The options this instance was built with (none by default).
  virtual std::vector<PassOption> options() const { return {}; }
  /// Returns true when the graph changed.
  virtual absl::StatusOr<bool> Run(Graph& graph, PassContext& context) = 0;
};

}  // namespace optconv
