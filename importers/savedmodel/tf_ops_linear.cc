// MatMul (FULLY_CONNECTED on a constant weight, else BATCH_MATMUL),
// BatchMatMul*, and inference-mode FusedBatchNorm folded to a MUL + ADD.
#include <cmath>

#include "importers/common/einsum.h"
#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"

namespace optconv::tf_import {
namespace {

absl::Status MatMul(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId a, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId b, ctx.Input(node, 1));
  const bool ta = TfContext::AttrBool(node, "transpose_a", false);
  const bool tb = TfContext::AttrBool(node, "transpose_b", false);
  if (ctx.rank(a) != 2 || ctx.rank(b) != 2) {
    return ctx.Invalid(node, "MatMul of non-matrices", "rank-2 operands");
  }
  if (ctx.IsConstant(b) && ctx.type(a) == DataType::kFloat32) {
    if (ta) {
      TF_ASSIGN_OR_RETURN(a, ctx.EmitTranspose(node, a, {1, 0}));
    }
    // FULLY_CONNECTED wants weights [N, K]: b is [K, N] unless transposed.
    TensorId w = b;
    if (!tb) {
      TF_ASSIGN_OR_RETURN(w, ctx.EmitTranspose(node, b, {1, 0}));
    }
    const int64_t n = ctx.shape(w)[0];
    TensorId bias = ctx.AddConstFloats(HelperName(node, "bias"),
                                       std::vector<float>(static_cast<size_t>(n), 0.0f));
    return ctx.EmitAndBind(node, OpKind::kFullyConnected, {a, w, bias}, FullyConnectedOptions{});
  }
  return ctx.EmitAndBind(node, OpKind::kBatchMatMul, {a, b}, BatchMatMulOptions{ta, tb});
}

/// BatchMatMul*; a constant float matrix on the right (Keras 3's Dense on a
/// sequence) is FULLY_CONNECTED weights, keeping the leading dims.
absl::Status BatchMatMul(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId a, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId b, ctx.Input(node, 1));
  BatchMatMulOptions o{TfContext::AttrBool(node, "adj_x", false),
                       TfContext::AttrBool(node, "adj_y", false)};
  const Shape bs = ctx.shape(b);
  bool matrix = bs.size() >= 2 && IsStatic(bs);
  for (size_t i = 0; matrix && i + 2 < bs.size(); ++i) matrix = bs[i] == 1;
  if (matrix && !o.adj_x && ctx.IsConstant(b) && ctx.type(a) == DataType::kFloat32 &&
      ctx.rank(a) >= 2 && ctx.rank(a) >= static_cast<int>(bs.size())) {
    const int64_t k = bs[bs.size() - 2], n = bs.back();
    TF_ASSIGN_OR_RETURN(TensorId w, EmitReshape(ctx, node, b, o.adj_y ? Shape{n, k} : Shape{k, n}));
    if (!o.adj_y) {
      TF_ASSIGN_OR_RETURN(w, ctx.EmitTranspose(node, w, {1, 0}));  // [N, K], folded
    }
    TensorId bias = ctx.AddConstFloats(HelperName(node, "bias"),
                                       std::vector<float>(static_cast<size_t>(n), 0.0f));
    FullyConnectedOptions fc;
    fc.keep_num_dims = ctx.rank(a) > 2;
    return ctx.EmitAndBind(node, OpKind::kFullyConnected, {a, w, bias}, fc);
  }
  return ctx.EmitAndBind(node, OpKind::kBatchMatMul, {a, b}, o);
}

/// y = x * scale / sqrt(var + eps) + (offset - mean * scale / sqrt(var + eps)).
absl::Status FusedBatchNorm(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_RETURN_IF_ERROR(RequireChannelsLast(ctx, node));
  if (TfContext::AttrBool(node, "is_training", true)) {
    return ctx.Unsupported(node, "training-mode batch normalization", "is_training=false");
  }
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  std::vector<std::vector<float>> params;  // scale, offset, mean, variance
  for (int i = 1; i <= 4; ++i) {
    TF_ASSIGN_OR_RETURN(TensorId p, ctx.Input(node, i));
    std::optional<std::vector<float>> v = ctx.ConstantFloats(p);
    if (!v) {
      return ctx.Unsupported(node, absl::StrCat("input #", i, " is computed at run time"),
                             "constant scale, offset, mean and variance");
    }
    params.push_back(*std::move(v));
  }
  const size_t c = params[0].size();
  for (const auto& p : params) {
    if (p.size() != c) return ctx.Invalid(node, "parameter sizes differ", "four [C] vectors");
  }
  // In double, each folded constant rounded once: offset - mean * multiplier can cancel.
  const double eps = TfContext::AttrFloat(node, "epsilon", 1e-3f);
  std::vector<float> mul(c), add(c);
  for (size_t i = 0; i < c; ++i) {
    const double m = params[0][i] / std::sqrt(static_cast<double>(params[3][i]) + eps);
    mul[i] = static_cast<float>(m);
    add[i] = static_cast<float>(params[1][i] - params[2][i] * m);
  }
  const DataType t = ctx.type(x);
  TensorId mul_id = ctx.AddConstFloats(HelperName(node, "scale"), mul);
  TensorId add_id = ctx.AddConstFloats(HelperName(node, "shift"), add);
  TF_ASSIGN_OR_RETURN(TensorId scaled,
                      ctx.Emit(node, OpKind::kMul, {x, mul_id}, BinaryOptions{}, t));
  return ctx.EmitAndBind(node, OpKind::kAdd, {scaled, add_id}, BinaryOptions{});
}

absl::Status Einsum(TfContext& ctx, const tensorflow::NodeDef& node) {
  std::vector<TensorId> operands;
  for (int i = 0; i < TfContext::NumInputs(node); ++i) {
    TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, i));
    operands.push_back(x);
  }
  const std::string equation = TfContext::AttrString(node, "equation", "");
  TF_ASSIGN_OR_RETURN(TensorId y,
                      importer::EmitEinsum(ctx, TfContext::Origin(node), equation, operands));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

}  // namespace

void RegisterTfLinearOps(TfConverterTable& t) {
  t.ops["MatMul"] = MatMul;
  t.ops["Einsum"] = Einsum;
  t.ops["BatchMatMul"] = BatchMatMul;
  t.ops["BatchMatMulV2"] = BatchMatMul;
  t.ops["BatchMatMulV3"] = BatchMatMul;
  t.ops["FusedBatchNorm"] = FusedBatchNorm;
  t.ops["FusedBatchNormV2"] = FusedBatchNorm;
  t.ops["FusedBatchNormV3"] = FusedBatchNorm;
}

}  // namespace optconv::tf_import
