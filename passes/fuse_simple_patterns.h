#pragma once
// "fuse-simple-patterns": small compound expressions that one TFLite builtin
// computes (fewer ops, and a MUL or unary op instead of a full-size DIV/POW).
// Rules, each a counter:
//   pow_square        POW(x, 2)               -> SQUARE(x)
//   pow_sqrt          POW(x, 0.5)             -> SQRT(x)
//   rsqrt             POW(x, -0.5), 1 / SQRT(x) -> RSQRT(x);
//                     a / SQRT(b)             -> a * RSQRT(b) (SQRT(b) is often a
//                                                reduced, broadcast tensor)
//   squared_difference SQUARE(a - b), (a - b) * (a - b) -> SQUARED_DIFFERENCE(a, b)
//                     (POW(a - b, 2) via pow_square first)
//   leaky_relu        MAXIMUM(x, a*x) with 0 < a < 1, SELECT_V2(x > 0, x, a*x)
//                     -> LEAKY_RELU(x, a)
//   prelu             RELU(x) - a*RELU(-x), RELU(x) + (-a)*RELU(-x)
//                     -> PRELU(x, a) (LEAKY_RELU when a is one value)
//   add_negated       ADD(a, NEG(b)) -> SUB(a, b);
//                     ADD(a, MUL(NEG(b), c)) -> SUB(a, MUL(b, c))
//   center_before_scale x*s + (b - m*s) -> (x - m)*s + b (layer norm's shift)
// Intermediates must have no other use and no fused activation; constants
// must be f32. Must not fire on quantized tensors.
#include "passes/pass.h"

namespace optconv {

class FuseSimplePatternsPass : public Pass {
 public:
  std::string_view name() const override { return "fuse-simple-patterns"; }
  std::string_view summary() const override {
    return "emit SQUARE/SQRT/RSQRT/SQUARED_DIFFERENCE/LEAKY_RELU/PRELU for their expansions";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
