#pragma once
// "lower-erf": Erf is an internal op (no TFLite builtin). The importers emit it
// so that fuse-gelu can see erf inside GELU; this late pass expands every Erf
// that is left into canonical builtins (a rational approximation, see
// lower_erf.cc). Counter: lowered.
#include "passes/pass.h"

namespace optconv {

class LowerErfPass : public Pass {
 public:
  std::string_view name() const override { return "lower-erf"; }
  std::string_view summary() const override {
    return "expand the internal Erf op into builtins (rational approximation)";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
