#pragma once
// "fuse-l2-normalize": x normalised by its L2 norm over the last axis, written
// out in elementwise ops, becomes one L2_NORMALIZATION, whose kernel computes
// x / max(||x||, 1e-6). Recognised forms (keep_dims sums over the last axis):
//   x * RSQRT(MAXIMUM(SUM(x*x), e))   tf.math.l2_normalize, e = 1e-12
//   x / SQRT(MAXIMUM(SUM(x*x), e))    the same with a DIV
//   x / MAXIMUM(SQRT(SUM(x*x)), e)    torch-style clamp of the norm, e = 1e-6
// x*x may be SQUARE(x) or MUL(x, x). Only an epsilon that gives exactly the
// builtin's clamp fuses (within 1%): torch's F.normalize default clamps the
// norm at 1e-12, which differs from the builtin for norms below 1e-6, and is
// left alone. Intermediates but x*x must have no other use (x*x shared by
// norms over other axes stays); f32, not quantized.
// Counter: fused.
#include "passes/pass.h"

namespace optconv {

class FuseL2NormalizePass : public Pass {
 public:
  std::string_view name() const override { return "fuse-l2-normalize"; }
  std::string_view summary() const override {
    return "replace x / max(||x||, eps) over the last axis with L2_NORMALIZATION";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
