#pragma once
// "fuse-fully-connected": the reshapes around FULLY_CONNECTED that TF's
// tensordot and einsum lowerings (Keras Dense on a sequence, attention
// projections) leave. Rules, each a counter:
//   keep_num_dims    RESHAPE(x [..., K] -> [M, K]) -> FC -> RESHAPE([M, N] -> [..., N])
//                    -> FC(x, keep_num_dims=true): two RESHAPEs fewer
//   const_past_reshape  OP(RESHAPE(y), c), OP one of ADD/SUB/MUL/DIV, y the
//                    output of a CONV_2D/DEPTHWISE/FC/TRANSPOSE_CONV whose last
//                    dim the RESHAPE only splits ([..., L] -> [..., s1.. sm],
//                    L = s1*..*sm) and c constant over the split dims alone
//                    -> RESHAPE(OP(y, c flattened to [L])), so that fuse-bias
//                    and fold-batchnorm fold c into the weights.
// Intermediates must have a single use; f32, not quantized, no activation.
#include "passes/pass.h"

namespace optconv {

class FuseFullyConnectedPass : public Pass {
 public:
  std::string_view name() const override { return "fuse-fully-connected"; }
  std::string_view summary() const override {
    return "absorb tensordot reshapes into FULLY_CONNECTED(keep_num_dims); move bias/scale "
           "constants before a last-dim split";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
