#pragma once
// "channel-shuffle": rewrites RESHAPE/TRANSPOSE chains that only reorder or
// select entries along one axis into one GATHER with a constant index vector
// on that axis. Covers torchvision ShuffleNet's shuffle (split C into
// [g, C/g], swap, merge back) and the Megvii ShuffleNetV2 split (reshape to
// [C/2, 2, HW], swap, reshape, GATHER 0 and 1 = even and odd channels). The
// element map is simulated on an index tensor, so a match is exact. The
// GATHER is layout-agnostic, so the layout pass can then run it on the
// channels-last axis. Counter: shuffles_to_gather.
#include "passes/pass.h"

namespace optconv {

class ChannelShufflePass : public Pass {
 public:
  std::string_view name() const override { return "channel-shuffle"; }
  std::string_view summary() const override {
    return "turn reshape/transpose chains that reorder or select along one axis into GATHER";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
