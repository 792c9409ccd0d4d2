// BatchNormalization (inference) -> per-channel MUL + ADD on the channels-last
// tensor (the fusion pass folds them into a preceding conv);
// InstanceNormalization and LayerNormalization -> MEAN / SQUARED_DIFFERENCE /
// RSQRT / MUL / ADD decompositions (TFLite has no normalization builtin).
#include <cmath>

#include "absl/strings/str_cat.h"
#include "importers/onnx/nn_util.h"
#include "importers/onnx/op_families.h"

namespace optconv::onnx_import {
namespace {

// A per-channel constant parameter of length `channels`.
absl::StatusOr<std::vector<float>> ChannelParam(OnnxContext& ctx, const onnx::NodeProto& node,
                                                int index, const char* what, int64_t channels) {
  NN_ASSIGN_OR_RETURN(TensorId id, ctx.Input(node, index));
  std::optional<std::vector<float>> v = ctx.ConstantFloats(id);
  if (!v) {
    return ctx.Unsupported(node, absl::StrCat(what, " computed at run time"),
                           absl::StrCat("a constant ", what));
  }
  if (channels >= 0 && static_cast<int64_t>(v->size()) != channels) {
    return ctx.Invalid(node, absl::StrCat(what, " has ", v->size(), " values"),
                       absl::StrCat(channels, " (one per channel)"));
  }
  return *v;
}

absl::Status ConvertBatchNorm(OnnxContext& ctx, const onnx::NodeProto& node) {
  if (OnnxContext::AttrInt(node, "training_mode", 0) != 0) {
    return ctx.Unsupported(node, "training_mode = 1", "inference-mode BatchNormalization");
  }
  for (int i = 1; i < node.output_size(); ++i) {
    if (OutputUsed(ctx, node, i)) {
      return ctx.Unsupported(node, "training outputs (running mean/var, saved statistics)",
                             "only output Y");
    }
  }
  if (OnnxContext::AttrInt(node, "spatial", 1) != 1) {
    return ctx.Unsupported(node, "spatial = 0", "spatial = 1");
  }
  NN_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  const int r = ctx.rank(x);
  if (r < 2) return ctx.Invalid(node, absl::StrCat("rank-", r, " input"), "rank >= 2 (N, C, ...)");
  const int64_t c = ctx.shape(x)[1];
  NN_ASSIGN_OR_RETURN(std::vector<float> scale, ChannelParam(ctx, node, 1, "scale", c));
  const int64_t channels = static_cast<int64_t>(scale.size());
  NN_ASSIGN_OR_RETURN(std::vector<float> bias, ChannelParam(ctx, node, 2, "bias", channels));
  NN_ASSIGN_OR_RETURN(std::vector<float> mean, ChannelParam(ctx, node, 3, "mean", channels));
  NN_ASSIGN_OR_RETURN(std::vector<float> var, ChannelParam(ctx, node, 4, "variance", channels));
  const double eps = OnnxContext::AttrFloat(node, "epsilon", 1e-5f);
  std::vector<float> mul(channels), add(channels);
  for (int64_t i = 0; i < channels; ++i) {
    const double s = scale[i] / std::sqrt(static_cast<double>(var[i]) + eps);
    mul[i] = static_cast<float>(s);
    add[i] = static_cast<float>(bias[i] - mean[i] * s);
  }
  const std::string base = NodeBaseName(node);
  TensorId xn = x;
  if (r > 2) {
    NN_ASSIGN_OR_RETURN(xn, ctx.ToChannelsLast(node, x));
  }
  TensorId mul_id = ctx.AddConstFloats(base + "/bn_scale", mul, {channels});
  TensorId add_id = ctx.AddConstFloats(base + "/bn_offset", add, {channels});
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kMul, {xn, mul_id}, BinaryOptions{},
                                           ctx.type(x)));
  NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kAdd, {y, add_id}, BinaryOptions{}, ctx.type(x)));
  if (r > 2) {
    NN_ASSIGN_OR_RETURN(y, ctx.ToChannelsFirst(node, y));
  }
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

// Mean and 1/sqrt(var + eps) of `x` over `axes` (kept as size-1 dims).
struct Moments {
  TensorId mean = kNoTensor;
  TensorId inv_std = kNoTensor;
};

absl::StatusOr<Moments> EmitMoments(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                    const std::vector<int32_t>& axes, float epsilon) {
  const std::string base = NodeBaseName(node);
  const DataType t = ctx.type(x);
  TensorId axes_id = ctx.AddConstInts(base + "/axes", axes);
  Moments m;
  NN_ASSIGN_OR_RETURN(m.mean, ctx.Emit(node, OpKind::kMean, {x, axes_id}, ReducerOptions{true}, t));
  NN_ASSIGN_OR_RETURN(TensorId sq, ctx.Emit(node, OpKind::kSquaredDifference, {x, m.mean},
                                            NoOptions{}, t));
  NN_ASSIGN_OR_RETURN(TensorId var, ctx.Emit(node, OpKind::kMean, {sq, axes_id},
                                             ReducerOptions{true}, t));
  TensorId eps = ctx.AddScalarFloat(base + "/epsilon", epsilon);
  NN_ASSIGN_OR_RETURN(TensorId var_eps,
                      ctx.Emit(node, OpKind::kAdd, {var, eps}, BinaryOptions{}, t));
  NN_ASSIGN_OR_RETURN(m.inv_std, ctx.Emit(node, OpKind::kRsqrt, {var_eps}, NoOptions{}, t));
  return m;
}

absl::Status ConvertInstanceNorm(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  NN_ASSIGN_OR_RETURN(TensorId scale, ctx.Input(node, 1));
  NN_ASSIGN_OR_RETURN(TensorId bias, ctx.Input(node, 2));
  const int r = ctx.rank(x);
  if (r < 3) return ctx.Invalid(node, absl::StrCat("rank-", r, " input"), "rank >= 3 (N, C, ...)");
  if (ctx.rank(scale) != 1 || ctx.rank(bias) != 1) {
    return ctx.Invalid(node, "scale/bias not 1-D", "scale and B of shape [C]");
  }
  const float eps = OnnxContext::AttrFloat(node, "epsilon", 1e-5f);
  const DataType t = ctx.type(x);
  NN_ASSIGN_OR_RETURN(TensorId xn, ctx.ToChannelsLast(node, x));
  std::vector<int32_t> axes;
  for (int i = 1; i < r - 1; ++i) axes.push_back(i);
  NN_ASSIGN_OR_RETURN(Moments m, EmitMoments(ctx, node, xn, axes, eps));
  // y = x * f + (B - mean * f) with f = scale / std: two full-size ops, the
  // rest on [N,1,..,C]. [C] broadcasts over the channels-last axis.
  NN_ASSIGN_OR_RETURN(TensorId f,
                      ctx.Emit(node, OpKind::kMul, {m.inv_std, scale}, BinaryOptions{}, t));
  NN_ASSIGN_OR_RETURN(TensorId mf, ctx.Emit(node, OpKind::kMul, {m.mean, f}, BinaryOptions{}, t));
  NN_ASSIGN_OR_RETURN(TensorId shift, ctx.Emit(node, OpKind::kSub, {bias, mf}, BinaryOptions{}, t));
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kMul, {xn, f}, BinaryOptions{}, t));
  NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kAdd, {y, shift}, BinaryOptions{}, t));
  NN_ASSIGN_OR_RETURN(TensorId out, ctx.ToChannelsFirst(node, y));
  ctx.SetOutput(node, 0, out);
  return absl::OkStatus();
}

absl::Status ConvertLayerNorm(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  NN_ASSIGN_OR_RETURN(TensorId scale, ctx.Input(node, 1));
  const int r = ctx.rank(x);
  const std::optional<int> axis = NormalizeAxis(OnnxContext::AttrInt(node, "axis", -1), r);
  if (!axis) {
    return ctx.Invalid(node, absl::StrCat("axis ", OnnxContext::AttrInt(node, "axis", -1),
                                          " for a rank-", r, " input"),
                       absl::StrCat("an axis in [", -r, ", ", r - 1, "]"));
  }
  const float eps = OnnxContext::AttrFloat(node, "epsilon", 1e-5f);
  const DataType t = ctx.type(x);
  std::vector<int32_t> axes;
  for (int i = *axis; i < r; ++i) axes.push_back(i);
  NN_ASSIGN_OR_RETURN(Moments m, EmitMoments(ctx, node, x, axes, eps));
  NN_ASSIGN_OR_RETURN(TensorId centered, ctx.Emit(node, OpKind::kSub, {x, m.mean},
                                                  BinaryOptions{}, t));
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kMul, {centered, m.inv_std},
                                           BinaryOptions{}, t));
  NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kMul, {y, scale}, BinaryOptions{}, t));
  if (OnnxContext::HasInput(node, 2)) {
    NN_ASSIGN_OR_RETURN(TensorId bias, ctx.Input(node, 2));
    NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kAdd, {y, bias}, BinaryOptions{}, t));
  }
  ctx.SetOutput(node, 0, y);
  ctx.SetOutput(node, 1, m.mean);
  ctx.SetOutput(node, 2, m.inv_std);
  return absl::OkStatus();
}

}  // namespace

void RegisterNormOps(ConverterTable& table) {
  table["BatchNormalization"] = &ConvertBatchNorm;
  table["InstanceNormalization"] = &ConvertInstanceNorm;
  table["LayerNormalization"] = &ConvertLayerNorm;
}

}  // namespace optconv::onnx_import
