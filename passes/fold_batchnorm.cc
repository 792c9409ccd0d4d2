#include "passes/fold_batchnorm.h"

#include "passes/fusion_util.h"

namespace optconv {
namespace {

absl::StatusOr<bool> FoldScale(RewriteState& state, int op_index, bool reciprocal) {
  auto match = MatchAffineAfterWeightedOp(state, op_index);
  if (!match) return false;
  std::vector<double> scale(match->values.begin(), match->values.end());
  if (reciprocal) {
    for (double& v : scale) {
      if (v == 0.0) return false;
      v = 1.0 / v;
    }
  }
  Graph& g = state.graph();
  ScaleWeightedOp(state, g.ops()[static_cast<size_t>(match->producer)], scale);
  AbsorbBinaryOp(state, op_index, match->producer);
  return true;
}

}  // namespace

absl::StatusOr<bool> FoldBatchNormPass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"folded_mul", {OpKind::kMul}, nullptr,
                      [](RewriteState& s, int i) { return FoldScale(s, i, false); }});
  patterns.push_back({"folded_div", {OpKind::kDiv}, nullptr,
                      [](RewriteState& s, int i) { return FoldScale(s, i, true); }});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
