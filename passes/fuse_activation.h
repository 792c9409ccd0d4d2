#pragma once
// "fuse-activation": folds RELU / RELU6 / RELU_N1_TO_1 into the fused
// activation option of the op producing its input (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, DIV, AVERAGE_POOL_2D,
// MAX_POOL_2D) when that op has no activation yet and its output has no other
// use. Not fused, because TFLite kernels ignore or reject it: TANH (float
// kernels only clamp for the RELU family), any activation on CONCATENATION
// (its kernel requires NONE) and TRANSPOSE_CONV (needs op version 4; not
// enabled yet). Counters: fused_relu, fused_relu6, fused_relu_n1_to_1.
#include "passes/pass.h"

namespace optconv {

class FuseActivationPass : public Pass {
 public:
  std::string_view name() const override { return "fuse-activation"; }
  std::string_view summary() const override {
    return "fold RELU/RELU6/RELU_N1_TO_1 into the producing op's fused activation";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
