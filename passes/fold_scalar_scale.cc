#include "passes/fold_scalar_scale.h"

#include "passes/fusion_util.h"
#include "passes/pass_util.h"
#include "passes/pattern_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

bool IsWeighted(OpKind k) {
  return k == OpKind::kConv2D || k == OpKind::kDepthwiseConv2D ||
         k == OpKind::kFullyConnected || k == OpKind::kTransposeConv;
}

bool IsLinearPassThrough(OpKind k) {
  return k == OpKind::kReshape || k == OpKind::kTranspose || k == OpKind::kSqueeze ||
         k == OpKind::kExpandDims;
}

/// The weighted op that `t` is a linear function of, or -1. Depth-limited:
/// paths through attention are a handful of ops long.
int FindWeightedSource(const RewriteState& s, TensorId t, int depth) {
  const Graph& g = s.graph();
  if (depth > 8 || t < 0 || !s.HasSingleUse(t) || g.tensor(t).quant ||
      g.tensor(t).type != DataType::kFloat32) {
    return -1;
  }
  const int p = s.Producer(t);
  if (p < 0) return -1;
  const Op& op = g.ops()[static_cast<size_t>(p)];
  if (IsWeighted(op.kind)) {
    Op copy = op;
    const Activation* act = FusedActivation(copy);
    const bool linear = act == nullptr || *act == Activation::kNone;
    const TensorId w = op.inputs.size() > 1 ? op.inputs[static_cast<size_t>(WeightsSlot(op.kind))]
                                            : kNoTensor;
    return linear && w >= 0 && g.tensor(w).is_constant() && !g.tensor(w).quant ? p : -1;
  }
  if (IsLinearPassThrough(op.kind)) return FindWeightedSource(s, op.inputs[0], depth + 1);
  if (op.kind == OpKind::kBatchMatMul) {
    for (TensorId in : op.inputs) {
      if (int found = FindWeightedSource(s, in, depth + 1); found >= 0) return found;
    }
  }
  return -1;
}

absl::StatusOr<bool> FoldScale(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op& op = g.ops()[static_cast<size_t>(i)];
  if (op.inputs.size() != 2 || !HasNoActivation(op)) return false;
  const bool div = op.kind == OpKind::kDiv;
  for (int c : {1, 0}) {
    if (div && c == 0) break;  // c / y is no scale of y
    std::optional<double> value = ScalarConst(g, op.inputs[static_cast<size_t>(c)]);
    const TensorId y = op.inputs[static_cast<size_t>(1 - c)];
    if (!value || (div && *value == 0.0)) continue;
    if (g.tensor(y).shape != g.tensor(op.outputs[0]).shape) continue;
    const int weighted = FindWeightedSource(s, y, 0);
    if (weighted < 0) continue;
    const int producer = s.Producer(y);
    const double scale = div ? 1.0 / *value : *value;
    Op& w = g.ops()[static_cast<size_t>(weighted)];
    const Shape& ws = g.tensor(w.inputs[static_cast<size_t>(WeightsSlot(w.kind))]).shape;
    const int64_t channels = w.kind == OpKind::kDepthwiseConv2D ? ws.back() : ws.front();
    ScaleWeightedOp(s, w, std::vector<double>(static_cast<size_t>(channels), scale));
    // The last op of the path writes the MUL's output.
    const TensorId out = op.outputs[0];
    g.ops()[static_cast<size_t>(producer)].outputs[0] = out;
    s.Erase(i);
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<bool> FoldScalarScalePass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"folded", {OpKind::kMul, OpKind::kDiv}, nullptr, &FoldScale});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
