#include "passes/fuse_hard_swish.h"

#include <cmath>

#include "passes/pass_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

bool IsConstNear(const Graph& g, TensorId t, float value) {
  auto values = ConstFloats(g, t);
  if (!values || values->empty()) return false;
  for (float v : *values) {
    if (std::fabs(v - value) > 1e-6f * std::fabs(value)) return false;
  }
  return true;
}

// The op producing `t` when `t` has no other use, else nullptr.
const Op* SoleProducer(const RewriteState& s, TensorId t, std::vector<int>& chain) {
  const int p = s.Producer(t);
  if (p < 0 || !s.HasSingleUse(t)) return nullptr;
  chain.push_back(p);
  return &s.graph().ops()[static_cast<size_t>(p)];
}

Activation BinaryActivation(const Op& op) { return op.opts<BinaryOptions>().activation; }

// `r` == relu6(x + 3); returns x.
std::optional<TensorId> MatchRelu6Plus3(const RewriteState& s, TensorId r, std::vector<int>& chain) {
  const Graph& g = s.graph();
  const Op* op = SoleProducer(s, r, chain);
  if (op == nullptr) return std::nullopt;
  bool clamped = false;
  if (op->kind == OpKind::kRelu6) {
    op = SoleProducer(s, op->inputs[0], chain);
    if (op == nullptr) return std::nullopt;
    clamped = true;
  }
  if (op->kind != OpKind::kAdd) return std::nullopt;
  const Activation act = BinaryActivation(*op);
  if (clamped ? act != Activation::kNone : act != Activation::kRelu6) return std::nullopt;
  for (int c : {1, 0}) {
    if (IsConstNear(g, op->inputs[static_cast<size_t>(c)], 3.0f)) return op->inputs[static_cast<size_t>(1 - c)];
  }
  return std::nullopt;
}

// `t` == `inner` * (1/6) or `inner` / 6 (activation none); returns inner.
std::optional<TensorId> MatchSixth(const RewriteState& s, const Op& op) {
  const Graph& g = s.graph();
  if (op.kind != OpKind::kMul && op.kind != OpKind::kDiv) return std::nullopt;
  if (op.inputs.size() != 2 || BinaryActivation(op) != Activation::kNone) return std::nullopt;
  if (op.kind == OpKind::kDiv) {
    if (IsConstNear(g, op.inputs[1], 6.0f)) return op.inputs[0];
    return std::nullopt;
  }
  for (int c : {1, 0}) {
    if (IsConstNear(g, op.inputs[static_cast<size_t>(c)], 1.0f / 6.0f)) return op.inputs[static_cast<size_t>(1 - c)];
  }
  return std::nullopt;
}

absl::StatusOr<bool> FuseHardSwish(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op& root = g.ops()[static_cast<size_t>(i)];
  if (root.inputs.size() != 2 || BinaryActivation(root) != Activation::kNone) return false;
  const TensorId out = root.outputs[0];
  std::optional<TensorId> x;
  std::vector<int> chain;
  if (auto inner = MatchSixth(s, root)) {
    // (x * relu6(x + 3)) / 6
    const Op* m = SoleProducer(s, *inner, chain);
    if (m != nullptr && m->kind == OpKind::kMul && BinaryActivation(*m) == Activation::kNone) {
      for (int r : {1, 0}) {
        std::vector<int> sub = chain;
        auto cand = MatchRelu6Plus3(s, m->inputs[static_cast<size_t>(r)], sub);
        if (cand && *cand == m->inputs[static_cast<size_t>(1 - r)]) {
          x = cand;
          chain = sub;
          break;
        }
      }
    }
  }
  if (!x && root.kind == OpKind::kMul) {
    // x * (relu6(x + 3) / 6)
    for (int h : {1, 0}) {
      std::vector<int> sub;
      const Op* sixth = SoleProducer(s, root.inputs[static_cast<size_t>(h)], sub);
      if (sixth == nullptr) continue;
      auto r = MatchSixth(s, *sixth);
      if (!r) continue;
      auto cand = MatchRelu6Plus3(s, *r, sub);
      if (cand && *cand == root.inputs[static_cast<size_t>(1 - h)]) {
        x = cand;
        chain = sub;
        break;
      }
    }
  }
  if (!x || g.tensor(*x).shape != g.tensor(out).shape || g.tensor(*x).quant) return false;
  const SourceLoc origin = root.origin;
  for (int op : chain) s.Erase(op);
  s.Erase(i);
  g.AddOp(MakeOp(OpKind::kHardSwish, {*x}, {out}, origin));
  return true;
}

}  // namespace

absl::StatusOr<bool> FuseHardSwishPass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"fused", {OpKind::kMul, OpKind::kDiv}, nullptr, &FuseHardSwish});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
