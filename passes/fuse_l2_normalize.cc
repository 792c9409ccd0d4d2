#include "passes/fuse_l2_normalize.h"

#include "passes/pass_util.h"
#include "passes/pattern_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

constexpr double kSquaredEpsilon = 1e-12;  // the builtin's 1e-6 clamp, squared
constexpr double kNormEpsilon = 1e-6;
constexpr double kEpsilonTolerance = 0.01;

/// The ops of a match (producers of the tensors added), erased on a rewrite.
struct Chain {
  std::vector<int> ops;
  void Add(const RewriteState& s, TensorId t) { ops.push_back(s.Producer(t)); }
};

/// `t` == SUM(x*x) over the last axis with keep_dims, single-use throughout.
bool IsSumOfSquares(const RewriteState& s, TensorId t, TensorId x, Chain& chain) {
  const Graph& g = s.graph();
  const Op* sum = SingleUseProducer(s, t, OpKind::kSum);
  if (sum == nullptr || !sum->opts<ReducerOptions>().keep_dims) return false;
  const int rank = static_cast<int>(g.tensor(x).shape.size());
  auto axes = ConstInts(g, sum->inputs[1]);
  if (!axes || axes->size() != 1 || ((*axes)[0] != -1 && (*axes)[0] != rank - 1)) return false;
  // The squares may have other readers (CSE shares x*x between norms over
  // different axes): then they stay and only the rest is replaced.
  const TensorId sq = sum->inputs[0];
  const int producer = s.Producer(sq);
  if (producer < 0) return false;
  const Op& p = g.ops()[static_cast<size_t>(producer)];
  const bool square = p.kind == OpKind::kSquare && p.inputs[0] == x;
  const bool product = p.kind == OpKind::kMul && HasNoActivation(p) && p.inputs.size() == 2 &&
                       p.inputs[0] == x && p.inputs[1] == x;
  if (!square && !product) return false;
  chain.Add(s, t);
  if (s.HasSingleUse(sq)) chain.Add(s, sq);
  return true;
}

/// `t` == MAXIMUM(a, e) (either order) with e a scalar near `epsilon`; returns a.
std::optional<TensorId> ClampedBelow(const RewriteState& s, TensorId t, double epsilon,
                                     Chain& chain) {
  const Op* max = SingleUseProducer(s, t, OpKind::kMaximum);
  if (max == nullptr || max->inputs.size() != 2) return std::nullopt;
  for (int k : {0, 1}) {
    if (IsScalarConstNear(s.graph(), max->inputs[static_cast<size_t>(1 - k)], epsilon,
                          kEpsilonTolerance)) {
      chain.Add(s, t);
      return max->inputs[static_cast<size_t>(k)];
    }
  }
  return std::nullopt;
}

/// `t` == the clamped norm of x (SQRT(MAXIMUM(SUM, e²)) or MAXIMUM(SQRT(SUM), e)).
bool IsClampedNorm(const RewriteState& s, TensorId t, TensorId x, Chain& chain) {
  if (const Op* sqrt = SingleUseProducer(s, t, OpKind::kSqrt)) {
    chain.Add(s, t);
    auto sum = ClampedBelow(s, sqrt->inputs[0], kSquaredEpsilon, chain);
    return sum && IsSumOfSquares(s, *sum, x, chain);
  }
  auto norm = ClampedBelow(s, t, kNormEpsilon, chain);
  if (!norm) return false;
  const Op* sqrt = SingleUseProducer(s, *norm, OpKind::kSqrt);
  if (sqrt == nullptr) return false;
  chain.Add(s, *norm);
  return IsSumOfSquares(s, sqrt->inputs[0], x, chain);
}

absl::StatusOr<bool> FuseL2Normalize(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op& root = g.ops()[static_cast<size_t>(i)];
  if (root.inputs.size() != 2 || !HasNoActivation(root)) return false;
  for (int k : {0, 1}) {
    if (root.kind == OpKind::kDiv && k == 1) break;
    const TensorId x = root.inputs[static_cast<size_t>(k)];
    const TensorId other = root.inputs[static_cast<size_t>(1 - k)];
    const Tensor& xt = g.tensor(x);
    if (xt.type != DataType::kFloat32 || xt.quant || xt.shape.empty() || xt.shape.size() > 4 ||
        xt.shape != g.tensor(root.outputs[0]).shape) {
      continue;
    }
    Chain chain;
    bool matched = false;
    if (root.kind == OpKind::kMul) {
      const Op* rsqrt = SingleUseProducer(s, other, OpKind::kRsqrt);
      if (rsqrt == nullptr) continue;
      chain.Add(s, other);
      auto sum = ClampedBelow(s, rsqrt->inputs[0], kSquaredEpsilon, chain);
      matched = sum && IsSumOfSquares(s, *sum, x, chain);
    } else {
      matched = IsClampedNorm(s, other, x, chain);
    }
    if (!matched) continue;
    const SourceLoc origin = root.origin;
    const TensorId out = root.outputs[0];
    for (int op : chain.ops) s.Erase(op);
    s.Erase(i);
    g.AddOp(MakeOp(OpKind::kL2Normalization, {x}, {out}, origin));
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<bool> FuseL2NormalizePass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"fused", {OpKind::kMul, OpKind::kDiv}, nullptr, &FuseL2Normalize});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
