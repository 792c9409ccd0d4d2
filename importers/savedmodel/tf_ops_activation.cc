// Unary math and activations. Selu has no builtin: it is composed from ELU.
#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"

namespace optconv::tf_import {
namespace {

template <OpKind kKind>
absl::Status Unary(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  return ctx.EmitAndBind(node, kKind, {x});
}

absl::Status Erf(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  if (ctx.type(x) != DataType::kFloat32) {
    return ctx.Unsupported(node, "Erf of a non-f32 tensor", "an f32 input");
  }
  // Internal op: fuse-gelu matches it, lower-erf expands what is left.
  return ctx.EmitAndBind(node, OpKind::kErf, {x});
}

/// erfc(x) = 1 - erf(x) (Keras 3's exact GELU is written with it).
absl::Status Erfc(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  if (ctx.type(x) != DataType::kFloat32) {
    return ctx.Unsupported(node, "Erfc of a non-f32 tensor", "an f32 input");
  }
  TF_ASSIGN_OR_RETURN(TensorId erf,
                      ctx.Emit(node, OpKind::kErf, {x}, NoOptions{}, DataType::kFloat32));
  TensorId one = ctx.AddScalarFloat(HelperName(node, "one"), 1.0f);
  return ctx.EmitAndBind(node, OpKind::kSub, {one, erf}, BinaryOptions{});
}

absl::Status LeakyRelu(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  return ctx.EmitAndBind(node, OpKind::kLeakyRelu, {x},
                         LeakyReluOptions{TfContext::AttrFloat(node, "alpha", 0.2f)});
}

/// selu(x) = scale * (relu(x) + alpha * min(elu(x), 0)).
absl::Status Selu(TfContext& ctx, const tensorflow::NodeDef& node) {
  constexpr float kAlpha = 1.6732632423543772f;
  constexpr float kScale = 1.0507009873554805f;
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  const DataType t = ctx.type(x);
  TF_ASSIGN_OR_RETURN(TensorId elu, ctx.Emit(node, OpKind::kElu, {x}, NoOptions{}, t));
  TensorId zero = ctx.AddScalarFloat(HelperName(node, "zero"), 0.0f);
  TF_ASSIGN_OR_RETURN(TensorId neg, ctx.Emit(node, OpKind::kMinimum, {elu, zero}, NoOptions{}, t));
  TF_ASSIGN_OR_RETURN(TensorId pos, ctx.Emit(node, OpKind::kRelu, {x}, NoOptions{}, t));
  TensorId scale = ctx.AddScalarFloat(HelperName(node, "scale"), kScale);
  TensorId scale_alpha = ctx.AddScalarFloat(HelperName(node, "scale_alpha"), kScale * kAlpha);
  TF_ASSIGN_OR_RETURN(TensorId a, ctx.Emit(node, OpKind::kMul, {pos, scale}, BinaryOptions{}, t));
  TF_ASSIGN_OR_RETURN(TensorId b,
                      ctx.Emit(node, OpKind::kMul, {neg, scale_alpha}, BinaryOptions{}, t));
  return ctx.EmitAndBind(node, OpKind::kAdd, {a, b}, BinaryOptions{});
}

/// 1 / x.
absl::Status Reciprocal(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TensorId one = ctx.AddScalarOfType(HelperName(node, "one"), 1.0, ctx.type(x));
  TF_ASSIGN_OR_RETURN(TensorId y,
                      ctx.Emit(node, OpKind::kDiv, {one, x}, BinaryOptions{}, ctx.type(x)));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

/// softplus(x) = log(exp(x) + 1).
absl::Status Softplus(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  const DataType t = ctx.type(x);
  TF_ASSIGN_OR_RETURN(TensorId e, ctx.Emit(node, OpKind::kExp, {x}, NoOptions{}, t));
  TensorId one = ctx.AddScalarFloat(HelperName(node, "one"), 1.0f);
  TF_ASSIGN_OR_RETURN(TensorId s, ctx.Emit(node, OpKind::kAdd, {e, one}, BinaryOptions{}, t));
  return ctx.EmitAndBind(node, OpKind::kLog, {s});
}

absl::Status Softmax(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  return ctx.EmitAndBind(node, OpKind::kSoftmax, {x}, SoftmaxOptions{1.0f});
}

}  // namespace

void RegisterTfActivationOps(TfConverterTable& t) {
  t.ops["Relu"] = Unary<OpKind::kRelu>;
  t.ops["Relu6"] = Unary<OpKind::kRelu6>;
  t.ops["Elu"] = Unary<OpKind::kElu>;
  t.ops["Selu"] = Selu;
  t.ops["LeakyRelu"] = LeakyRelu;
  t.ops["Sigmoid"] = Unary<OpKind::kLogistic>;
  t.ops["Tanh"] = Unary<OpKind::kTanh>;
  t.ops["Softmax"] = Softmax;
  t.ops["LogSoftmax"] = Unary<OpKind::kLogSoftmax>;
  t.ops["Softplus"] = Softplus;
  t.ops["Square"] = Unary<OpKind::kSquare>;
  t.ops["Sqrt"] = Unary<OpKind::kSqrt>;
  t.ops["Rsqrt"] = Unary<OpKind::kRsqrt>;
  t.ops["Exp"] = Unary<OpKind::kExp>;
  t.ops["Log"] = Unary<OpKind::kLog>;
  t.ops["Neg"] = Unary<OpKind::kNeg>;
  t.ops["Abs"] = Unary<OpKind::kAbs>;
  t.ops["Floor"] = Unary<OpKind::kFloor>;
  t.ops["Ceil"] = Unary<OpKind::kCeil>;
  t.ops["Round"] = Unary<OpKind::kRound>;
  t.ops["Sin"] = Unary<OpKind::kSin>;
  t.ops["Cos"] = Unary<OpKind::kCos>;
  t.ops["Sign"] = Unary<OpKind::kSign>;
  t.ops["Erf"] = Erf;
  t.ops["Erfc"] = Erfc;
  t.ops["Reciprocal"] = Reciprocal;
  t.ops["Inv"] = Reciprocal;
}

}  // namespace optconv::tf_import
