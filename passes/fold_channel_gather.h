#pragma once
// "fold-channel-gather": a GATHER that only permutes the output channels of
// a CONV_2D or FULLY_CONNECTED (constant indices on the last axis, each
// channel once) is folded into that op by permuting the rows of its weights
// and bias; the producer then writes the GATHER's output. Fused activations
// are per element and commute with the permutation. The producer's output
// must have no other use; float32 constants, nothing quantized.
// fuse-depth-to-space emits such GATHERs for PyTorch's pixel shuffle.
// Counter: folded.
#include "passes/pass.h"

namespace optconv {

class FoldChannelGatherPass : public Pass {
 public:
  std::string_view name() const override { return "fold-channel-gather"; }
  std::string_view summary() const override {
    return "fold a channel permutation GATHER into the producing conv/FC weights";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
