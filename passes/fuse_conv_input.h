#pragma once
// "fuse-conv-input": work on a convolution's input that the convolution can
// do itself. Rules, each a counter:
//   pad_to_same   PAD (zeros, H/W only) -> CONV_2D/DEPTHWISE_CONV_2D VALID, when
//                 the pads are exactly what SAME padding adds for this input
//                 size, kernel, stride and dilation -> the conv with SAME
//                 (Keras' ZeroPadding2D + strided conv; TF's converter does it too);
//                 also MAX_POOL_2D VALID whose input is never negative (after a
//                 RELU/RELU6): SAME pooling ignores the border, which zeros
//                 cannot win against
//   input_scale   MUL(x, c) -> [zero PAD ->] CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED,
//                 c a constant per input channel (or one value): the scale
//                 goes into the weights' input-channel slices (an input
//                 rescaling layer). A zero PAD commutes with the scale; an
//                 ADD would not (padding would stop being zeros), so only MUL.
// The MUL/PAD must have no other use and no fused activation; tensors f32 and
// not quantized; shapes static where the rule computes with them.
#include "passes/pass.h"

namespace optconv {

class FuseConvInputPass : public Pass {
 public:
  std::string_view name() const override { return "fuse-conv-input"; }
  std::string_view summary() const override {
    return "fold SAME-equivalent zero PADs and input scales (MUL) into the following conv/FC";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
