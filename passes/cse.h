#pragma once
// "cse": common subexpression elimination. Constants with the same type,
// shape, quantization and bytes become one tensor (so equal weights are
// stored once and ops reading them can merge), then an op with the same kind,
// inputs and options as an earlier op is dropped and its outputs replaced by
// the earlier op's. Variable (stateful) tensors and graph outputs are never
// merged. Counters: constants_merged, ops_merged.
#include "passes/pass.h"

namespace optconv {

class CsePass : public Pass {
 public:
  std::string_view name() const override { return "cse"; }
  std::string_view summary() const override {
    return "merge identical constants and ops computing the same value";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
