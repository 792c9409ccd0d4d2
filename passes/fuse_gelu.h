#pragma once
// "fuse-gelu": recognises the two GELU formulas built from elementwise ops
// (PyTorch's ONNX export, Keras/TF graphs, hand-written models) and replaces
// each with one GELU:
//   exact: x * 0.5 * (1 + erf(x / sqrt(2))), and TF's erfc form
//          x * 0.5 * erfc(-x / sqrt(2)) = x * 0.5 * (1 - erf(NEG(x) / sqrt(2)))
//                                                             -> GELU(approximate=false)
//   tanh:  x * 0.5 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) -> GELU(approximate=true)
// Matching is structural, not by source: the product around (1 + f(..)) may be
// associated and commuted in any way, with 0.5 as a MUL or a DIV by 2, the erf
// argument as x / sqrt(2) or x * (1/sqrt(2)), x^3 as POW(x, 3), x*x*x or
// x*SQUARE(x), and the tanh argument either factored as above or expanded
// (c x + c 0.044715 x^3). Constants must be single values within 1e-5
// (relative) of the formula's. Every intermediate must have no other use and
// no fused activation. Counters: exact, tanh.
#include "passes/pass.h"

namespace optconv {

class FuseGeluPass : public Pass {
 public:
  std::string_view name() const override { return "fuse-gelu"; }
  std::string_view summary() const override {
    return "replace erf/tanh GELU formulas with GELU";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
