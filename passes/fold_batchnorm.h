#pragma once
// "fold-batchnorm": folds a MUL (or DIV) by a per-output-channel or scalar
// constant that follows CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED /
// TRANSPOSE_CONV into the op's weights and bias. With "fuse-bias" this folds
// the MUL+ADD the importer emits for BatchNormalization.
// Counter: folded_mul, folded_div.
#include "passes/pass.h"

namespace optconv {

class FoldBatchNormPass : public Pass {
 public:
  std::string_view name() const override { return "fold-batchnorm"; }
  std::string_view summary() const override {
    return "fold per-channel MUL/DIV by constants into conv/FC weights";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
