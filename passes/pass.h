#pragma once
// A pass rewrites the IR in place. It reports "changed" apart from "failed":
// a pattern that does not match is OK-unchanged, never an error.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "converter/graph.h"

namespace optconv {

/// Per-run state shared by passes: counters feed reports ("fusions made").
struct PassContext {
  std::map<std::string, int64_t> counters;  // "pass_name.counter" -> value
  void Count(std::string_view pass, std::string_view counter, int64_t n = 1) {
    counters[std::string(pass) + "." + std::string(counter)] += n;
  }
};

class Pass {
 public:
  virtual ~Pass() = default;
  /// Command-line name, e.g. "layout-nhwc".
  virtual std::string_view name() const = 0;
  /// One-line summary printed by `optconv passes`.
  virtual std::string_view summary() const = 0;
  /// Returns true when the graph changed.
  virtual absl::StatusOr<bool> Run(Graph& graph, PassContext& context) = 0;
};

}  // namespace optconv
