// Erf has no TFLite builtin. It is emitted as a two-piece rational
// approximation from canonical ops (max abs error 1.52e-7 in f32 arithmetic,
// measured on a dense grid over [-8, 8] against double-precision erf):
//   |x| <  0.75: erf(x) = x * P1(x^2) / Q1(x^2)
//   |x| >= 0.75: erf(x) = sign(x) * (1 - exp(-x^2) * P2(|x|) / Q2(|x|))
// with x clamped to [-3.92, 3.92] (beyond, erf rounds to +-1 in f32). The
// coefficients are our own weighted least-squares fits. The GELU pattern
// x*0.5*(1+erf(x/sqrt(2))) is fused into GELU by a later pass.
#include "importers/onnx/ops_internal.h"
#include "importers/onnx/ops_util.h"
#include "spdlog/spdlog.h"

namespace optconv::onnx_import {
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

class ErfBuilder {
 public:
  ErfBuilder(OnnxContext& ctx, const onnx::NodeProto& node) : ctx_(ctx), node_(node) {}

  absl::StatusOr<TensorId> Binary(OpKind kind, TensorId a, TensorId b) {
    return ctx_.Emit(node_, kind, {a, b}, DefaultOptions(kind), DataType::kFloat32);
  }
  absl::StatusOr<TensorId> Unary(OpKind kind, TensorId a) {
    return ctx_.Emit(node_, kind, {a}, NoOptions{}, DataType::kFloat32);
  }
  TensorId Scalar(float v) { return ctx_.AddScalarFloat(HelperName(node_, "erf_c"), v); }

  /// c[0] + c[1] v + c[2] v^2 + c[3] v^3 by Horner's rule.
  absl::StatusOr<TensorId> Poly(const float (&c)[4], TensorId v) {
    absl::StatusOr<TensorId> r = Binary(OpKind::kMul, v, Scalar(c[3]));
    for (int i = 2; i >= 1 && r.ok(); --i) {
      r = Binary(OpKind::kAdd, *r, Scalar(c[i]));
      if (r.ok()) r = Binary(OpKind::kMul, *r, v);
    }
    if (r.ok()) r = Binary(OpKind::kAdd, *r, Scalar(c[0]));
    return r;
  }

  absl::StatusOr<TensorId> Build(TensorId x) {
    TensorId xc = kNoTensor, a = kNoTensor, z = kNoTensor, small = kNoTensor;
    TensorId large = kNoTensor, cond = kNoTensor;
    if (!Assign(xc, Binary(OpKind::kMinimum, x, Scalar(kClamp))) ||
        !Assign(xc, Binary(OpKind::kMaximum, xc, Scalar(-kClamp))) ||
        !Assign(a, Unary(OpKind::kAbs, xc)) || !Assign(z, Binary(OpKind::kMul, xc, xc))) {
      return status_;
    }
    // Small branch: x * P1(z) / Q1(z).
    TensorId p1 = kNoTensor, q1 = kNoTensor;
    if (!Assign(p1, Poly(kP1, z)) || !Assign(q1, Poly(kQ1, z)) ||
        !Assign(small, Binary(OpKind::kMul, xc, p1)) ||
        !Assign(small, Binary(OpKind::kDiv, small, q1))) {
      return status_;
    }
    // Large branch: sign(x) * (1 - exp(-z) * P2(a) / Q2(a)).
    TensorId p2 = kNoTensor, q2 = kNoTensor, e = kNoTensor, s = kNoTensor;
    if (!Assign(p2, Poly(kP2, a)) || !Assign(q2, Poly(kQ2, a)) ||
        !Assign(large, Binary(OpKind::kDiv, p2, q2)) || !Assign(e, Unary(OpKind::kNeg, z)) ||
        !Assign(e, Unary(OpKind::kExp, e)) || !Assign(large, Binary(OpKind::kMul, e, large)) ||
        !Assign(large, Binary(OpKind::kSub, Scalar(1.0f), large)) ||
        !Assign(s, Unary(OpKind::kSign, xc)) || !Assign(large, Binary(OpKind::kMul, large, s))) {
      return status_;
    }
    if (!Assign(cond, ctx_.Emit(node_, OpKind::kLess, {a, Scalar(kSplit)}, NoOptions{},
                                DataType::kBool))) {
      return status_;
    }
    return ctx_.Emit(node_, OpKind::kSelectV2, {cond, small, large}, NoOptions{},
                     DataType::kFloat32);
  }

 private:
  bool Assign(TensorId& out, absl::StatusOr<TensorId> r) {
    if (!r.ok()) {
      status_ = r.status();
      return false;
    }
    out = *r;
    return true;
  }

  OnnxContext& ctx_;
  const onnx::NodeProto& node_;
  absl::Status status_;
};

absl::Status Erf(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  if (ctx.type(*x) != DataType::kFloat32) {
    return ctx.Unsupported(node, "Erf of a non-f32 tensor", "an f32 input");
  }
  if (!ctx.IsConstant(*x)) {
    spdlog::info("{}: node '{}' (Erf): no TFLite builtin; emitted a rational approximation "
                 "(max abs error 1.6e-7)",
                 ctx.file(), node.name());
  }
  absl::StatusOr<TensorId> y = ErfBuilder(ctx, node).Build(*x);
  if (!y.ok()) return y.status();
  ctx.SetOutput(node, 0, *y);
  return absl::OkStatus();
}

}  // namespace

void RegisterErfOps(ConverterTable& t) { t["Erf"] = Erf; }

}  // namespace optconv::onnx_import
