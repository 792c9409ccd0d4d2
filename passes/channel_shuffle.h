#pragma once
// "channel-shuffle": rewrites RESHAPE -> TRANSPOSE -> RESHAPE chains that
// amount to a permutation of one axis (ShuffleNet's channel shuffle: split C
// into [g, C/g], swap, merge back) into one GATHER with a constant index
// vector on that axis. The GATHER is layout-agnostic, so the layout pass can
// then run the shuffle on the channels-last axis. Counter: shuffles_to_gather.
#include "passes/pass.h"

namespace optconv {

class ChannelShufflePass : public Pass {
 public:
  std::string_view name() const override { return "channel-shuffle"; }
  std::string_view summary() const override {
    return "turn reshape-transpose-reshape axis permutations into GATHER";
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;
};

}  // namespace optconv
