#pragma once
// How each op kind behaves under a change of memory layout, for the
// layout-nhwc pass. A "label" L of a tensor says how it is stored:
// stored = TRANSPOSE(true value, L), i.e. stored.shape[i] = true.shape[L[i]].
//  - layout-agnostic ops compute the same function on any label as long as
//    all their linked inputs and outputs share it (axis-like parameters are
//    remapped, constant operands re-laid out);
//  - TRANSPOSE (and RESHAPE that only moves size-1 dims) change the label
//    for free;
//  - every other op needs its operands in their true layout.
#include <vector>

#include "absl/status/status.h"
#include "converter/graph.h"
#include "passes/pass_util.h"

namespace optconv {

struct LayoutOpInfo {
  enum class Role { kFixed, kTranspose, kAgnostic };
  Role role = Role::kFixed;
  /// kTranspose: output = TRANSPOSE(input 0, perm).
  Perm perm;
  /// kAgnostic: activation input slots that share the op's label.
  std::vector<int> linked_inputs;
  /// kAgnostic: constant input slots re-laid out with the op's label.
  std::vector<int> relayout_inputs;
  /// kAgnostic: the label must keep the last axis last (SOFTMAX and friends).
  bool keeps_last_axis = false;
};

/// Classifies `op` for the layout pass.
LayoutOpInfo ClassifyForLayout(const Graph& graph, const Op& op);

/// For an agnostic op about to run on label `label`: re-lays out its constant
/// operands and remaps its axis-like parameters (axis options, axes/paddings/
/// begin/end constants). New constants are appended to the graph.
absl::Status ApplyLabelToOp(Graph& graph, Op& op, const LayoutOpInfo& info, const Perm& label);

/// When RESHAPE from `in` to `out` only moves size-1 dims within the same
/// rank, the equivalent permutation (stable for the size-1 dims).
std::optional<Perm> UnitDimReshapePerm(const Shape& in, const Shape& out);

}  // namespace optconv
