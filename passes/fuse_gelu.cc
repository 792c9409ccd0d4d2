#include "passes/fuse_gelu.h"

#include <cmath>

#include "passes/pattern_util.h"
#include "passes/pass_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

constexpr double kHalf = 0.5;
constexpr double kInvSqrt2 = 0.70710678118654752;
constexpr double kSqrt2OverPi = 0.79788456080286536;
constexpr double kCubic = 0.044715;
constexpr double kTolerance = 1e-5;

// `t` == 1 + f(arg), or 1 - f(arg) (sign -1: TF's erfc form of GELU,
// 1 - erf(-u) = 1 + erf(u)), with f of kind `fn`; returns arg and records the ops.
std::optional<TensorId> MatchOnePlus(const RewriteState& s, TensorId t, OpKind fn,
                                     std::vector<int>& chain, int* sign) {
  const Graph& g = s.graph();
  *sign = 1;
  if (const Op* sub = SingleUseProducer(s, t, OpKind::kSub);
      sub != nullptr && HasNoActivation(*sub) &&
      IsScalarConstNear(g, sub->inputs[0], 1.0, kTolerance)) {
    const Op* f = SingleUseProducer(s, sub->inputs[1], fn);
    if (f == nullptr) return std::nullopt;
    chain.push_back(s.Producer(t));
    chain.push_back(s.Producer(sub->inputs[1]));
    *sign = -1;
    return f->inputs[0];
  }
  const Op* add = SingleUseProducer(s, t, OpKind::kAdd);
  if (add == nullptr || !HasNoActivation(*add)) return std::nullopt;
  for (int c : {1, 0}) {
    if (!IsScalarConstNear(g, add->inputs[static_cast<size_t>(c)], 1.0, kTolerance)) continue;
    const Op* f = SingleUseProducer(s, add->inputs[static_cast<size_t>(1 - c)], fn);
    if (f == nullptr) return std::nullopt;
    chain.push_back(s.Producer(t));
    chain.push_back(s.Producer(add->inputs[static_cast<size_t>(1 - c)]));
    return f->inputs[0];
  }
  return std::nullopt;
}

// True when all factors are `x`, `count` of them (POW(x,3)/SQUARE(x) already
// expanded by CollectProduct).
bool IsPowerOf(const Product& p, TensorId x, size_t count) {
  if (p.factors.size() != count) return false;
  for (TensorId f : p.factors) {
    if (f != x) return false;
  }
  return true;
}

// `v` == sqrt(2/pi) * (x + 0.044715 x^3), factored or expanded.
bool MatchTanhArgument(const RewriteState& s, TensorId v, TensorId x, std::vector<int>& chain) {
  Product outer = CollectProduct(s, v);
  double k = outer.scale;
  TensorId sum = v;
  if (outer.factors.size() == 1 && outer.factors[0] != v) {
    sum = outer.factors[0];
  } else {
    outer = Product{};
    k = 1.0;
  }
  const Op* add = SingleUseProducer(s, sum, OpKind::kAdd);
  if (add == nullptr || !HasNoActivation(*add)) return false;
  for (int lin : {0, 1}) {
    Product linear = CollectProduct(s, add->inputs[static_cast<size_t>(lin)]);
    Product cubic = CollectProduct(s, add->inputs[static_cast<size_t>(1 - lin)]);
    if (!IsPowerOf(linear, x, 1) || !IsPowerOf(cubic, x, 3)) continue;
    if (!Near(k * linear.scale, kSqrt2OverPi, kTolerance) ||
        !Near(k * cubic.scale, kSqrt2OverPi * kCubic, kTolerance)) {
      return false;
    }
    chain.insert(chain.end(), outer.ops.begin(), outer.ops.end());
    chain.push_back(s.Producer(sum));
    chain.insert(chain.end(), linear.ops.begin(), linear.ops.end());
    chain.insert(chain.end(), cubic.ops.begin(), cubic.ops.end());
    return true;
  }
  return false;
}

// Fuses the product rooted at op `i` when it is x * 0.5 * (1 + f(..)) with f
// erf (exact) or tanh (approximate) and the matching argument.
absl::StatusOr<bool> FuseGelu(RewriteState& s, int i, bool approximate) {
  Graph& g = s.graph();
  const Op& root = g.ops()[static_cast<size_t>(i)];
  if (!HasNoActivation(root)) return false;
  const TensorId out = root.outputs[0];
  const Product product = CollectProductOfOp(s, i);
  if (product.factors.size() != 2 || !Near(product.scale, kHalf, kTolerance)) return false;
  for (int k : {0, 1}) {
    const TensorId x = product.factors[static_cast<size_t>(k)];
    const TensorId other = product.factors[static_cast<size_t>(1 - k)];
    if (g.tensor(x).shape != g.tensor(out).shape || g.tensor(x).quant ||
        g.tensor(x).type != DataType::kFloat32) {
      continue;
    }
    std::vector<int> chain = product.ops;
    int sign = 1;
    auto arg = MatchOnePlus(s, other, approximate ? OpKind::kTanh : OpKind::kErf, chain, &sign);
    if (!arg) continue;
    if (approximate) {
      if (sign < 0 || !MatchTanhArgument(s, *arg, x, chain)) continue;
    } else {
      // erf's argument is sign * x / sqrt(2): a scale of x, or of NEG(x).
      const Product scaled = CollectProduct(s, *arg);
      const double want = sign * kInvSqrt2;
      if (IsPowerOf(scaled, x, 1) && Near(scaled.scale, want, kTolerance)) {
        chain.insert(chain.end(), scaled.ops.begin(), scaled.ops.end());
      } else if (scaled.factors.size() == 1 && Near(scaled.scale, -want, kTolerance)) {
        const Op* neg = SingleUseProducer(s, scaled.factors[0], OpKind::kNeg);
        if (neg == nullptr || neg->inputs[0] != x) continue;
        chain.insert(chain.end(), scaled.ops.begin(), scaled.ops.end());
        chain.push_back(s.Producer(scaled.factors[0]));
      } else {
        continue;
      }
    }
    const SourceLoc origin = root.origin;
    for (int op : chain) s.Erase(op);
    Op gelu = MakeOp(OpKind::kGelu, {x}, {out}, origin);
    gelu.opts<GeluOptions>().approximate = approximate;
    g.AddOp(std::move(gelu));
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<bool> FuseGeluPass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"exact", {OpKind::kMul, OpKind::kDiv}, nullptr,
                      [](RewriteState& s, int i) { return FuseGelu(s, i, false); }});
  patterns.push_back({"tanh", {OpKind::kMul, OpKind::kDiv}, nullptr,
                      [](RewriteState& s, int i) { return FuseGelu(s, i, true); }});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
