#pragma once
// "fuse-depth-to-space": PyTorch's pixel shuffle, as exporters write it in
// the source layout, becomes one DEPTH_TO_SPACE on channels-last data:
//   RESHAPE [N,C,r,r,H,W] -> TRANSPOSE (0,1,4,2,5,3) -> RESHAPE [N,C,Hr,Wr]   (CRD)
//   RESHAPE [N,r,r,C,H,W] -> TRANSPOSE (0,3,4,1,5,2) -> RESHAPE [N,C,Hr,Wr]   (DCR)
// TFLite's DEPTH_TO_SPACE reads channel (i*r + j)*C + c (DCR); for CRD with
// C > 1 a constant channel GATHER reorders the input first. The rewrite
// emits TRANSPOSEs to and from NHWC around it, which layout-nhwc cancels
// against its neighbours; the rank-6 TRANSPOSE it replaces cannot be.
// Intermediates must have no other use. Counter: fused.
#include "passes/pass.h"

namespace optconv {

class FuseDepthToSpacePass : public Pass {
 public:
  std::string_view name() const override { return "fuse-depth-to-space"; }
  std::string_view summary() const override {
    return "replace pixel-shuffle reshape/transpose chains with DEPTH_TO_SPACE";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
