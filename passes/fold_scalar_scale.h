#pragma once
// "fold-scalar-scale": MUL(y, c) or DIV(y, c) by one constant value, where y
// is computed from a weighted op (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
// TRANSPOSE_CONV) through ops that are linear in it (RESHAPE, TRANSPOSE,
// SQUEEZE, EXPAND_DIMS, either operand of BATCH_MATMUL): the scale goes into
// that op's weights and bias and the MUL disappears. Attention's
// scores * 1/sqrt(d) after Q·K^T reaches the query projection this way.
// Every tensor on the path must have a single use; the weighted op must have
// no fused activation; f32, not quantized. Counter: folded.
#include "passes/pass.h"

namespace optconv {

class FoldScalarScalePass : public Pass {
 public:
  std::string_view name() const override { return "fold-scalar-scale"; }
  std::string_view summary() const override {
    return "fold a MUL/DIV by one constant through reshapes, transposes and matmuls into weights";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
