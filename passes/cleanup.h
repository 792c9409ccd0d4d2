#pragma once
// "cleanup": removes dead ops and identity ops (same-shape RESHAPE, identity
// TRANSPOSE, same-type CAST, single-input CONCATENATION, zero PAD, SLICE and
// STRIDED_SLICE copying the whole tensor, an all-zero FULLY_CONNECTED bias), merges
// RESHAPE chains and TRANSPOSE chains, turns a TRANSPOSE that only moves
// size-1 dims into a RESHAPE, and re-fuses MEAN(keep_dims) + RESHAPE that drops
// exactly the reduced dims into MEAN(keep_dims=false), and MEAN(keep_dims=false)
// + RESHAPE that restores them as 1s into MEAN(keep_dims=true).
#include "passes/pass.h"

namespace optconv {

class CleanupPass : public Pass {
 public:
  std::string_view name() const override { return "cleanup"; }
  std::string_view summary() const override {
    return "remove dead and identity ops, merge reshape/transpose chains";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
