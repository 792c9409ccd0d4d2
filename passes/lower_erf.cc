// Erf as a two-piece rational approximation from canonical ops (max abs error
// 1.52e-7 in f32 arithmetic, measured on a dense grid over [-8, 8] against
// double-precision erf):
//   |x| <  0.75: erf(x) = x * P1(x^2) / Q1(x^2)
//   |x| >= 0.75: erf(x) = sign(x) * (1 - exp(-x^2) * P2(|x|) / Q2(|x|))
// with x clamped to [-3.92, 3.92] (beyond, erf rounds to +-1 in f32). The
// coefficients are our own weighted least-squares fits. 39 ops per Erf, which
// is why fuse-gelu runs first.
#include "passes/lower_erf.h"

#include "converter/status_util.h"
#include "passes/pass_util.h"
#include "passes/rewrite_driver.h"

namespace optconv {
namespace {

constexpr float kClamp = 3.92f;
constexpr float kSplit = 0.75f;
constexpr float kP1[] = {1.128379225730896f, 0.10768026113510132f, 0.03301343694329262f,
                         -8.525542943971232e-05f};
constexpr float kQ1[] = {1.0f, 0.4287624955177307f, 0.07217822223901749f,
                         0.004917176440358162f};
constexpr float kP2[] = {1.0000211000442505f, 0.5715948343276978f, 0.15636706352233887f,
                         -0.0005610614898614585f};
constexpr float kQ2[] = {1.0f, 1.7001866102218628f, 1.0738463401794434f,
                         0.26593029499053955f};

// Appends the ops of one Erf; every intermediate has the input's shape.
class ErfExpander {
 public:
  ErfExpander(Graph& g, const Op& erf)
      : g_(g), origin_(erf.origin), shape_(g.tensor(erf.inputs[0]).shape),
        base_(g.tensor(erf.outputs[0]).name) {}

  void Build(TensorId x, TensorId out) {
    TensorId xc = Binary(OpKind::kMinimum, x, Scalar(kClamp));
    xc = Binary(OpKind::kMaximum, xc, Scalar(-kClamp));
    const TensorId a = Unary(OpKind::kAbs, xc);
    const TensorId z = Binary(OpKind::kMul, xc, xc);
    // Small branch: x * P1(z) / Q1(z).
    TensorId small = Binary(OpKind::kMul, xc, Poly(kP1, z));
    small = Binary(OpKind::kDiv, small, Poly(kQ1, z));
    // Large branch: sign(x) * (1 - exp(-z) * P2(a) / Q2(a)).
    TensorId large = Binary(OpKind::kDiv, Poly(kP2, a), Poly(kQ2, a));
    const TensorId e = Unary(OpKind::kExp, Unary(OpKind::kNeg, z));
    large = Binary(OpKind::kMul, e, large);
    large = Binary(OpKind::kSub, Scalar(1.0f), large);
    large = Binary(OpKind::kMul, large, Unary(OpKind::kSign, xc));
    const TensorId cond = Append(OpKind::kLess, {a, Scalar(kSplit)}, DataType::kBool);
    g_.AddOp(MakeOp(OpKind::kSelectV2, {cond, small, large}, {out}, origin_));
  }

 private:
  TensorId Append(OpKind kind, std::vector<TensorId> inputs, DataType type) {
    const TensorId t = g_.AddActivation(g_.UniqueTensorName(base_ + "_erf"), type, shape_);
    g_.AddOp(MakeOp(kind, std::move(inputs), {t}, origin_));
    return t;
  }
  TensorId Binary(OpKind kind, TensorId a, TensorId b) {
    return Append(kind, {a, b}, DataType::kFloat32);
  }
  TensorId Unary(OpKind kind, TensorId a) { return Append(kind, {a}, DataType::kFloat32); }
  TensorId Scalar(float v) { return AddFloatConstant(g_, base_ + "_erf_c", Shape{}, {v}); }

  // c[0] + c[1] v + c[2] v^2 + c[3] v^3 by Horner's rule.
  TensorId Poly(const float (&c)[4], TensorId v) {
    TensorId r = Binary(OpKind::kMul, v, Scalar(c[3]));
    for (int i = 2; i >= 1; --i) r = Binary(OpKind::kMul, Binary(OpKind::kAdd, r, Scalar(c[i])), v);
    return Binary(OpKind::kAdd, r, Scalar(c[0]));
  }

  Graph& g_;
  SourceLoc origin_;
  Shape shape_;
  std::string base_;
};

absl::StatusOr<bool> LowerErf(RewriteState& s, int i) {
  Graph& g = s.graph();
  const Op erf = g.ops()[static_cast<size_t>(i)];  // copy: AddOp may reallocate
  if (erf.inputs.size() != 1 || erf.outputs.size() != 1 ||
      g.tensor(erf.inputs[0]).type != DataType::kFloat32 || g.tensor(erf.inputs[0]).quant) {
    return NodeError(absl::StatusCode::kUnimplemented, g.source_path, erf.origin,
                     "Erf can only be lowered for one unquantized f32 input");
  }
  s.Erase(i);
  ErfExpander(g, erf).Build(erf.inputs[0], erf.outputs[0]);
  return true;
}

}  // namespace

absl::StatusOr<bool> LowerErfPass::Run(Graph& graph, PassContext& context) {
  std::vector<RewritePattern> patterns;
  patterns.push_back({"lowered", {OpKind::kErf}, nullptr, &LowerErf});
  return ApplyPatterns(graph, patterns, context, name());
}

}  // namespace optconv
