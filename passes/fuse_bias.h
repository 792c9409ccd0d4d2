#pragma once
// "fuse-bias": folds an ADD (or SUB) of a per-output-channel or scalar
// constant that follows CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED /
// TRANSPOSE_CONV into the op's bias, creating the bias when absent.
// Counters: fused_add, fused_sub.
#include "passes/pass.h"

namespace optconv {

class FuseBiasPass : public Pass {
 public:
  std::string_view name() const override { return "fuse-bias"; }
  std::string_view summary() const override {
    return "fold per-channel ADD/SUB of constants into conv/FC bias";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
