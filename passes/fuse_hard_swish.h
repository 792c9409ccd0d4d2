#pragma once
// "fuse-hard-swish": recognises x * relu6(x + 3) / 6 (how ONNX opsets < 14
// express HardSwish: HardSigmoid then Mul, which the importer lowers to
// MUL/ADD/RELU6/MUL) and replaces it with one HARD_SWISH. Accepted forms,
// with the RELU6 standalone or fused into the ADD:
//   x * (relu6(x + 3) * (1/6))   x * (relu6(x + 3) / 6)
//   (x * relu6(x + 3)) * (1/6)   (x * relu6(x + 3)) / 6
// Every intermediate must have no other use. Counter: fused.
#include "passes/pass.h"

namespace optconv {

class FuseHardSwishPass : public Pass {
 public:
  std::string_view name() const override { return "fuse-hard-swish"; }
  std::string_view summary() const override {
    return "replace x*relu6(x+3)/6 chains with HARD_SWISH";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
