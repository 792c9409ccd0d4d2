#include "passes/fuse_simple_patterns.h"

#include "passes/pass_util.h"
#include "passes/pattern_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

bool IsPlainFloat(const Graph& g, TensorId t) {
  return t >= 0 && g.tensor(t).type == DataType::kFloat32 && !g.tensor(t).quant;
}

// Replaces op `i` by a new op of `kind` writing the same output.
Op& ReplaceOp(RewriteState& s, int i, OpKind kind, std::vector<TensorId> inputs) {
  Graph& g = s.graph();
  const Op& old = g.ops()[static_cast<size_t>(i)];
  Op op = MakeOp(kind, std::move(inputs), old.outputs, old.origin);
  s.Erase(i);
  g.AddOp(std::move(op));
  return g.ops().back();
}

// POW(x, c) with c one of 2, 0.5, -0.5.
absl::StatusOr<bool> PowByConstant(RewriteState& s, int i, double exponent, OpKind kind) {
  const Op& op = s.graph().ops()[static_cast<size_t>(i)];
  if (op.inputs.size() != 2 || !IsPlainFloat(s.graph(), op.outputs[0]) ||
      !IsScalarConstNear(s.graph(), op.inputs[1], exponent, 0.0)) {
    return false;
  }
  if (s.graph().tensor(op.inputs[0]).shape != s.graph().tensor(op.outputs[0]).shape) return false;
  ReplaceOp(s, i, kind, {op.inputs[0]});
  return true;
}

// 1 / SQRT(x) -> RSQRT(x); a / SQRT(b) -> a * RSQRT(b).
absl::StatusOr<bool> DivBySqrt(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op op = g.ops()[static_cast<size_t>(i)];
  if (op.inputs.size() != 2 || !IsPlainFloat(g, op.outputs[0])) return false;
  const Op* sqrt = SingleUseProducer(s, op.inputs[1], OpKind::kSqrt);
  if (sqrt == nullptr) return false;
  const TensorId b = sqrt->inputs[0];
  const int sqrt_index = s.Producer(op.inputs[1]);
  if (IsScalarConstNear(g, op.inputs[0], 1.0, 0.0) &&
      g.tensor(b).shape == g.tensor(op.outputs[0]).shape && HasNoActivation(op)) {
    s.Erase(sqrt_index);
    ReplaceOp(s, i, OpKind::kRsqrt, {b});
    return true;
  }
  // The SQRT's output keeps its tensor (same shape) and now holds RSQRT(b).
  g.ops()[static_cast<size_t>(sqrt_index)].kind = OpKind::kRsqrt;
  Op& mul = ReplaceOp(s, i, OpKind::kMul, op.inputs);
  mul.opts<BinaryOptions>().activation = op.opts<BinaryOptions>().activation;
  return true;
}

// SQUARE(a - b) or MUL(d, d) with d = a - b.
absl::StatusOr<bool> SquaredDifference(RewriteState& s, int i) {
  const Graph& g = s.graph();
  const Op& op = g.ops()[static_cast<size_t>(i)];
  if (!IsPlainFloat(g, op.outputs[0]) || !HasNoActivation(op)) return false;
  TensorId d = op.inputs[0];
  if (op.kind == OpKind::kMul) {
    if (op.inputs.size() != 2 || op.inputs[1] != d || s.UseCount(d) != 2 || g.IsGraphOutput(d)) {
      return false;
    }
  } else if (!s.HasSingleUse(d)) {
    return false;
  }
  const int sub_index = s.Producer(d);
  if (sub_index < 0) return false;
  const Op& sub = g.ops()[static_cast<size_t>(sub_index)];
  if (sub.kind != OpKind::kSub || !HasNoActivation(sub) || sub.inputs.size() != 2) return false;
  // TFLite's kernel broadcasts up to rank 4; the operands must be plain f32.
  if (g.tensor(op.outputs[0]).shape.size() > 4 || !IsPlainFloat(g, sub.inputs[0]) ||
      !IsPlainFloat(g, sub.inputs[1])) {
    return false;
  }
  const std::vector<TensorId> ab = sub.inputs;
  s.Erase(sub_index);
  ReplaceOp(s, i, OpKind::kSquaredDifference, ab);
  return true;
}

// `t` == x * a with a one-element constant; returns a.
std::optional<double> ScaleOf(const RewriteState& s, TensorId t, TensorId x, int& mul_index) {
  const Op* mul = SingleUseProducer(s, t, OpKind::kMul);
  if (mul == nullptr || !HasNoActivation(*mul) || mul->inputs.size() != 2) return std::nullopt;
  for (int c : {1, 0}) {
    if (mul->inputs[static_cast<size_t>(1 - c)] != x) continue;
    if (auto a = ScalarConst(s.graph(), mul->inputs[static_cast<size_t>(c)])) {
      mul_index = s.Producer(t);
      return a;
    }
  }
  return std::nullopt;
}

void EmitLeakyRelu(RewriteState& s, int i, TensorId x, double alpha) {
  Op& op = ReplaceOp(s, i, OpKind::kLeakyRelu, {x});
  op.opts<LeakyReluOptions>().alpha = static_cast<float>(alpha);
}

// MAXIMUM(x, a*x) with 0 < a < 1.
absl::StatusOr<bool> LeakyReluMax(RewriteState& s, int i) {
  const Graph& g = s.graph();
  const Op& op = g.ops()[static_cast<size_t>(i)];
  if (op.inputs.size() != 2 || !IsPlainFloat(g, op.outputs[0])) return false;
  for (int k : {0, 1}) {
    const TensorId x = op.inputs[static_cast<size_t>(k)];
    int mul = -1;
    auto a = ScaleOf(s, op.inputs[static_cast<size_t>(1 - k)], x, mul);
    if (!a || !(*a > 0.0 && *a < 1.0) || g.tensor(x).shape != g.tensor(op.outputs[0]).shape) {
      continue;
    }
    s.Erase(mul);
    EmitLeakyRelu(s, i, x, *a);
    return true;
  }
  return false;
}

// SELECT_V2(x > 0, x, a*x) (also 0 < x).
absl::StatusOr<bool> LeakyReluSelect(RewriteState& s, int i) {
  const Graph& g = s.graph();
  const Op& op = g.ops()[static_cast<size_t>(i)];
  if (op.inputs.size() != 3 || !IsPlainFloat(g, op.outputs[0])) return false;
  const TensorId x = op.inputs[1];
  const int cmp_index = s.Producer(op.inputs[0]);
  if (cmp_index < 0 || !s.HasSingleUse(op.inputs[0])) return false;
  const Op& cmp = g.ops()[static_cast<size_t>(cmp_index)];
  const bool x_gt_0 = cmp.kind == OpKind::kGreater && cmp.inputs[0] == x &&
                      IsScalarConstNear(g, cmp.inputs[1], 0.0);
  const bool zero_lt_x = cmp.kind == OpKind::kLess && cmp.inputs[1] == x &&
                         IsScalarConstNear(g, cmp.inputs[0], 0.0);
  if (!x_gt_0 && !zero_lt_x) return false;
  int mul = -1;
  auto a = ScaleOf(s, op.inputs[2], x, mul);
  if (!a || g.tensor(x).shape != g.tensor(op.outputs[0]).shape) return false;
  s.Erase(mul);
  s.Erase(cmp_index);
  EmitLeakyRelu(s, i, x, *a);
  return true;
}

// RELU(x) - a * RELU(-x)  or  RELU(x) + b * RELU(-x) with b = -a.
absl::StatusOr<bool> Prelu(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op& op = g.ops()[static_cast<size_t>(i)];
  if (op.inputs.size() != 2 || !HasNoActivation(op) || !IsPlainFloat(g, op.outputs[0])) return false;
  const bool sub = op.kind == OpKind::kSub;
  for (int k : {0, 1}) {
    if (sub && k == 1) break;
    const Op* pos = SingleUseProducer(s, op.inputs[static_cast<size_t>(k)], OpKind::kRelu);
    const Op* mul = SingleUseProducer(s, op.inputs[static_cast<size_t>(1 - k)], OpKind::kMul);
    if (pos == nullptr || mul == nullptr || !HasNoActivation(*mul)) continue;
    const TensorId x = pos->inputs[0];
    for (int c : {0, 1}) {
      const TensorId coeff = mul->inputs[static_cast<size_t>(c)];
      auto values = ConstFloats(g, coeff);
      const Op* neg_relu = SingleUseProducer(s, mul->inputs[static_cast<size_t>(1 - c)], OpKind::kRelu);
      if (!values || values->empty() || neg_relu == nullptr) continue;
      const Op* neg = SingleUseProducer(s, neg_relu->inputs[0], OpKind::kNeg);
      if (neg == nullptr || neg->inputs[0] != x) continue;
      // alpha must broadcast to x without changing the output shape.
      if (g.tensor(x).shape != g.tensor(op.outputs[0]).shape ||
          g.tensor(coeff).shape.size() > g.tensor(x).shape.size()) {
        continue;
      }
      std::vector<float> alpha = *values;
      if (!sub) {
        for (float& a : alpha) a = -a;
      }
      for (TensorId t : {op.inputs[0], op.inputs[1], mul->inputs[static_cast<size_t>(1 - c)],
                         neg_relu->inputs[0]}) {
        s.Erase(s.Producer(t));
      }
      if (alpha.size() == 1) {
        EmitLeakyRelu(s, i, x, alpha[0]);
      } else {
        const Shape shape = g.tensor(coeff).shape;
        const TensorId a = AddFloatConstant(g, g.tensor(coeff).name + "_alpha", shape, alpha);
        ReplaceOp(s, i, OpKind::kPrelu, {x, a});
      }
      return true;
    }
  }
  return false;
}

// ADD(a, NEG(b)) -> SUB(a, b); ADD(a, MUL(NEG(b), c)) -> SUB(a, MUL(b, c))
// (Keras 3's layer norm: x*s + (beta + NEG(mean)*s)).
absl::StatusOr<bool> AddNegated(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op& add = g.ops()[static_cast<size_t>(i)];
  if (add.inputs.size() != 2 || !IsPlainFloat(g, add.outputs[0])) return false;
  for (int k : {1, 0}) {
    const TensorId term = add.inputs[static_cast<size_t>(k)];
    const TensorId other = add.inputs[static_cast<size_t>(1 - k)];
    const Activation act = add.opts<BinaryOptions>().activation;
    if (const Op* neg = SingleUseProducer(s, term, OpKind::kNeg)) {
      const TensorId b = neg->inputs[0];
      s.Erase(s.Producer(term));
      ReplaceOp(s, i, OpKind::kSub, {other, b}).opts<BinaryOptions>().activation = act;
      return true;
    }
    const Op* mul = SingleUseProducer(s, term, OpKind::kMul);
    if (mul == nullptr || !HasNoActivation(*mul) || mul->inputs.size() != 2) continue;
    for (int m : {0, 1}) {
      const TensorId negated = mul->inputs[static_cast<size_t>(m)];
      const Op* neg = SingleUseProducer(s, negated, OpKind::kNeg);
      if (neg == nullptr) continue;
      const TensorId b = neg->inputs[0];
      const int mul_index = s.Producer(term);
      s.Erase(s.Producer(negated));
      g.ops()[static_cast<size_t>(mul_index)].inputs[static_cast<size_t>(m)] = b;
      ReplaceOp(s, i, OpKind::kSub, {other, term}).opts<BinaryOptions>().activation = act;
      return true;
    }
  }
  return false;
}

// The other operand of a single-use MUL producing `t` when one operand is `s`.
std::optional<TensorId> FactorBeside(const RewriteState& s, TensorId t, TensorId scale) {
  const Op* mul = SingleUseProducer(s, t, OpKind::kMul);
  if (mul == nullptr || !HasNoActivation(*mul) || mul->inputs.size() != 2) return std::nullopt;
  if (mul->inputs[1] == scale) return mul->inputs[0];
  if (mul->inputs[0] == scale) return mul->inputs[1];
  return std::nullopt;
}

// x*s + (b - m*s) -> (x - m)*s + b: the batch-norm-style layer norm of Keras
// and TF (moments, then one scale and one shift), one op fewer and without
// the cancellation of x*s - m*s.
absl::StatusOr<bool> CenterBeforeScale(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op& add = g.ops()[static_cast<size_t>(i)];
  if (add.inputs.size() != 2 || !IsPlainFloat(g, add.outputs[0])) return false;
  for (int k : {0, 1}) {
    const TensorId scaled = add.inputs[static_cast<size_t>(k)];
    const TensorId shift = add.inputs[static_cast<size_t>(1 - k)];
    const Op* mul_x = SingleUseProducer(s, scaled, OpKind::kMul);
    const Op* sub = SingleUseProducer(s, shift, OpKind::kSub);
    if (mul_x == nullptr || sub == nullptr || !HasNoActivation(*mul_x) ||
        !HasNoActivation(*sub) || mul_x->inputs.size() != 2) {
      continue;
    }
    for (int xs : {0, 1}) {
      const TensorId x = mul_x->inputs[static_cast<size_t>(xs)];
      const TensorId scale = mul_x->inputs[static_cast<size_t>(1 - xs)];
      std::optional<TensorId> m = FactorBeside(s, sub->inputs[1], scale);
      if (!m) continue;
      const TensorId b = sub->inputs[0];
      // x - m must have the shape the SUB produced (x*s and b - m*s did).
      const Shape& xs_shape = g.tensor(x).shape;
      if (xs_shape != g.tensor(shift).shape || xs_shape != g.tensor(scaled).shape) continue;
      const int mul_x_index = s.Producer(scaled), sub_index = s.Producer(shift);
      s.Erase(s.Producer(sub->inputs[1]));
      Op& centered = g.ops()[static_cast<size_t>(sub_index)];
      centered.inputs = {x, *m};
      Op& times = g.ops()[static_cast<size_t>(mul_x_index)];
      times.inputs = {shift, scale};
      Op& root = g.ops()[static_cast<size_t>(i)];
      root.inputs = {scaled, b};
      return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<bool> FuseSimplePatternsPass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> p;
  p.push_back({"pow_square", {OpKind::kPow}, nullptr,
               [](RewriteState& s, int i) { return PowByConstant(s, i, 2.0, OpKind::kSquare); }});
  p.push_back({"pow_sqrt", {OpKind::kPow}, nullptr,
               [](RewriteState& s, int i) { return PowByConstant(s, i, 0.5, OpKind::kSqrt); }});
  p.push_back({"rsqrt", {OpKind::kPow}, nullptr,
               [](RewriteState& s, int i) { return PowByConstant(s, i, -0.5, OpKind::kRsqrt); }});
  p.push_back({"rsqrt", {OpKind::kDiv}, nullptr, &DivBySqrt});
  p.push_back({"squared_difference", {OpKind::kSquare, OpKind::kMul}, nullptr, &SquaredDifference});
  p.push_back({"leaky_relu", {OpKind::kMaximum}, nullptr, &LeakyReluMax});
  p.push_back({"leaky_relu", {OpKind::kSelectV2}, nullptr, &LeakyReluSelect});
  p.push_back({"prelu", {OpKind::kSub, OpKind::kAdd}, nullptr, &Prelu});
  p.push_back({"add_negated", {OpKind::kAdd}, nullptr, &AddNegated});
  p.push_back({"center_before_scale", {OpKind::kAdd}, nullptr, &CenterBeforeScale});
  return ApplyPatterns(graph, p, context, name());
}

}  // namespace optconv
