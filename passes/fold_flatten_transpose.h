#pragma once
// "fold-flatten-transpose": TRANSPOSE -> RESHAPE [N, K] -> FULLY_CONNECTED,
// the flatten of a channels-last feature map into a classifier head (VGG,
// AlexNet: the flatten needs the channels-first element order). Flattening
// the untransposed tensor instead only permutes the K inputs of the fully
// connected layer, so the weights' columns are permuted and the transpose
// goes. Requires: the transpose keeps the batch dim first and has no other
// use, every use of the flattened tensor is the data input of a
// FULLY_CONNECTED with float32 constant weights. Counter: folded.
#include "passes/pass.h"

namespace optconv {

class FoldFlattenTransposePass : public Pass {
 public:
  std::string_view name() const override { return "fold-flatten-transpose"; }
  std::string_view summary() const override {
    return "fold a transpose before a flatten into the next FC's weights";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
