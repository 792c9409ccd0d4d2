// Unary math and activations: one TFLite builtin where one exists, small
// compositions of canonical ops otherwise (HardSigmoid, Elu, Softplus...).
#include <cmath>
#include <limits>

#include "importers/onnx/ops_internal.h"
#include "importers/onnx/ops_util.h"

namespace optconv::onnx_import {
namespace {

absl::Status Unary(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  return EmitAndBind(ctx, node, kind, {*x}, DefaultOptions(kind));
}

/// Emits op(a, scalar) with the scalar in a's type.
absl::StatusOr<TensorId> WithScalar(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind,
                                    TensorId a, double value, const std::string& what) {
  TensorId s = ctx.AddScalarOfType(HelperName(node, what), value, ctx.type(a));
  return ctx.Emit(node, kind, {a, s}, DefaultOptions(kind), ctx.type(a));
}

// A chain of emits that stops at the first error.
#define OPTCONV_ASSIGN(lhs, expr)          \
  do {                                     \
    auto _r = (expr);                      \
    if (!_r.ok()) return _r.status();      \
    lhs = *_r;                             \
  } while (false)

absl::Status Bind(OnnxContext& ctx, const onnx::NodeProto& node, TensorId out) {
  ctx.SetOutput(node, 0, out);
  return absl::OkStatus();
}

bool IsFloat(DataType t) { return t == DataType::kFloat32 || t == DataType::kFloat16; }

/// One Clip bound: an attribute before opset 11, an optional input after.
/// Returns the constant value (nullopt when absent or infinite) or a tensor.
struct Bound {
  std::optional<float> value;
  TensorId tensor = kNoTensor;
};

absl::StatusOr<Bound> ClipBound(OnnxContext& ctx, const onnx::NodeProto& node, int index,
                                const char* attr) {
  Bound b;
  if (ctx.opset() < 11) {
    if (OnnxContext::FindAttr(node, attr) != nullptr) b.value = OnnxContext::AttrFloat(node, attr, 0);
  } else if (OnnxContext::HasInput(node, index)) {
    absl::StatusOr<TensorId> t = ctx.Input(node, index);
    if (!t.ok()) return t.status();
    std::optional<std::vector<float>> v = ctx.ConstantFloats(*t);
    if (v && v->size() == 1) {
      b.value = v->front();
    } else {
      b.tensor = *t;
    }
  }
  if (b.value && std::isinf(*b.value)) b.value.reset();
  // ONNX exporters write FLT_MAX for "no bound" before opset 11.
  if (b.value && std::abs(*b.value) >= std::numeric_limits<float>::max()) b.value.reset();
  return b;
}

absl::Status Clip(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  absl::StatusOr<Bound> lo = ClipBound(ctx, node, 1, "min");
  if (!lo.ok()) return lo.status();
  absl::StatusOr<Bound> hi = ClipBound(ctx, node, 2, "max");
  if (!hi.ok()) return hi.status();
  const bool consts = lo->tensor == kNoTensor && hi->tensor == kNoTensor;
  if (consts && IsFloat(ctx.type(*x)) && lo->value == 0.0f) {
    if (hi->value == 6.0f) return EmitAndBind(ctx, node, OpKind::kRelu6, {*x});
    if (!hi->value) return EmitAndBind(ctx, node, OpKind::kRelu, {*x});
  }
  if (consts && IsFloat(ctx.type(*x)) && lo->value == -1.0f && hi->value == 1.0f) {
    return EmitAndBind(ctx, node, OpKind::kReluN1To1, {*x});
  }
  TensorId y = *x;
  if (lo->tensor != kNoTensor) {
    TensorId bound;
    OPTCONV_ASSIGN(bound, ctx.EmitCast(node, lo->tensor, ctx.type(y)));
    OPTCONV_ASSIGN(y, ctx.Emit(node, OpKind::kMaximum, {y, bound}, NoOptions{}, ctx.type(y)));
  } else if (lo->value) {
    OPTCONV_ASSIGN(y, WithScalar(ctx, node, OpKind::kMaximum, y, *lo->value, "min"));
  }
  if (hi->tensor != kNoTensor) {
    TensorId bound;
    OPTCONV_ASSIGN(bound, ctx.EmitCast(node, hi->tensor, ctx.type(y)));
    OPTCONV_ASSIGN(y, ctx.Emit(node, OpKind::kMinimum, {y, bound}, NoOptions{}, ctx.type(y)));
  } else if (hi->value) {
    OPTCONV_ASSIGN(y, WithScalar(ctx, node, OpKind::kMinimum, y, *hi->value, "max"));
  }
  return Bind(ctx, node, y);
}

absl::Status LeakyRelu(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  LeakyReluOptions o;
  o.alpha = OnnxContext::AttrFloat(node, "alpha", 0.01f);
  return EmitAndBind(ctx, node, OpKind::kLeakyRelu, {*x}, o);
}

// PRELU keeps ONNX semantics: the slope broadcasts against the channels-first
// input; the layout pass permutes constant slopes with the data.
absl::Status PRelu(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  absl::StatusOr<TensorId> slope = ctx.Input(node, 1);
  if (!slope.ok()) return slope.status();
  return EmitAndBind(ctx, node, OpKind::kPrelu, {*x, *slope});
}

// max(0, min(1, alpha*x + beta)) == relu6(6*alpha*x + 6*beta) / 6.
absl::Status HardSigmoid(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const float alpha = OnnxContext::AttrFloat(node, "alpha", 0.2f);
  const float beta = OnnxContext::AttrFloat(node, "beta", 0.5f);
  TensorId y;
  OPTCONV_ASSIGN(y, WithScalar(ctx, node, OpKind::kMul, *x, 6.0 * alpha, "scale"));
  OPTCONV_ASSIGN(y, WithScalar(ctx, node, OpKind::kAdd, y, 6.0 * beta, "shift"));
  OPTCONV_ASSIGN(y, ctx.Emit(node, OpKind::kRelu6, {y}, NoOptions{}, ctx.type(y)));
  OPTCONV_ASSIGN(y, WithScalar(ctx, node, OpKind::kMul, y, 1.0 / 6.0, "sixth"));
  return Bind(ctx, node, y);
}

/// alpha * (exp(min(x, 0)) - 1) + relu(x): the ELU family for any alpha.
absl::StatusOr<TensorId> EluComposite(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                      float alpha) {
  TensorId neg, pos;
  OPTCONV_ASSIGN(neg, WithScalar(ctx, node, OpKind::kMinimum, x, 0.0, "zero"));
  OPTCONV_ASSIGN(neg, ctx.Emit(node, OpKind::kExp, {neg}, NoOptions{}, ctx.type(x)));
  OPTCONV_ASSIGN(neg, WithScalar(ctx, node, OpKind::kSub, neg, 1.0, "one"));
  OPTCONV_ASSIGN(neg, WithScalar(ctx, node, OpKind::kMul, neg, alpha, "alpha"));
  OPTCONV_ASSIGN(pos, ctx.Emit(node, OpKind::kRelu, {x}, NoOptions{}, ctx.type(x)));
  return ctx.Emit(node, OpKind::kAdd, {pos, neg}, BinaryOptions{}, ctx.type(x));
}

absl::Status Elu(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const float alpha = OnnxContext::AttrFloat(node, "alpha", 1.0f);
  if (alpha == 1.0f) return EmitAndBind(ctx, node, OpKind::kElu, {*x});
  TensorId y;
  OPTCONV_ASSIGN(y, EluComposite(ctx, node, *x, alpha));
  return Bind(ctx, node, y);
}

absl::Status Selu(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const float alpha = OnnxContext::AttrFloat(node, "alpha", 1.67326319217681884765625f);
  const float gamma = OnnxContext::AttrFloat(node, "gamma", 1.05070102214813232421875f);
  TensorId y;
  OPTCONV_ASSIGN(y, EluComposite(ctx, node, *x, alpha));
  OPTCONV_ASSIGN(y, WithScalar(ctx, node, OpKind::kMul, y, gamma, "gamma"));
  return Bind(ctx, node, y);
}

/// softplus(x) = relu(x) + log(1 + exp(-|x|)), stable for large |x|.
absl::StatusOr<TensorId> SoftplusOf(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x) {
  const DataType t = ctx.type(x);
  TensorId e, pos;
  OPTCONV_ASSIGN(e, ctx.Emit(node, OpKind::kAbs, {x}, NoOptions{}, t));
  OPTCONV_ASSIGN(e, ctx.Emit(node, OpKind::kNeg, {e}, NoOptions{}, t));
  OPTCONV_ASSIGN(e, ctx.Emit(node, OpKind::kExp, {e}, NoOptions{}, t));
  OPTCONV_ASSIGN(e, WithScalar(ctx, node, OpKind::kAdd, e, 1.0, "one"));
  OPTCONV_ASSIGN(e, ctx.Emit(node, OpKind::kLog, {e}, NoOptions{}, t));
  OPTCONV_ASSIGN(pos, ctx.Emit(node, OpKind::kRelu, {x}, NoOptions{}, t));
  return ctx.Emit(node, OpKind::kAdd, {pos, e}, BinaryOptions{}, t);
}

absl::Status Softplus(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  TensorId y;
  OPTCONV_ASSIGN(y, SoftplusOf(ctx, node, *x));
  return Bind(ctx, node, y);
}

absl::Status Mish(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  TensorId y;
  OPTCONV_ASSIGN(y, SoftplusOf(ctx, node, *x));
  OPTCONV_ASSIGN(y, ctx.Emit(node, OpKind::kTanh, {y}, NoOptions{}, ctx.type(y)));
  OPTCONV_ASSIGN(y, ctx.Emit(node, OpKind::kMul, {*x, y}, BinaryOptions{}, ctx.type(y)));
  return Bind(ctx, node, y);
}

absl::Status Reciprocal(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  TensorId one = ctx.AddScalarOfType(HelperName(node, "one"), 1.0, ctx.type(*x));
  TensorId y;
  OPTCONV_ASSIGN(y, ctx.Emit(node, OpKind::kDiv, {one, *x}, BinaryOptions{}, ctx.type(*x)));
  return Bind(ctx, node, y);
}

absl::Status Gelu(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const std::string approx = OnnxContext::AttrString(node, "approximate", "none");
  if (approx != "none" && approx != "tanh") {
    return ctx.Unsupported(node, "approximate='" + approx + "'", "'none' or 'tanh'");
  }
  GeluOptions o;
  o.approximate = approx == "tanh";
  return EmitAndBind(ctx, node, OpKind::kGelu, {*x}, o);
}

#undef OPTCONV_ASSIGN

}  // namespace

void RegisterActivationOps(ConverterTable& t) {
  // Function pointers cannot capture the kind, so each gets its own lambda.
#define OPTCONV_UNARY(name, kind) \
  t[name] = [](OnnxContext& c, const onnx::NodeProto& n) { return Unary(c, n, kind); }
  OPTCONV_UNARY("Relu", OpKind::kRelu);
  OPTCONV_UNARY("Sigmoid", OpKind::kLogistic);
  OPTCONV_UNARY("Tanh", OpKind::kTanh);
  OPTCONV_UNARY("Exp", OpKind::kExp);
  OPTCONV_UNARY("Log", OpKind::kLog);
  OPTCONV_UNARY("Neg", OpKind::kNeg);
  OPTCONV_UNARY("Abs", OpKind::kAbs);
  OPTCONV_UNARY("Floor", OpKind::kFloor);
  OPTCONV_UNARY("Ceil", OpKind::kCeil);
  OPTCONV_UNARY("Round", OpKind::kRound);
  OPTCONV_UNARY("Sin", OpKind::kSin);
  OPTCONV_UNARY("Cos", OpKind::kCos);
  OPTCONV_UNARY("Sqrt", OpKind::kSqrt);
  OPTCONV_UNARY("Sign", OpKind::kSign);
  OPTCONV_UNARY("HardSwish", OpKind::kHardSwish);
#undef OPTCONV_UNARY
  t["Clip"] = Clip;
  t["LeakyRelu"] = LeakyRelu;
  t["PRelu"] = PRelu;
  t["HardSigmoid"] = HardSigmoid;
  t["Elu"] = Elu;
  t["Selu"] = Selu;
  t["Softplus"] = Softplus;
  t["Mish"] = Mish;
  t["Reciprocal"] = Reciprocal;
  t["Gelu"] = Gelu;
  RegisterErfOps(t);
}

}  // namespace optconv::onnx_import
