#include "passes/fuse_bias.h"

#include "passes/fusion_util.h"

namespace optconv {
namespace {

absl::StatusOr<bool> FoldShift(RewriteState& state, int op_index, bool negate) {
  auto match = MatchAffineAfterWeightedOp(state, op_index);
  if (!match) return false;
  std::vector<float> shift = match->values;
  if (negate) {
    for (float& v : shift) v = -v;
  }
  Graph& g = state.graph();
  ShiftWeightedOpBias(state, g.ops()[static_cast<size_t>(match->producer)], shift);
  AbsorbBinaryOp(state, op_index, match->producer);
  return true;
}

}  // namespace

absl::StatusOr<bool> FuseBiasPass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"fused_add", {OpKind::kAdd}, nullptr,
                      [](RewriteState& s, int i) { return FoldShift(s, i, false); }});
  patterns.push_back({"fused_sub", {OpKind::kSub}, nullptr,
                      [](RewriteState& s, int i) { return FoldShift(s, i, true); }});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
